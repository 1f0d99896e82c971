"""The build: one cards folder (or several) through every stage into an .apkg."""

from deckgen.build.core import Waiting, build, build_combined, build_each, output_name
from deckgen.build.report import BuildReport, DeckCount, Progress

__all__ = [
    "BuildReport",
    "DeckCount",
    "Progress",
    "Waiting",
    "build",
    "build_combined",
    "build_each",
    "output_name",
]
