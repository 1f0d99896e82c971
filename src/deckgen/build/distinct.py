"""What several cards folders built together must not share: a folder, an output file,
a deck name, a note or a note id."""

from __future__ import annotations

import dataclasses
import os
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from deckgen.source.errors import DeckgenError, display_path

if TYPE_CHECKING:
    from deckgen.build.prepare import Folder


def distinct_folders(cards_dirs: Sequence[Path]) -> None:
    """A cards folder given twice would be built twice into one file."""
    seen: dict[str, Path] = {}
    for cards_dir in cards_dirs:
        other = seen.setdefault(os.path.realpath(cards_dir), cards_dir)
        if other is not cards_dir:
            first, again = display_path(other), display_path(cards_dir)
            same = "is given twice" if first == again else f"and {again} are the same folder"
            raise DeckgenError(f"--cards {first} {same}: give each cards folder once")


def distinct_outputs(targets: Mapping[Path, Path]) -> None:
    """Two folders whose decks would be written to one file: the second would replace the
    first. (Names are compared as a case-insensitive file system would.)"""
    seen: dict[str, Path] = {}
    for cards_dir, target in targets.items():
        other = seen.setdefault(str(target).casefold(), cards_dir)
        if other != cards_dir:
            raise DeckgenError(
                f"{display_path(other)} and {display_path(cards_dir)} would both be written to "
                f"{display_path(target)}: give one of their decks another name in deck.yaml, "
                "build them into different --out folders, or use --combined"
            )


def distinct_decks_and_notes(folders: list[Folder]) -> None:
    """Two folders in one package must not share a deck name or a note: Anki would see one."""
    decks: dict[str, tuple[Path, str]] = {}
    for folder in folders:  # Anki matches deck names regardless of case
        name = folder.cards.deck.name
        other, first = decks.setdefault(_deck_key(name), (folder.cards_dir, name))
        if other != folder.cards_dir:
            alike = "" if first == name else f" (Anki does not tell '{first}' and '{name}' apart)"
            raise DeckgenError(
                f"{display_path(other)} and {display_path(folder.cards_dir)} are both the deck "
                f"'{first}'{alike}: give one of them another name in deck.yaml"
            )
    owners: dict[str, Path] = {}
    for folder in folders:
        for note in folder.packaged:
            other = owners.setdefault(note.guid, folder.cards_dir)
            if other != folder.cards_dir:
                raise DeckgenError(
                    f"{display_path(other)} and {display_path(folder.cards_dir)} both have the "
                    f"note {note.key}: rename one of the notes, or build the folders separately"
                )


def _deck_key(name: str) -> str:
    """A deck name as Anki matches it: regardless of case (and of Unicode's forms)."""
    return unicodedata.normalize("NFC", name).casefold()


def distinct_ids(folders: list[Folder]) -> None:
    """Give a note whose id another folder already uses a fresh one, in its lock too.

    Ids come from each folder's first build time, so two folders can share one. Anki
    matches notes by guid and keeps its own ids for notes it has, so a new id changes
    nothing for anyone who imported the note already; it only keeps this package valid."""
    from deckgen.state.lock import ID_SPACING  # only here: the lock's modules are large

    used: set[int] = set()
    highest = max((note.note_id for f in folders for note in f.packaged), default=0)
    for folder in folders:
        for index, note in enumerate(folder.packaged):
            if note.note_id in used:
                highest += ID_SPACING
                folder.packaged[index] = dataclasses.replace(note, note_id=highest)
                entry = folder.lock.notes[note.key]
                folder.lock.notes[note.key] = dataclasses.replace(entry, id=highest)
            used.add(folder.packaged[index].note_id)
