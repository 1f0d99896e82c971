"""Validated records -> the fields, tags, deck and media of each Anki note.

One record may give several notes: a point also gives a location cloze; a concept a
definition cloze; a condition its "which condition?" and comparison questions; and each
diagram one image-occlusion note with every point on it masked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from deckgen.kinds.cloze import cloze_text, strip_cloze
from deckgen.kinds.drawing import MediaFile, load_diagrams
from deckgen.kinds.folder import Cards
from deckgen.kinds.html import attribute, bullet_list, html_list, inline, plain
from deckgen.kinds.ids import note_guid, slug
from deckgen.kinds.models import Concept, Condition, Fact, Point
from deckgen.kinds.notefile import NoteFile
from deckgen.kinds.notetypes import CLOZE, CONCEPT, CONDITION, OCCLUSION, POINT, QA, NoteType


@dataclass(frozen=True)
class NoteSpec:
    """Everything Anki stores for one note, before times and ids are assigned."""

    kind: str
    note_id: str
    notetype: NoteType
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str
    media: tuple[MediaFile, ...] = ()
    #: The key of the record it comes from ('point:ST2' for its cloze too); '' for a
    #: note drawn from several records (a diagram's occlusion note).
    origin: str = ""

    @property
    def key(self) -> str:
        """The note's identity as authors see it, e.g. 'point:ST2'."""
        return f"{self.kind}:{self.note_id}"

    @property
    def guid(self) -> str:
        return note_guid(self.kind, self.note_id)

    def field(self, name: str) -> str:
        return self.fields[self.notetype.fields.index(name)]


class KeptNote(NamedTuple):
    """A note as the last build shipped it, made from a record that has not changed. (A
    named tuple: every build makes one per kept note, and a tuple is quick to make.)"""

    key: str
    guid: str
    note_id: int
    mod: int
    notetype: str  # its key, e.g. 'point'
    deck: str


@dataclass(frozen=True)
class Kept:
    """The notes of an unchanged record, shipped again as they were, with its media."""

    origin: str
    notes: tuple[KeptNote, ...]
    media: tuple[MediaFile, ...] = ()


