"""`deckgen stats`: what the cards folder holds, counted from the notes a build would make."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from deckgen.authoring.preview import card_ordinals
from deckgen.kinds.folder import Cards, load_cards
from deckgen.kinds.notefile import record_id
from deckgen.kinds.notes import NoteSpec, build_notes, occlusion_numbers


@dataclass(frozen=True)
class Stats:
    notes_per_deck: dict[str, int]
    cards_per_deck: dict[str, int]
    notes_per_kind: dict[str, int]
    cards_per_kind: dict[str, int]
    notes_per_tag: dict[str, int]
    points_per_channel: dict[str, int]
    points_without_diagram: tuple[str, ...]
    notes_without_sources: tuple[str, ...]


def card_count(spec: NoteSpec) -> int:
    """How many cards Anki makes for a note (the preview's rule, checked against Anki)."""
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
    channels = Counter(point.channel.label for point in cards.points)
    return Stats(
        notes_per_deck=dict(notes_deck),
        cards_per_deck=dict(cards_deck),
        notes_per_kind=dict(notes_kind),
        cards_per_kind=dict(cards_kind),
        notes_per_tag=dict(sorted(tags.items())),
        points_per_channel=dict(sorted(channels.items())),
        points_without_diagram=tuple(p.code for p in cards.points if p.diagram is None),
        notes_without_sources=tuple(
            record_id(record) for record in cards.records if not record.sources
        ),
    )


def format_stats(stats: Stats) -> str:
    lines = ["Decks:"]
    width = max(map(len, stats.notes_per_deck), default=0)
    for deck, notes in stats.notes_per_deck.items():
        lines.append(f"  {deck:<{width}}  {notes:>5} notes  {stats.cards_per_deck[deck]:>5} cards")
    lines.append("Kinds:")
    for kind, notes in stats.notes_per_kind.items():
        lines.append(f"  {kind:<14} {notes:>5} notes  {stats.cards_per_kind[kind]:>5} cards")
    lines.append("Channels (points):")
    lines += [f"  {channel:<18} {count:>4}" for channel, count in stats.points_per_channel.items()]
    lines.append("Tags (notes):")
    lines += [f"  {tag:<34} {count:>4}" for tag, count in stats.notes_per_tag.items()]
    missing = ", ".join(stats.points_without_diagram) or "none"
    lines.append(f"Points without a diagram: {missing}")
    unsourced = ", ".join(stats.notes_without_sources) or "none"
    lines.append(f"Notes without sources: {unsourced}")
    return "\n".join(lines)


def stats_of(cards_dir: Path) -> Stats:
    """The statistics of a cards folder, counted from the notes its next build would make."""
    cards = load_cards(cards_dir)
    numbers = occlusion_numbers(cards, cards.lock.occlusion)
    return collect(cards, build_notes(cards, occlusion=numbers))
