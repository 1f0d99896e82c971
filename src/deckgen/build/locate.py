"""Where the cards folder is, as git finds its repository: the folder given, or else the
first one up from the working directory that is a cards folder (it has deck.yaml) or holds
one named `cards`."""

from __future__ import annotations

from pathlib import Path

from deckgen.source.cardsfolder import CARDS, DECK_FILE

__all__ = ["CARDS", "find_cards"]


def find_cards(start: Path) -> Path | None:
    """The cards folder that `start` is in or under, or None: `start` or the nearest folder
    above it that has deck.yaml, or a `cards/deck.yaml` (the nearest first)."""
    here = start.absolute()
    for folder in (here, *here.parents):
        if (folder / DECK_FILE).is_file():
            return folder
        if (folder / CARDS / DECK_FILE).is_file():
            return folder / CARDS
    return None