class _Builder:
    """Turns one cards folder into note specs; holds what every note needs."""

    def __init__(
        self,
        cards: Cards,
        occlusion_numbers: Mapping[str, Mapping[str, int]],
        kept: Mapping[str, tuple[KeptNote, ...]],
    ) -> None:
        self.cards = cards
        self.kept = kept
        self.occlusion_numbers = occlusion_numbers
        self.sources = cards.sources
        used = {file.diagram for file in cards.in_folder("points") if file.diagram}
        self.diagrams = load_diagrams(cards.root, cards.deck, used)
        deck = cards.deck
        self.points_deck = f"{deck.name}::{deck.subdecks.points}"
        self.concepts_deck = f"{deck.name}::{deck.subdecks.concepts}"
        self.conditions_deck = f"{deck.name}::{deck.subdecks.conditions}"
        self.facts_deck = f"{deck.name}::{deck.subdecks.facts}"
        self.condition_names = {
            file.note_id: str(file.summary["name"]) for file in cards.in_folder("conditions")
        }

    def notes(self) -> Iterator[NoteSpec | Kept]:
        render: dict[str, Callable[[Any], Iterator[NoteSpec]]] = {
            "points": self.point,
            "concepts": self.concept,
            "conditions": self.condition,
            "facts": self.fact,
        }
        for folder, make in render.items():
            files = self.ordered(self.cards.in_folder(folder))
            for file in files:
                yield from self.reusing(file, make)
            if folder == "points":
                yield from self.occlusions(files)

    def reusing(
        self, file: NoteFile, make: Callable[[Any], Iterator[NoteSpec]]
    ) -> Iterator[NoteSpec | Kept]:
        """The file's notes as the last build made them, if they are kept; else new ones."""
        kept = self.kept.get(file.key)
        if kept is None:
            yield from make(file.record)
        else:
            placement = file.summary.get("diagram")  # no need to validate the record for it
            media = self.point_media(file.note_id, placement)[1] if placement else ()
            yield Kept(file.key, kept, media)

    def ordered(self, files: Sequence[NoteFile]) -> list[NoteFile]:
        """Files in the deck's `order`, then the rest in file-name order (a stable sort)."""
        rank = {note_id: index for index, note_id in enumerate(self.cards.deck.order)}
        last = len(rank)
        return sorted(files, key=lambda file: rank.get(file.note_id, last))

    def cite(self, keys: Sequence[str]) -> str:
        """The card footer: short labels; the full citations are in the deck description."""
        return "Sources: " + "; ".join(plain(self.sources[key].short) for key in keys)

    def point(self, point: Point) -> Iterator[NoteSpec]:
        needling = point.needling
        parts = [f"{needling.angle}, {needling.depth}"]
        if needling.method:
            parts.append(needling.method)
        location = strip_cloze(point.location)
        placement = point.diagram.model_dump() if point.diagram else None
        (diagram_html, labelled_html), media = self.point_media(point.code, placement)
        fields = {
            "Code": plain(point.code),
            "Aliases": plain(", ".join(point.aliases)),
            "Pinyin": plain(point.pinyin),
            "Hanzi": plain(point.hanzi),
            "English": plain(point.english),
            "Channel": plain(point.channel.label),
            "Location": inline(location),
            "Diagram": diagram_html,
            "DiagramLabelled": labelled_html,
            "Needling": "; ".join(inline(part) for part in parts),
            "Cautions": bullet_list(needling.cautions),
            "Actions": bullet_list(point.actions),
            "Indications": bullet_list(point.indications),
            "Notes": bullet_list(point.notes),
            "Sources": self.cite(point.sources),
        }
        tags = _tags("point", f"channel::{point.channel.value}", *point.tags)
        origin = f"point:{point.code}"
        yield _spec(origin, "point", point.code, POINT, fields, tags, self.points_deck, media)

        text = cloze_text(point.location, point.location_cloze)
        if text is not None:
            heading = f"<b>{plain(point.code)}</b> ({plain(point.pinyin)})"
            cloze = {
                "Text": f"{heading}: {inline(text, cloze=True)}",
                "Topic": "Point location",
                "Extra": "",
                "Image": labelled_html,
                "Sources": self.cite(point.sources),
            }
            deck = self.points_deck
            yield _spec(origin, "point-cloze", point.code, CLOZE, cloze, tags, deck, media[1:])

    def point_media(
        self, code: str, placement: Mapping[str, Any] | None
    ) -> tuple[tuple[str, str], tuple[MediaFile, ...]]:
        """A point (its code and diagram placement: name, x and y) on its diagram, plain and
        labelled, as <img> tags and media files."""
        if placement is None:
            return ("", ""), ()
        diagram = self.diagrams[placement["name"]]
        x, y = placement["x"], placement["y"]
        plain_image = diagram.marked(f"{diagram.name}-{code}", x, y)
        labelled = diagram.marked(f"{diagram.name}-{code}-label", x, y, code)
        tags = (_img(plain_image, diagram.title), _img(labelled, f"{diagram.title}: {code}"))
        return tags, (plain_image, labelled)

    def occlusions(self, point_files: Sequence[NoteFile]) -> Iterator[NoteSpec]:
        """One image-occlusion note per diagram: every point on it masked, one card each,
        in the order of `point_files` (as `ordered` gives them)."""
        # Drawn from the points' summaries: an unchanged point's record is not needed.
        placed: dict[str, list[dict[str, Any]]] = {}
        for file in point_files:
            if file.diagram:
                placed.setdefault(file.diagram, []).append(file.summary)
        for name, points in placed.items():
            diagram = self.diagrams[name]
            marks = [(p["diagram"]["x"], p["diagram"]["y"], p["code"]) for p in points]
            labels = diagram.spread(marks)
            image = diagram.labelled(f"{name}-all", labels)
            numbers = self.occlusion_numbers.get(name, {})
            masks = "".join(
                _mask(numbers.get(label.text, index), diagram.label_box(label))
                for index, label in enumerate(labels, start=1)
            )
            # Names are shown verbatim, as on the point notes (and need no Markdown parser).
            names = [
                f"<strong>{plain(p['code'])}</strong> {plain(p['pinyin'])} {plain(p['hanzi'])} "
                f"({plain(p['english'])})"
                for p in points
            ]
            keys = list(dict.fromkeys(key for p in points for key in p["sources"]))
            fields = {
                "Occlusion": masks,
                "Image": _img(image, diagram.title),
                "Header": plain(f"{diagram.title}: name the masked point"),
                "Back Extra": html_list(names),
                "Comments": self.cite(keys),
            }
            tags = _tags("occlusion", f"diagram::{name}")
            # The deck is part of the id: two decks may draw on the same built-in diagram.
            note_id = f"{deck_id(self.cards)}/{name}"
            deck = self.points_deck
            yield _spec("", "occlusion", note_id, OCCLUSION, fields, tags, deck, (image,))

    def concept(self, concept: Concept) -> Iterator[NoteSpec]:
        definition = strip_cloze(concept.definition)
        fields = {
            "Term": plain(concept.term),
            "Pinyin": plain(concept.pinyin),
            "Hanzi": plain(concept.hanzi),
            "Definition": inline(definition),
            "Relevance": inline(concept.relevance) if concept.relevance else "",
            "Related": plain(", ".join(concept.related_points)),
            "Sources": self.cite(concept.sources),
        }
        tags = _tags("concept", *concept.tags)
        origin = f"concept:{concept.id}"
        yield _spec(origin, "concept", concept.id, CONCEPT, fields, tags, self.concepts_deck)
        text = cloze_text(concept.definition, concept.cloze)
        if text is not None:
            cloze = {
                "Text": f"<b>{plain(concept.term)}</b>: {inline(text, cloze=True)}",
                "Topic": "TCM concept",
                "Extra": plain(" ".join(filter(None, (concept.pinyin, concept.hanzi)))),
                "Image": "",
                "Sources": self.cite(concept.sources),
            }
            deck = self.concepts_deck
            yield _spec(origin, "concept-cloze", concept.id, CLOZE, cloze, tags, deck)

    def condition(self, condition: Condition) -> Iterator[NoteSpec]:
        names = self.condition_names
        distinguish = [f"**{names[d.condition]}**: {d.how}" for d in condition.distinguish_from]
        fields = {
            "Name": plain(condition.name),
            "Features": bullet_list(condition.key_features),
            "Cause": inline(condition.cause),
            "Workup": bullet_list(condition.workup),
            "Treatment": bullet_list(condition.treatment),
            "Distinguish": bullet_list(distinguish),
            "RedFlags": bullet_list(condition.red_flags),
            "Sources": self.cite(condition.sources),
        }
        tags = _tags("condition", *condition.tags)
        deck = self.conditions_deck
        origin = f"condition:{condition.id}"
        yield _spec(origin, "condition", condition.id, CONDITION, fields, tags, deck)
        for number, hallmark in enumerate(condition.hallmarks, start=1):
            question = {
                "Question": f"Which condition? {inline(hallmark)}",
                "Answer": plain(condition.name),
                "Topic": "Western differential",
                "Extra": "",
                "Sources": self.cite(condition.sources),
            }
            note_id = f"{condition.id}/{number}"
            yield _spec(origin, "hallmark", note_id, QA, question, tags, deck)
        for other in condition.distinguish_from:
            question = {
                "Question": (
                    f"How does <b>{plain(condition.name)}</b> differ from "
                    f"<b>{plain(names[other.condition])}</b>?"
                ),
                "Answer": inline(other.how),
                "Topic": "Western differential · comparison",
                "Extra": "",
                "Sources": self.cite(condition.sources),
            }
            pair = f"{condition.id}/{other.condition}"
            yield _spec(origin, "comparison", pair, QA, question, tags, deck)

    def fact(self, fact: Fact) -> Iterator[NoteSpec]:
        fields = {
            "Question": inline(fact.question),
            "Answer": inline(fact.answer),
            "Topic": "Clinical context",
            "Extra": inline(fact.extra) if fact.extra else "",
            "Sources": self.cite(fact.sources),
        }
        tags = _tags("fact", *fact.tags)
        yield _spec(f"fact:{fact.id}", "fact", fact.id, QA, fields, tags, self.facts_deck)


