"""The concept kind: a TCM concept, `concepts/<id>.yaml`.

A concept gives a note with two cards (term to definition and back), and a definition
cloze when `cloze` is given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import ClassVar

from pydantic import Field

from deckgen.kinds.checks import cloze_phrases, repeated
from deckgen.kinds.cloze import cloze_text, strip_cloze
from deckgen.kinds.fields import SLUG_PATTERN, Code, Slug, SourceKey, Strict, Tag, Text, all_sources
from deckgen.kinds.html import inline, plain
from deckgen.kinds.kind import FileContext, Kind, NoteContext, Reference, Summary
from deckgen.kinds.notetypes import CLOZE, NoteType, Template
from deckgen.kinds.spec import NoteSpec, note_spec, note_tags
from deckgen.source.errors import Findings
from deckgen.source.yamldoc import Document, KeyPath


class Concept(Strict):
    """A TCM concept; `concepts/<id>.yaml`."""

    id: Slug
    term: Text
    pinyin: Text | None = None
    hanzi: Text | None = None
    definition: Text
    cloze: list[Text] = Field(
        default_factory=list,
        description="Key phrases of `definition` to hide on a cloze card, one card each.",
    )
    relevance: Text | None = Field(None, description="Why it matters clinically.")
    related_points: list[Code] = Field(default_factory=list, description="Point codes.")
    tags: list[Tag] = Field(default_factory=list)
    sources: list[SourceKey] = Field(min_length=1, description="Keys from sources.yaml.")


@dataclass(frozen=True, slots=True)
class ConceptSummary(Summary):
    related_points: tuple[str, ...] = ()


CONCEPT = NoteType(
    key="concept",
    name="deckgen Concept",
    fields=("Term", "Pinyin", "Hanzi", "Definition", "Relevance", "Related", "Sources"),
    templates=(
        Template("Term → Definition", "concept-term.front.html", "concept-term.back.html"),
        Template("Definition → Term", "concept-def.front.html", "concept-def.back.html"),
    ),
)

_SKELETON = """\
# yaml-language-server: $schema=../../schemas/concept.schema.json
id: {id}
term: ""               # the concept's English name
pinyin: null           # with tone marks
hanzi: null            # simplified characters
definition: ""         # one or two sentences
cloze: []              # key phrases of `definition` to hide, copied exactly
relevance: null        # why it matters clinically
related_points: []     # point codes, checked to exist
tags: []
sources: []            # keys from sources.yaml (at least one)
"""


class ConceptKind(Kind[Concept, ConceptSummary]):
    name = "concept"
    folder = "concepts"
    model = Concept
    summary_type = ConceptSummary
    id_pattern = SLUG_PATTERN
    id_example = "liver-wind"
    subdeck = "TCM Concepts"
    subdeck_help = "Subdeck for TCM concept notes."
    schema_help = "concepts/<id>.yaml: one TCM concept."
    note_types = (CONCEPT, CLOZE)
    labels: ClassVar[Mapping[str, str]] = {
        "concept": "Concept cards",
        "concept-cloze": "Concept definitions (cloze)",
    }
    cloze_keys = ("definition",)
    skeleton = _SKELETON

    def summarise(self, record: Concept) -> ConceptSummary:
        return ConceptSummary(record.id, all_sources(record), tuple(record.related_points))

    def check_file(self, doc: Document, context: FileContext, findings: Findings) -> None:
        cloze_phrases(doc, "definition", "cloze", findings)
        repeated(doc, "related_points", findings)

    def fronts(self, record: Concept) -> Iterator[tuple[KeyPath, str, str, bool]]:
        yield ("definition",), strip_cloze(record.definition), record.term, True

    def references(self, summary: ConceptSummary) -> Iterator[Reference]:
        for i, code in enumerate(summary.related_points):
            if code:
                yield Reference(("related_points", i), "point", code)

    def notes(
        self, record: Concept, reads: Mapping[str, str], context: NoteContext
    ) -> Iterator[NoteSpec]:
        fields = {
            "Term": plain(record.term),
            "Pinyin": plain(record.pinyin),
            "Hanzi": plain(record.hanzi),
            "Definition": inline(strip_cloze(record.definition)),
            "Relevance": inline(record.relevance) if record.relevance else "",
            "Related": plain(", ".join(record.related_points)),
            "Sources": context.cite(record.sources),
        }
        tags = note_tags("concept", *record.tags)
        origin, deck = f"concept:{record.id}", context.deck_of(self)
        yield note_spec(origin, "concept", record.id, CONCEPT, fields, tags, deck)
        text = cloze_text(record.definition, record.cloze)
        if text is not None:
            cloze = {
                "Text": f"<b>{plain(record.term)}</b>: {inline(text, cloze=True)}",
                "Topic": "TCM concept",
                "Extra": plain(" ".join(filter(None, (record.pinyin, record.hanzi)))),
                "Image": "",
                "Sources": context.cite(record.sources),
            }
            yield note_spec(origin, "concept-cloze", record.id, CLOZE, cloze, tags, deck)
