"""What a build changed: notes added, changed, removed or left alone, and note types. A
small module of its own, so that a rebuild with nothing to do can report without loading
the stages (see `deckgen.state.changes` for how the changes are found)."""

from __future__ import annotations

from dataclasses import dataclass

REMOVED_TAG = "deckgen::removed"


@dataclass(frozen=True)
class NotetypeChange:
    name: str
    fields_changed: bool  # True: Anki needs "Merge note types"; False: templates/CSS only


@dataclass(frozen=True)
class Changes:
    """What this build changes, by note key ('point:ST2'); `changed` names the fields."""

    added: tuple[str, ...]
    changed: tuple[tuple[str, tuple[str, ...]], ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    notetypes: tuple[NotetypeChange, ...]
    #: Image-occlusion cards whose mask went (a point removed or moved off its diagram):
    #: (note key, card number, the point it asked about), each reported once, by the
    #: build that empties it.
    emptied: tuple[tuple[str, int, str], ...] = ()
