"""The point kind: an acupuncture point, `points/<CODE>.yaml`.

A point gives a note with four cards (location, diagram, actions, needling), a location
cloze when `location_cloze` is given, and, with the other points on its diagram, one
image-occlusion note per diagram: every point on it masked, one card each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

from pydantic import Field

from deckgen.kinds.checks import cloze_phrases, place, plain_items, repeated, unknown
from deckgen.kinds.cloze import cloze_text, strip_cloze
from deckgen.kinds.drawing import MediaFile
from deckgen.kinds.fields import (
    CODE_PATTERN,
    Cited,
    Code,
    Entry,
    Fraction,
    Slug,
    SourceKey,
    Strict,
    Tag,
    Text,
    all_sources,
)
from deckgen.kinds.html import inline, plain
from deckgen.kinds.kind import FileContext, Index, Kind, NoteContext, Summary, Tally
from deckgen.kinds.lists import MAX_FACTS, list_cloze, list_sources
from deckgen.kinds.notetypes import CLOZE, QA, NoteType, Template
from deckgen.kinds.occlusion import OCCLUSION, img_tag, occlusion_notes
from deckgen.kinds.spec import NoteSpec, note_spec, note_tags
from deckgen.kinds.values import field_of, text_of, texts
from deckgen.source.errors import Findings
from deckgen.source.yamldoc import Document, KeyPath


class Channel(str, Enum):
    """The channel a point belongs to (`extra` for points outside the twelve and GV/CV)."""

    lung = "lung"
    large_intestine = "large-intestine"
    stomach = "stomach"
    spleen = "spleen"
    heart = "heart"
    small_intestine = "small-intestine"
    bladder = "bladder"
    kidney = "kidney"
    pericardium = "pericardium"
    triple_energizer = "triple-energizer"
    gallbladder = "gallbladder"
    liver = "liver"
    governor = "governor-vessel"
    conception = "conception-vessel"
    extra = "extra"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


class Needling(Strict):
    depth: Text = Field(description="Typical depth, e.g. '0.3-0.5 cun'.")
    angle: Text = Field(description="Perpendicular, oblique, transverse; and direction.")
    method: Text | None = Field(None, description="Extra technique, e.g. 'pinch the skin'.")
    cautions: list[Entry] = Field(default_factory=list, description="Safety cautions.")
    sources: list[SourceKey] = Field(
        default_factory=list,
        description="Keys from sources.yaml for the angle, depth and method (else the point's).",
    )


class DiagramPlacement(Strict):
    name: Slug = Field(description="Which diagram, e.g. 'face-front'.")
    x: Fraction = Field(description="Horizontal position, 0 = left edge, 1 = right edge.")
    y: Fraction = Field(description="Vertical position, 0 = top edge, 1 = bottom edge.")


class Point(Strict):
    """An acupuncture point; `points/<CODE>.yaml`."""

    code: Code = Field(description="WHO code (the note's id), e.g. 'ST2' or 'EX-HN4'.")
    aliases: list[Code] = Field(default_factory=list, description="Other codes, e.g. 'SJ17'.")
    aliases_sources: list[SourceKey] = Field(
        default_factory=list, description="Keys from sources.yaml for the other codes."
    )
    pinyin: Text
    hanzi: Text
    english: Text = Field(description="English name, e.g. 'Four Whites'.")
    channel: Channel
    location: Text = Field(description="Standard location in your own words.")
    location_sources: list[SourceKey] = Field(
        default_factory=list, description="Keys from sources.yaml for the location."
    )
    location_cloze: list[Text] = Field(
        default_factory=list,
        description="Phrases of `location` to hide on a location cloze card, one card each.",
    )
    needling: Needling
    actions: list[Entry] = Field(default_factory=list, description="TCM actions.")
    indications: list[Entry] = Field(min_length=1, description="What it is used for.")
    notes: list[Entry] = Field(
        default_factory=list,
        description="Further facts, and claims marked 'claimed by <source>' beside the correction.",
    )
    diagram: DiagramPlacement | None = None
    tags: list[Tag] = Field(default_factory=list)
    sources: list[SourceKey] = Field(min_length=1, description="Keys from sources.yaml.")


@dataclass(frozen=True, slots=True)
class PointSummary(Summary):
    """A point's code and aliases, and, for a point on a diagram, its place there and the
    names its diagram's occlusion note shows."""

    aliases: tuple[str, ...] = ()
    #: (diagram name, x, y), or None when the point is on no diagram.
    diagram: tuple[str, float, float] | None = None
    pinyin: str = ""
    hanzi: str = ""
    english: str = ""


