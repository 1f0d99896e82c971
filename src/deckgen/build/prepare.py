"""One cards folder made ready to package: loaded with its lock, made into notes (reusing
what the cache kept), stamped with ids and times; and its decks with their description."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from deckgen.anki.package import PackagedDeck, PackagedNote
from deckgen.build.load import load_folder
from deckgen.build.report import Progress
from deckgen.kinds.deck import Source
from deckgen.kinds.drawing import MediaFile
from deckgen.kinds.folder import Cards
from deckgen.kinds.html import attribute, plain
from deckgen.kinds.ids import stable_id
from deckgen.kinds.layouts import Layout, known_layouts
from deckgen.kinds.notes import facts_read, notes_reusing
from deckgen.kinds.spec import KeptNote
from deckgen.source.errors import Problem
from deckgen.source.files import Listing
from deckgen.state import cache as buildcache
from deckgen.state.changes import stamp
from deckgen.state.changeset import Changes
from deckgen.state.lock import Lock


@dataclass
class Folder:
    """One cards folder, validated and stamped against its lock, ready to package."""

    cards_dir: Path
    cards: Cards
    lock: Lock
    packaged: list[PackagedNote]
    changes: Changes
    media: dict[str, MediaFile]
    #: What reading the lock repaired (see `deckgen.state.lock.read_lock`).
    repairs: tuple[Problem, ...]
    #: What each record's notes read of other files (see `deckgen.kinds.notes.facts_read`).
    reads: Mapping[str, str]
    cache: buildcache.Cache | None = None
    kept: Mapping[str, tuple[KeptNote, ...]] = dataclasses.field(default_factory=dict)
    #: The diagrams' label layouts its notes used, for the next build (see `known_layouts`).
    layouts: Mapping[str, Layout] = dataclasses.field(default_factory=dict)


def prepare(
    cards_dir: Path,
    *,
    strict: bool,
    progress: Progress | None,
    now: int,
    cache: buildcache.Cache | None = None,
    listing: Listing | None = None,
    lock_digest: str | None = None,
) -> Folder:
    loaded = load_folder(
        cards_dir,
        strict=strict,
        cached=cache.files if cache else None,
        listing=listing,
        lock_digest=lock_digest,
    )
    cards, old_lock = loaded.cards, loaded.lock
    numbers = loaded.occlusion()
    reads = facts_read(cards)
    kept = cache.kept(cards, reads) if cache else {}
    deck = loaded.deck_id
    # Each record made into notes is let go of: from here on only the summaries are read.
    with known_layouts(cache.layouts if cache else {}) as layouts:
        notes = notes_reusing(
            cards, kept, deck_id=deck, occlusion=numbers, progress=progress, release=True
        )
    new_lock, packaged, changes = stamp(notes, old_lock, now)
    new_lock.occlusion = numbers
    new_lock.deck_id = deck
    media = {item.name: item for note in notes for item in note.media}
    return Folder(
        cards_dir,
        cards,
        new_lock,
        packaged,
        changes,
        media,
        tuple(old_lock.repairs),
        reads,
        cache,
        kept,
        layouts,
    )


def decks_of(cards: Cards, packaged: list[PackagedNote]) -> list[PackagedDeck]:
    """The parent deck, carrying version, build date and sources, and each subdeck in use."""
    config = cards.deck
    latest = max((note.mod for note in packaged), default=0)
    built_on = datetime.fromtimestamp(latest, tz=timezone.utc).strftime("%Y-%m-%d")
    cited = sorted({key for file in cards.files for key in file.summary.sources})
    sources = "".join(citation(cards.sources[key]) for key in cited)
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


def citation(source: Source) -> str:
    """A source for the deck description, linked when it has a public address."""
    url = source.url or ""
    public = url.startswith(("https://", "http://"))
    link = f' <a href="{attribute(url)}">{plain(url)}</a>' if public else ""
    return f"<li>{plain(source.title)}{link}</li>"
