"""`deckgen stats`: what the cards folder holds, counted from the notes a build would make."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from deckgen.anki.cards import card_ordinals
from deckgen.build.load import Loaded, load_folder
from deckgen.kinds import registry
from deckgen.kinds.folder import Cards
from deckgen.kinds.kind import Tally
from deckgen.kinds.spec import NoteSpec


@dataclass(frozen=True)
class Stats:
    notes_per_deck: dict[str, int]
    cards_per_deck: dict[str, int]
    notes_per_kind: dict[str, int]
    cards_per_kind: dict[str, int]
    notes_per_tag: dict[str, int]
    #: What each kind tells of its notes (see `Kind.stats`), in registry order.
    tallies: tuple[Tally, ...] = ()


def card_count(spec: NoteSpec) -> int:
    """How many cards Anki makes for a note (the package writer's rule: `anki.cards`)."""
    return len(
        card_ordinals(spec.notetype, dict(zip(spec.notetype.fields, spec.fields, strict=True)))
    )


def collect(cards: Cards, specs: list[NoteSpec]) -> Stats:
    notes_deck: Counter[str] = Counter()
    cards_deck: Counter[str] = Counter()
    notes_kind: Counter[str] = Counter()
    cards_kind: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    for spec in specs:
        count = card_count(spec)
        notes_deck[spec.deck] += 1
        cards_deck[spec.deck] += count
        notes_kind[spec.kind] += 1
        cards_kind[spec.kind] += count
        tags.update(spec.tags)
    tallies = tuple(
        tally for kind in registry.kinds() for tally in kind.stats(cards.records_of(kind))
    )
    return Stats(
        notes_per_deck=dict(notes_deck),
        cards_per_deck=dict(cards_deck),
        notes_per_kind=dict(notes_kind),
        cards_per_kind=dict(cards_kind),
        notes_per_tag=dict(sorted(tags.items())),
        tallies=tallies,
    )


def format_stats(stats: Stats) -> str:
    lines = ["Decks:"]
    width = max(map(len, stats.notes_per_deck), default=0)
    for deck, notes in stats.notes_per_deck.items():
        lines.append(f"  {deck:<{width}}  {notes:>5} notes  {stats.cards_per_deck[deck]:>5} cards")
    lines.append("Kinds:")
    for kind, notes in stats.notes_per_kind.items():
        lines.append(f"  {kind:<14} {notes:>5} notes  {stats.cards_per_kind[kind]:>5} cards")
    for tally in stats.tallies:
        if tally.names is None:
            lines.append(f"{tally.heading}:")
            lines += [f"  {name:<18} {count:>4}" for name, count in tally.counts.items()]
    lines.append("Tags (notes):")
    lines += [f"  {tag:<34} {count:>4}" for tag, count in stats.notes_per_tag.items()]
    for tally in stats.tallies:
        if tally.names is not None:
            lines.append(f"{tally.heading}: {', '.join(tally.names) or 'none'}")
    return "\n".join(lines)


def stats_of(cards_dir: Path, *, loaded: Loaded | None = None) -> Stats:
    """The statistics of a cards folder, counted from the notes its next build would make
    (pass `loaded` when the caller has loaded it already)."""
    loaded = loaded if loaded is not None else load_folder(cards_dir)
    return collect(loaded.cards, loaded.notes())