POINT = NoteType(
    key="point",
    name="deckgen Point",
    fields=(
        "Code",
        "Aliases",
        "Pinyin",
        "Hanzi",
        "English",
        "Channel",
        "Location",
        "Diagram",
        "DiagramLabelled",
        "Needling",
        "Cautions",
        "Actions",
        "Indications",
        "Notes",
        "Sources",
    ),
    templates=(
        Template("Code → Location", "point-location.front.html", "point-location.back.html"),
        Template("Diagram → Point", "point-diagram.front.html", "point-diagram.back.html"),
        Template("Point → Actions", "point-actions.front.html", "point-actions.back.html"),
        Template("Point → Needling", "point-needling.front.html", "point-needling.back.html"),
    ),
)
_SKELETON = """\
# yaml-language-server: $schema=../../schemas/point.schema.json
code: {id}
aliases: []            # other codes, e.g. [SJ17, TW17]
aliases_sources: []    # sources of the other codes (else the point's sources)
pinyin: ""             # with tone marks, e.g. Xiàguān
hanzi: ""              # simplified characters
english: ""            # English name
channel: ""            # lung, large-intestine, stomach, ..., governor-vessel, extra
location: ""           # the standard location, in your own words
location_sources: []   # sources of the location (else the point's sources)
location_cloze: []     # phrases of `location` to hide on a cloze card, copied exactly
needling:
  angle: ""            # perpendicular, oblique, transverse; direction
  depth: ""            # e.g. 0.5–1 cun
  method: null         # optional technique
  cautions: []         # safety cautions
  sources: []          # sources of the angle, depth and method (else the point's)
actions: []            # TCM actions; an item with its own sources: {{text: ..., sources: [...]}}
indications: []        # what it is used for (at least one)
notes: []              # further facts; claims as "claimed by <source>" with the correction
diagram: null          # e.g. {{name: face-profile, x: 0.52, y: 0.48}}
tags: []               # e.g. [region::face, topic::facial-palsy]
sources: []            # keys from sources.yaml (at least one)
"""


