"""The fact kind: a clinical-context fact (evidence, safety, claims), `facts/<id>.yaml`.
One question, one answer, one card."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import ClassVar

from pydantic import Field

from deckgen.kinds.fields import SLUG_PATTERN, Slug, SourceKey, Strict, Tag, Text, all_sources
from deckgen.kinds.html import inline
from deckgen.kinds.kind import Kind, NoteContext, Summary
from deckgen.kinds.notetypes import QA
from deckgen.kinds.spec import NoteSpec, note_spec, note_tags
from deckgen.source.yamldoc import KeyPath


class Fact(Strict):
    """A clinical-context fact (evidence, safety, claims); `facts/<id>.yaml`."""

    id: Slug
    question: Text = Field(description="The prompt; one fact per card.")
    answer: Text = Field(description="A short answer, not a paragraph.")
    extra: Text | None = Field(None, description="Context shown after the answer.")
    tags: list[Tag] = Field(default_factory=list)
    sources: list[SourceKey] = Field(min_length=1, description="Keys from sources.yaml.")


@dataclass(frozen=True, slots=True)
class FactSummary(Summary):
    pass


_SKELETON = """\
# yaml-language-server: $schema=../../schemas/fact.schema.json
id: {id}
question: ""           # one fact per card
answer: ""             # a phrase or one sentence, not a paragraph
extra: null            # context shown after the answer
tags: []
sources: []            # keys from sources.yaml (at least one)
"""


class FactKind(Kind[Fact, FactSummary]):
    name = "fact"
    folder = "facts"
    model = Fact
    summary_type = FactSummary
    id_pattern = SLUG_PATTERN
    id_example = "imaging-first"
    subdeck = "Clinical Context"
    subdeck_help = "Subdeck for clinical-context facts."
    schema_help = "facts/<id>.yaml: one clinical-context fact."
    note_types = (QA,)
    labels: ClassVar[Mapping[str, str]] = {"fact": "Facts"}
    skeleton = _SKELETON

    def summarise(self, record: Fact) -> FactSummary:
        return FactSummary(record.id, all_sources(record))

    def fronts(self, record: Fact) -> Iterator[tuple[KeyPath, str, str, bool]]:
        yield ("question",), record.question, record.answer, False

    def notes(
        self, record: Fact, reads: Mapping[str, str], context: NoteContext
    ) -> Iterator[NoteSpec]:
        fields = {
            "Question": inline(record.question),
            "Answer": inline(record.answer),
            "Topic": "Clinical context",
            "Extra": inline(record.extra) if record.extra else "",
            "Sources": context.cite(record.sources),
        }
        tags = note_tags("fact", *record.tags)
        deck = context.deck_of(self)
        yield note_spec(f"fact:{record.id}", "fact", record.id, QA, fields, tags, deck)