def deck_id(cards: Cards) -> str:
    """The deck's own id (see `Lock.deck_id`): as its lock has it; for a lock written
    before it was kept, as its image-occlusion notes have it; else from its name."""
    if cards.lock.deck_id is not None:
        return cards.lock.deck_id
    for key in cards.lock.notes:
        kind, _, rest = key.partition(":")
        if kind == "occlusion" and "/" in rest:
            return rest.rpartition("/")[0]
    return slug(cards.deck.name)


def occlusion_numbers(
    cards: Cards, previous: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, int]]:
    """Each diagram's cloze number per point: kept from `previous`, new points numbered
    after every number ever used, so an occlusion card always asks for the same point."""
    numbers = {name: dict(codes) for name, codes in previous.items()}
    for file in cards.in_folder("points"):
        if file.diagram:
            codes = numbers.setdefault(file.diagram, {})
            if file.note_id not in codes:
                codes[file.note_id] = max(codes.values(), default=0) + 1
    return numbers


def build_notes(
    cards: Cards,
    *,
    occlusion: Mapping[str, Mapping[str, int]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[NoteSpec]:
    """All notes of the cards folder, in authored order.

    `occlusion` gives each point's cloze number on its diagram's occlusion note (from the
    lock); without it, points are numbered in order. `progress(done, total)` is told how
    many records have been turned into notes.
    """
    notes = notes_reusing(cards, {}, occlusion=occlusion, progress=progress)
    return [note for note in notes if isinstance(note, NoteSpec)]


def notes_reusing(
    cards: Cards,
    kept: Mapping[str, tuple[KeptNote, ...]],
    *,
    occlusion: Mapping[str, Mapping[str, int]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[NoteSpec | Kept]:
    """`build_notes`, but a record whose key is in `kept` gives those notes, unmade."""
    builder = _Builder(cards, occlusion or occlusion_numbers(cards, {}), kept)
    total = len(cards.files)
    notes: list[NoteSpec | Kept] = []
    done, last = 0, ""
    for note in builder.notes():
        notes.append(note)
        if progress is not None and note.origin and note.origin != last:
            last, done = note.origin, done + 1
            progress(done, total)
    return notes


def _img(media: MediaFile, alt: str) -> str:
    return f'<img src="{attribute(media.name)}" alt="{attribute(alt)}">'


def _mask(number: int, box: tuple[float, float, float, float]) -> str:
    left, top, width, height = box
    return (
        f"{{{{c{number}::image-occlusion:rect:left={left:.4f}:top={top:.4f}"
        f":width={width:.4f}:height={height:.4f}:oi=1}}}}"
    )


def _tags(kind: str, *tags: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((f"deckgen::{kind}", *tags)))


def _spec(
    origin: str,
    kind: str,
    note_id: str,
    notetype: NoteType,
    fields: dict[str, str],
    tags: tuple[str, ...],
    deck: str,
    media: tuple[MediaFile, ...] = (),
) -> NoteSpec:
    if set(notetype.fields) != set(fields):  # a programming error, not a user one
        raise ValueError(f"{notetype.name}: fields do not match: {sorted(fields)}")
    ordered = tuple(fields[name] for name in notetype.fields)
    return NoteSpec(kind, note_id, notetype, ordered, tags, deck, media, origin)
