"""The build: cards folder -> validated notes -> times and ids from the lock -> .apkg."""

from __future__ import annotations

import re
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from deckgen.cards import Cards, load_cards
from deckgen.ids import stable_id
from deckgen.lock import (
    LOCK_FILE,
    IdAllocator,
    Lock,
    NoteEntry,
    NotetypeEntry,
    build_time,
    content_hash,
    next_mod,
    read_lock,
)
from deckgen.notes import NoteSpec, build_notes
from deckgen.notetypes import NoteType, read_template
from deckgen.package import PackagedDeck, PackagedNote, render_collection, write_zip
from deckgen.text import plain


@dataclass(frozen=True)
class DeckCount:
    name: str
    notes: int
    cards: int


@dataclass(frozen=True)
class NotetypeChange:
    name: str
    fields_changed: bool  # True: Anki needs "Merge note types"; False: templates/CSS only


@dataclass(frozen=True)
class BuildReport:
    output: Path
    size: int | None  # None when nothing was written (dry run)
    decks: tuple[DeckCount, ...]
    media: int
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    notetype_changes: tuple[NotetypeChange, ...]


def output_name(deck_name: str) -> str:
    """A stable file name: 'Acupuncture for Facial Spasm' -> 'acupuncture-for-facial-spasm.apkg'."""
    slug = re.sub(r"[^a-z0-9]+", "-", deck_name.lower()).strip("-")
    return f"{slug or 'deck'}.apkg"


def check(*, cards_dir: Path) -> Cards:
    """Validate the cards folder without writing anything; raise `InvalidCards` on problems."""
    return load_cards(cards_dir)


def build(*, cards_dir: Path, out_dir: Path, dry_run: bool = False) -> BuildReport:
    """Build the cards folder into `out_dir/<deck>.apkg` and update the lock beside the cards."""
    cards = load_cards(cards_dir)
    specs = build_notes(cards)
    lock_path = cards_dir / LOCK_FILE
    old_lock = read_lock(lock_path)
    now = build_time()
    new_lock, packaged, diff = _stamp(specs, old_lock, now)
    notetype_changes = _stamp_notetypes(specs, old_lock, new_lock, now)
    decks = _decks(cards, specs, packaged)
    target = out_dir / output_name(cards.deck.name)

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
            size = write_zip(target, collection=db_path, media=[])
            _write_text(lock_path, new_lock.to_json())
    return BuildReport(
        output=target,
        size=size,
        decks=counts,
        media=0,
        notetype_changes=notetype_changes,
        **diff,
    )


def _stamp(
    specs: list[NoteSpec], old: Lock, now: int
) -> tuple[Lock, list[PackagedNote], dict[str, tuple[str, ...]]]:
    """Give each note its id and modification time; sort keys into added/changed/unchanged."""
    new = Lock()
    ids = IdAllocator(old, now)
    packaged: list[PackagedNote] = []
    added, changed, unchanged = [], [], []
    for spec in specs:
        digest = content_hash([spec.guid, spec.notetype.key, spec.fields, spec.tags, spec.deck])
        previous = old.notes.get(spec.key)
        if previous is None:
            entry = NoteEntry(hash=digest, mod=now, id=ids.take())
            added.append(spec.key)
        elif previous.hash != digest:
            entry = NoteEntry(hash=digest, mod=next_mod(previous.mod, now), id=previous.id)
            changed.append(spec.key)
        else:
            entry = previous
            unchanged.append(spec.key)
        new.notes[spec.key] = entry
        packaged.append(
            PackagedNote(
                guid=spec.guid,
                notetype=spec.notetype,
                fields=spec.fields,
                tags=spec.tags,
                deck=spec.deck,
                note_id=entry.id,
                mod=entry.mod,
            )
        )
    removed = tuple(sorted(set(old.notes) - set(new.notes)))
    diff = {
        "added": tuple(added),
        "changed": tuple(changed),
        "removed": removed,
        "unchanged": tuple(unchanged),
    }
    return new, packaged, diff


def notetype_hash(notetype: NoteType) -> str:
    templates = [
        [t.name, read_template(t.front), read_template(t.back)] for t in notetype.templates
    ]
    return content_hash(
        [
            notetype.model_id,
            notetype.name,
            notetype.fields,
            templates,
            read_template(notetype.css),
            notetype.cloze,
        ]
    )


def _stamp_notetypes(
    specs: list[NoteSpec], old: Lock, new: Lock, now: int
) -> tuple[NotetypeChange, ...]:
    changes: list[NotetypeChange] = []
    used = {spec.notetype.key: spec.notetype for spec in specs}
    for key, notetype in used.items():
        digest = notetype_hash(notetype)
        template_names = tuple(t.name for t in notetype.templates)
        previous = old.notetypes.get(key)
        if previous is not None and previous.hash == digest:
            new.notetypes[key] = previous
            continue
        mod = next_mod(previous.mod if previous else None, now)
        new.notetypes[key] = NotetypeEntry(digest, mod, notetype.fields, template_names)
        if previous is not None:
            structural = previous.fields != notetype.fields or previous.templates != template_names
            changes.append(NotetypeChange(notetype.name, structural))
    return tuple(changes)


def _decks(cards: Cards, specs: list[NoteSpec], packaged: list[PackagedNote]) -> list[PackagedDeck]:
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
    names = [config.name, *dict.fromkeys(spec.deck for spec in specs)]
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


def _write_text(path: Path, text: str) -> None:
    """Replace a text file atomically."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
