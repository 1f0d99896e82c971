"""The build: one cards folder (or several) through every stage into an .apkg.

`build` and `build_each` load the stages only for a folder that has changed since its
last build (see `each`); `build_combined` and `output_name` load them when first asked
for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deckgen.build.each import build, build_each
from deckgen.build.lookback import Waiting
from deckgen.build.report import BuildReport, DeckCount, Progress

if TYPE_CHECKING:
    from deckgen.build.core import build_combined, output_name

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


def __getattr__(name: str) -> Any:
    if name in ("build_combined", "output_name"):
        from deckgen.build import core

        return getattr(core, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
