"""The build: cards folder -> validated notes -> ids and times from the lock -> .apkg."""

from __future__ import annotations

import re
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from deckgen import buildstate
from deckgen.cards import Cards, load_cards
from deckgen.changes import Changes, stamp
from deckgen.errors import Problem
from deckgen.ids import stable_id
from deckgen.lock import LOCK_FILE, build_time, read_lock
from deckgen.notes import build_notes, occlusion_numbers
from deckgen.package import PackagedDeck, PackagedNote, render_collection, write_zip
from deckgen.text import plain


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


#: Called as notes are made: (records done, records in all).
Progress = Callable[[int, int], None]


def output_name(deck_name: str) -> str:
    """A stable file name: 'Acupuncture for Facial Spasm' -> 'acupuncture-for-facial-spasm.apkg'."""
    slug = re.sub(r"[^a-z0-9]+", "-", deck_name.lower()).strip("-")
    return f"{slug or 'deck'}.apkg"


def check(*, cards_dir: Path) -> Cards:
    """Validate the cards folder without writing anything; raise `InvalidCards` on problems."""
    return load_cards(cards_dir)


def build(
    *,
    cards_dir: Path,
    out_dir: Path,
    dry_run: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
) -> BuildReport:
    """Build the cards folder into `out_dir/<deck>.apkg` and update the lock beside the cards.

    Nothing is written unless everything is valid (with `strict`, free of warnings too);
    the .apkg and the lock are each replaced atomically, the lock after the .apkg.
    """
    inputs = buildstate.inputs_digest(cards_dir) if cards_dir.is_dir() else ""
    saved = buildstate.load_unchanged(out_dir, inputs=inputs)
    if saved is not None and not (strict and saved["warnings"]):
        return _unchanged_report(saved, out_dir=out_dir, dry_run=dry_run)
    cards = load_cards(cards_dir, strict=strict)
    lock_path = cards_dir / LOCK_FILE
    old_lock = read_lock(lock_path)
    numbers = occlusion_numbers(cards, old_lock.occlusion)
    specs = build_notes(cards, occlusion=numbers, progress=progress)
    new_lock, packaged, changes = stamp(specs, old_lock, build_time())
    new_lock.occlusion = numbers
    decks = _decks(cards, packaged)
    target = out_dir / output_name(cards.deck.name)
    media = {item.name: item for spec in specs for item in spec.media}

    with tempfile.TemporaryDirectory(prefix="deckgen-") as scratch:
        db_path = Path(scratch) / "collection.anki2"
        render_collection(
            db_path,
            notes=packaged,
            notetype_mods={key: entry.mod for key, entry in new_lock.notetypes.items()},
            decks=decks,
        )
        counts = _count(db_path, decks)
        size = None
        if not dry_run:
            size = write_zip(target, collection=db_path, media=list(media.values()))
            new_lock.write(lock_path)
    report = BuildReport(
        output=target,
        size=size,
        decks=counts,
        media=len(media),
        changes=changes,
        warnings=cards.warnings,
    )
    if not dry_run:
        buildstate.save(out_dir, inputs=buildstate.inputs_digest(cards_dir), report=report)
    return report


def _unchanged_report(saved: dict[str, Any], *, out_dir: Path, dry_run: bool) -> BuildReport:
    """The report of a build whose inputs and output are as the last build left them."""
    output = out_dir / Path(saved["output"]).name
    return BuildReport(
        output=output,
        size=None if dry_run else output.stat().st_size,
        decks=tuple(DeckCount(**deck) for deck in saved["decks"]),
        media=saved["media"],
        changes=buildstate.unchanged_changes(saved),
        warnings=buildstate.saved_warnings(saved),
    )


def _decks(cards: Cards, packaged: list[PackagedNote]) -> list[PackagedDeck]:
    """The parent deck, carrying version, build date and sources, and each subdeck in use."""
    config = cards.deck
    latest = max((note.mod for note in packaged), default=0)
    built_on = datetime.fromtimestamp(latest, tz=timezone.utc).strftime("%Y-%m-%d")
    cited = sorted({key for record in cards.records for key in record.sources})
    sources = "".join(f"<li>{plain(cards.sources[key].title)}</li>" for key in cited)
    description = (
        f"<p>{plain(config.description)}</p>"
        f"<p>Version {plain(config.version)} · built {built_on} with deckgen.</p>"
        f"<p>Sources:</p><ul>{sources}</ul>"
    )
    names = [config.name, *dict.fromkeys(note.deck for note in packaged)]
    return [
        PackagedDeck(name, stable_id("deck", name), description if name == config.name else "")
        for name in names
    ]


def _count(db_path: Path, decks: list[PackagedDeck]) -> tuple[DeckCount, ...]:
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
