"""The herb kind: a Chinese herb, `herbs/<id>.yaml`. Not part of deckgen: a kind written
the way a plugin would write one, in a module of its own with its own templates, to show
that a kind is added by registering it (`deckgen.kinds.registry`) and touching nothing else.

A herb gives one note: a card from the herb to its actions, and a card from its pinyin to
the herb when the pinyin is given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from deckgen.kinds.checks import repeated
from deckgen.kinds.fields import SLUG_PATTERN, Code, Slug, SourceKey, Strict, Tag, Text
from deckgen.kinds.html import bullet_list, plain
from deckgen.kinds.kind import FileContext, Kind, NoteContext, Reference, Summary, Tally
from deckgen.kinds.notetypes import NoteType, Template
from deckgen.kinds.spec import NoteSpec, note_spec, note_tags
from deckgen.kinds.values import text_items, text_of
from deckgen.source.errors import Findings
from deckgen.source.yamldoc import Document

TEMPLATES = Path(__file__).resolve().parent / "templates"


class Herb(Strict):
    """A Chinese herb; `herbs/<id>.yaml`."""

    id: Slug
    name: Text = Field(description="The herb's English name, e.g. 'Liquorice root'.")
    pinyin: Text | None = Field(None, description="With tone marks; gives a second card.")
    actions: list[Text] = Field(min_length=1, description="TCM actions.")
    related_points: list[Code] = Field(default_factory=list, description="Point codes.")
    tags: list[Tag] = Field(default_factory=list)
    sources: list[SourceKey] = Field(min_length=1, description="Keys from sources.yaml.")


@dataclass(frozen=True, slots=True)
class HerbSummary(Summary):
    """What checks across files read of a herb: the points it names."""

    related_points: tuple[str, ...] = ()


HERB = NoteType(
    key="herb",
    name="deckgen Herb",
    fields=("Name", "Pinyin", "Actions", "Related", "Sources"),
    templates=(
        Template("Herb → Actions", "herb-actions.front.html", "herb-actions.back.html"),
        Template("Pinyin → Herb", "herb-pinyin.front.html", "herb-pinyin.back.html"),
    ),
    css="herb.css",
    folder=TEMPLATES,
)

_SKELETON = """\
# yaml-language-server: $schema=../../schemas/herb.schema.json
id: {id}
name: ""               # the herb's English name
pinyin: null           # with tone marks; gives a second card
actions: []            # TCM actions (at least one)
related_points: []     # point codes, checked to exist
tags: []
sources: []            # keys from sources.yaml (at least one)
"""


class HerbKind(Kind[Herb, HerbSummary]):
    name = "herb"
    folder = "herbs"
    model = Herb
    summary_type = HerbSummary
    id_pattern = SLUG_PATTERN
    id_example = "gan-cao"
    subdeck = "Herbs"
    subdeck_help = "Subdeck for herb notes."
    schema_help = "herbs/<id>.yaml: one Chinese herb."
    note_types = (HERB,)
    labels: ClassVar[Mapping[str, str]] = {"herb": "Herb cards"}
    skeleton = _SKELETON

    def summarise(self, record: Herb) -> HerbSummary:
        return HerbSummary(record.id, tuple(record.sources), tuple(record.related_points))

    def summary_of_data(self, data: Mapping[str, Any]) -> HerbSummary:
        return HerbSummary(
            text_of(data.get("id")) or "",
            text_items(data.get("sources")),
            text_items(data.get("related_points")),
        )

    def check_file(self, doc: Document, context: FileContext, findings: Findings) -> None:
        """An action or a point listed twice."""
        repeated(doc, "actions", findings)
        repeated(doc, "related_points", findings)

    def references(self, summary: HerbSummary) -> Iterator[Reference]:
        for i, code in enumerate(summary.related_points):
            if code:
                yield Reference(("related_points", i), "point", code)

    def notes(
        self, record: Herb, reads: Mapping[str, str], context: NoteContext
    ) -> Iterator[NoteSpec]:
        fields = {
            "Name": plain(record.name),
            "Pinyin": plain(record.pinyin),
            "Actions": bullet_list(record.actions),
            "Related": plain(", ".join(record.related_points)),
            "Sources": context.cite(record.sources),
        }
        tags = note_tags("herb", *record.tags)
        deck = context.deck_of(self)
        yield note_spec(f"herb:{record.id}", "herb", record.id, HERB, fields, tags, deck)

    def stats(self, records: Sequence[Herb]) -> Iterator[Tally]:
        yield Tally("Herbs without pinyin", names=tuple(h.id for h in records if not h.pinyin))
