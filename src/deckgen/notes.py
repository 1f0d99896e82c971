"""Validated records -> the fields, tags and deck of each Anki note."""

from __future__ import annotations

from dataclasses import dataclass

from deckgen.cards import Cards
from deckgen.ids import note_guid
from deckgen.notetypes import CONCEPT, CONDITION, FACT, POINT, NoteType
from deckgen.schema import Concept, Condition, Fact, Point, Source
from deckgen.text import bullet_list, inline, plain


@dataclass(frozen=True)
class NoteSpec:
    """Everything Anki stores for one note, before times and ids are assigned."""

    kind: str
    note_id: str
    notetype: NoteType
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str

    @property
    def key(self) -> str:
        """The note's identity as authors see it, e.g. 'point:ST2'."""
        return f"{self.kind}:{self.note_id}"

    @property
    def guid(self) -> str:
        return note_guid(self.kind, self.note_id)

    def field(self, name: str) -> str:
        return self.fields[self.notetype.fields.index(name)]


def build_notes(cards: Cards) -> list[NoteSpec]:
    """All notes of the cards folder, in authored order: points, concepts, conditions, facts."""
    deck = cards.deck
    points_deck = f"{deck.name}::{deck.subdecks.points}"
    concepts_deck = f"{deck.name}::{deck.subdecks.concepts}"
    conditions_deck = f"{deck.name}::{deck.subdecks.conditions}"
    facts_deck = f"{deck.name}::{deck.subdecks.facts}"
    names = {c.id: c.name for c in cards.conditions}
    return [
        *(_point(p, cards.sources, points_deck) for p in cards.points),
        *(_concept(c, cards.sources, concepts_deck) for c in cards.concepts),
        *(_condition(c, cards.sources, names, conditions_deck) for c in cards.conditions),
        *(_fact(f, cards.sources, facts_deck) for f in cards.facts),
    ]


def _sources(keys: tuple[str, ...] | list[str], sources: dict[str, Source]) -> str:
    """The card footer: short labels; the full citations are in the deck description."""
    return "Sources: " + "; ".join(plain(sources[key].short) for key in keys)


def _tags(kind: str, *tags: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((f"deckgen::{kind}", *tags)))


def _point(point: Point, sources: dict[str, Source], deck: str) -> NoteSpec:
    needling = point.needling
    needling_parts = [f"{needling.angle}, {needling.depth}"]
    if needling.method:
        needling_parts.append(needling.method)
    fields = {
        "Code": plain(point.code),
        "Aliases": plain(", ".join(point.aliases)),
        "Pinyin": plain(point.pinyin),
        "Hanzi": plain(point.hanzi),
        "English": plain(point.english),
        "Channel": plain(point.channel.label),
        "Location": inline(point.location),
        "Diagram": "",
        "Needling": "; ".join(inline(part) for part in needling_parts),
        "Cautions": bullet_list(needling.cautions),
        "Actions": bullet_list(point.actions),
        "Indications": bullet_list(point.indications),
        "Notes": bullet_list(point.notes),
        "Sources": _sources(point.sources, sources),
    }
    tags = _tags("point", f"channel::{point.channel.value}", *point.tags)
    return NoteSpec("point", point.code, POINT, _ordered(POINT, fields), tags, deck)


def _concept(concept: Concept, sources: dict[str, Source], deck: str) -> NoteSpec:
    fields = {
        "Term": plain(concept.term),
        "Pinyin": plain(concept.pinyin),
        "Hanzi": plain(concept.hanzi),
        "Definition": inline(concept.definition),
        "Relevance": inline(concept.relevance) if concept.relevance else "",
        "Related": plain(", ".join(concept.related_points)),
        "Sources": _sources(concept.sources, sources),
    }
    tags = _tags("concept", *concept.tags)
    return NoteSpec("concept", concept.id, CONCEPT, _ordered(CONCEPT, fields), tags, deck)


def _condition(
    condition: Condition, sources: dict[str, Source], names: dict[str, str], deck: str
) -> NoteSpec:
    distinguish = [f"**{names[d.condition]}**: {d.how}" for d in condition.distinguish_from]
    fields = {
        "Name": plain(condition.name),
        "Features": bullet_list(condition.key_features),
        "Cause": inline(condition.cause),
        "Workup": bullet_list(condition.workup),
        "Treatment": bullet_list(condition.treatment),
        "Distinguish": bullet_list(distinguish),
        "RedFlags": bullet_list(condition.red_flags),
        "Sources": _sources(condition.sources, sources),
    }
    tags = _tags("condition", *condition.tags)
    return NoteSpec("condition", condition.id, CONDITION, _ordered(CONDITION, fields), tags, deck)


def _fact(fact: Fact, sources: dict[str, Source], deck: str) -> NoteSpec:
    fields = {
        "Question": inline(fact.question),
        "Answer": inline(fact.answer),
        "Extra": inline(fact.extra) if fact.extra else "",
        "Sources": _sources(fact.sources, sources),
    }
    return NoteSpec("fact", fact.id, FACT, _ordered(FACT, fields), _tags("fact", *fact.tags), deck)


def _ordered(notetype: NoteType, fields: dict[str, str]) -> tuple[str, ...]:
    missing = set(notetype.fields) ^ set(fields)
    if missing:  # a programming error, not a user one
        raise ValueError(f"{notetype.name}: fields do not match the note type: {sorted(missing)}")
    return tuple(fields[name] for name in notetype.fields)