class PointKind(Kind[Point, PointSummary]):
    name = "point"
    folder = "points"
    model = Point
    summary_type = PointSummary
    id_key = "code"
    id_pattern = CODE_PATTERN
    id_example = "ST7"
    id_words = "a point code"
    subdeck = "Points"
    subdeck_help = "Subdeck for point notes."
    schema_help = "points/<CODE>.yaml: one acupuncture point."
    note_types = (POINT, CLOZE, OCCLUSION, QA)
    labels: ClassVar[Mapping[str, str]] = {
        "point": "Point cards",
        "point-cloze": "Point locations (cloze)",
        "occlusion": "Diagrams (image occlusion)",
        "point-alias": "Other codes",
        "point-list": "Point lists (one item per card)",
    }
    cloze_keys = ("location",)
    skeleton = _SKELETON

    def summarise(self, record: Point) -> PointSummary:
        placed = record.diagram
        if placed is None:
            return PointSummary(record.code, all_sources(record), tuple(record.aliases))
        return PointSummary(
            record.code,
            all_sources(record),
            tuple(record.aliases),
            (placed.name, placed.x, placed.y),
            record.pinyin,
            record.hanzi,
            record.english,
        )

    def check_file(self, doc: Document, context: FileContext, findings: Findings) -> None:
        cloze_phrases(doc, "location", "location_cloze", findings)
        repeated(doc, "aliases", findings)
        own = text_of(field_of(doc, "code"))
        for i, alias in texts(doc, "aliases"):
            if alias == own:
                findings.error(doc.problem(("aliases", i), f"aliases[{i}]: '{alias}' is the code"))
        diagram = field_of(doc, "diagram")
        name = text_of(diagram.get("name")) if isinstance(diagram, dict) else None
        if name and name not in context.diagram_names:
            message = unknown("diagram", name, context.diagram_names)
            message += "; use a built-in diagram or add it under 'diagrams:' in deck.yaml"
            findings.error(doc.problem(("diagram", "name"), f"diagram.name: {message}"))

    def uncited(self, record: Point) -> Iterator[tuple[KeyPath, int, str]]:
        count = len(set(record.sources))
        if count > 1:
            parts = [("location", record.location_sources, "location_sources")]
            parts += [("needling", record.needling.sources, "needling.sources")]
            if record.aliases:
                parts.append(("aliases", record.aliases_sources, "aliases_sources"))
            for key, own, how in parts:
                if not own:
                    yield (key,), count, how
            for key in ("actions", "indications", "notes"):
                yield from plain_items((key,), getattr(record, key), record.sources)
        needled = record.needling.sources or record.sources
        yield from plain_items(("needling", "cautions"), record.needling.cautions, needled)

    def stats(self, records: Sequence[Point]) -> Iterator[Tally]:
        channels = Counter(point.channel.label for point in records)
        yield Tally("Channels (points)", dict(sorted(channels.items())))
        missing = tuple(point.code for point in records if point.diagram is None)
        yield Tally("Points without a diagram", names=missing)

    def names(self, summary: PointSummary) -> Iterator[str]:
        yield summary.note_id
        yield from summary.aliases

    def check_across(
        self, entries: Sequence[tuple[Document, PointSummary]], index: Index, findings: Findings
    ) -> None:
        """An alias that is another point's code."""
        codes = {s.note_id: doc for doc, s in reversed(entries) if s.note_id}
        for doc, summary in entries:
            for i, alias in enumerate(summary.aliases):
                if alias and alias != summary.note_id and alias in codes:
                    where = place(codes[alias], ("code",))
                    message = f"aliases[{i}]: '{alias}' is the code of another point ({where})"
                    findings.error(doc.problem(("aliases", i), message))

    def notes(
        self, record: Point, reads: Mapping[str, str], context: NoteContext
    ) -> Iterator[NoteSpec]:
        needling = record.needling
        parts = [f"{needling.angle}, {needling.depth}"]
        if needling.method:
            parts.append(needling.method)
        placed = record.diagram  # not `summarise`: every source cited is not needed here
        at = (placed.name, placed.x, placed.y) if placed is not None else None
        (diagram_html, labelled_html), media = _on_diagram(record.code, at, context)
        # Actions and indications share a card, cautions go with the needling: a card of
        # more than three facts is asked one item per card instead.
        # Each card names the sources of its own facts, at the end of its last field; a
        # plain item rests on its part's sources, or else on the point's.
        location = record.location_sources or record.sources
        located = inline(strip_cloze(record.location)) + context.footer(location)
        needled = needling.sources or record.sources
        # (what, its items, the notes shown beside them, their sources when plain)
        lists: list[tuple[str, Sequence[str | Cited], Sequence[str | Cited], Sequence[str]]] = []
        told = [record.actions, record.indications, record.notes]
        if len(record.actions) + len(record.indications) > MAX_FACTS:
            lists += [
                ("actions", record.actions, (), record.sources),
                ("indications", record.indications, record.notes, record.sources),
            ]
            told = []
        cautions = needling.cautions
        if len(cautions) > MAX_FACTS:
            lists.append(("cautions", cautions, (), needled))
            cautions = []
        needles = (*needled, *list_sources(cautions, needled))
        told_by = list_sources([entry for entries in told for entry in entries], record.sources)
        actions, indications, notes = (context.entries(entries) for entries in told or [[]] * 3)
        if notes:
            notes += context.footer(told_by)
        elif indications:
            indications += context.footer(told_by)
        fields = {
            "Code": plain(record.code),
            "Aliases": plain(", ".join(record.aliases)),
            "Pinyin": plain(record.pinyin),
            "Hanzi": plain(record.hanzi),
            "English": plain(record.english),
            "Channel": plain(record.channel.label),
            "Location": located,
            "Diagram": diagram_html,
            "DiagramLabelled": labelled_html,
            "Needling": "; ".join(inline(part) for part in parts),
            "Cautions": context.entries(cautions),
            "Actions": actions,
            "Indications": indications,
            "Notes": notes,
            "Sources": "",
        }
        footer = context.footer(tuple(dict.fromkeys(needles)))
        fields["Cautions" if cautions else "Needling"] += footer
        tags = note_tags("point", f"channel::{record.channel.value}", *record.tags)
        origin, deck = f"point:{record.code}", context.deck_of(self)
        yield note_spec(origin, "point", record.code, POINT, fields, tags, deck, media)
        heading = f"<b>{plain(record.code)}</b> ({plain(record.pinyin)})"
        for what, items, beside, base in lists:
            if not items:
                continue
            cloze = {
                "Text": list_cloze(f"{heading}: {what}", items, context),
                "Topic": f"Point {what}",
                "Extra": context.entries(beside) if beside else "",
                "Image": "",
                "Sources": context.cite(list_sources([*items, *beside], base)),
            }
            note_id = f"{record.code}/{what}"
            yield note_spec(origin, "point-list", note_id, CLOZE, cloze, tags, deck)

        text = cloze_text(record.location, record.location_cloze)
        if text is not None:
            heading = f"<b>{plain(record.code)}</b> ({plain(record.pinyin)})"
            cloze = {
                "Text": f"{heading}: {inline(text, cloze=True)}",
                "Topic": "Point location",
                "Extra": "",
                "Image": labelled_html,
                "Sources": context.cite(location),
            }
            yield note_spec(origin, "point-cloze", record.code, CLOZE, cloze, tags, deck, media[1:])

        if record.aliases:  # other systems' codes, as the seeds and older books write them
            codes = " / ".join(plain(alias) for alias in record.aliases)
            alias = {
                "Question": f"Which point is also coded <b>{codes}</b>?",
                "Answer": f"<b>{plain(record.code)}</b> {plain(record.pinyin)} "
                f"{plain(record.hanzi)} ({plain(record.english)})",
                "Topic": "Point codes",
                "Extra": plain(record.channel.label) + " channel",
                "Sources": context.cite(record.aliases_sources or record.sources),
            }
            yield note_spec(origin, "point-alias", record.code, QA, alias, tags, deck)

    def media(self, summary: PointSummary, context: NoteContext) -> tuple[MediaFile, ...]:
        return _on_diagram(summary.note_id, summary.diagram, context)[1]

    def diagram_of(self, summary: PointSummary) -> str | None:
        return summary.diagram[0] if summary.diagram else None

    def combined_notes(
        self, summaries: Sequence[PointSummary], context: NoteContext
    ) -> Iterator[NoteSpec]:
        """One image-occlusion note per diagram (see `deckgen.kinds.occlusion`)."""
        yield from occlusion_notes(summaries, context, context.deck_of(self))


def _on_diagram(
    code: str, placed: tuple[str, float, float] | None, context: NoteContext
) -> tuple[tuple[str, str], tuple[MediaFile, ...]]:
    """A point on its diagram (name, x, y), plain and labelled, as <img> tags and media
    files."""
    if placed is None:
        return ("", ""), ()
    name, x, y = placed
    diagram = context.diagram(name)
    plain_image = diagram.marked(f"{diagram.name}-{code}", x, y)
    labelled = diagram.marked(f"{diagram.name}-{code}-label", x, y, code)
    tags = (img_tag(plain_image, diagram.title), img_tag(labelled, f"{diagram.title}: {code}"))
    return tags, (plain_image, labelled)
