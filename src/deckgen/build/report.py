"""What a build tells: the .apkg written, notes and cards per deck, the changes since the
last build, the warnings and what was repaired."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deckgen.source.errors import Problem
from deckgen.state.changeset import Changes
from deckgen.state.nochange import saved_warnings, unchanged_changes

if TYPE_CHECKING:
    from deckgen.anki.package import PackagedDeck

#: Called as notes are made: (records done, records in all).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DeckCount:
    name: str
    notes: int
    cards: int


@dataclass(frozen=True)
class BuildReport:
    output: Path
    size: int | None  # None when nothing was written (dry run)
    decks: tuple[DeckCount, ...]
    media: int
    changes: Changes
    warnings: tuple[Problem, ...] = ()
    #: What the build repaired in a lock (see `lock.read_lock`).
    repairs: tuple[Problem, ...] = ()


def merged_changes(all_changes: list[Changes]) -> Changes:
    if len(all_changes) == 1:
        return all_changes[0]
    return Changes(
        added=tuple(key for c in all_changes for key in c.added),
        changed=tuple(item for c in all_changes for item in c.changed),
        removed=tuple(key for c in all_changes for key in c.removed),
        unchanged=tuple(key for c in all_changes for key in c.unchanged),
        notetypes=tuple(dict.fromkeys(n for c in all_changes for n in c.notetypes)),
        emptied=tuple(item for c in all_changes for item in c.emptied),
    )


def unchanged_report(saved: dict[str, Any], *, out_dir: Path, dry_run: bool) -> BuildReport:
    """The report of a build whose inputs and output are as the last build left them."""
    output = out_dir / Path(saved["output"]).name
    return BuildReport(
        output=output,
        size=None if dry_run else output.stat().st_size,
        decks=tuple(DeckCount(**deck) for deck in saved["decks"]),
        media=saved["media"],
        changes=unchanged_changes(saved),
        warnings=saved_warnings(saved),
    )


def count_cards(db_path: Path, decks: list[PackagedDeck]) -> tuple[DeckCount, ...]:
    """Notes and cards per deck, read back from what was written."""
    connection = sqlite3.connect(db_path)
    try:
        rows = connection.execute(
            "SELECT did, COUNT(DISTINCT nid), COUNT(*) FROM cards GROUP BY did"
        ).fetchall()
    finally:
        connection.close()
    per_deck = {did: (notes, cards) for did, notes, cards in rows}
    return tuple(
        DeckCount(deck.name, *per_deck[deck.deck_id]) for deck in decks if deck.deck_id in per_deck
    )
