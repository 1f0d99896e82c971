"""The condition kind: a condition in the Western differential, `conditions/<id>.yaml`.

A condition gives a note with up to five cards (features, cause, workup, treatment, red
flags), a "which condition?" question per hallmark, and a comparison question per
condition it is distinguished from. The comparisons show the other condition's name: the
one thing a condition's notes read of another file (see `ConditionKind.reads`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from pydantic import Field

from deckgen.kinds.checks import listed_twice, plain_items
from deckgen.kinds.fields import (
    SLUG_PATTERN,
    Entry,
    Slug,
    SourceKey,
    Strict,
    Tag,
    Text,
    all_sources,
    entry_sources,
    entry_text,
)
from deckgen.kinds.html import bullet_list, inline, literal, plain
from deckgen.kinds.kind import FileContext, Index, Kind, NoteContext, Reference, Summary
from deckgen.kinds.lists import MAX_FACTS, list_cloze, list_sources
from deckgen.kinds.notetypes import CLOZE, QA, NoteType, Template
from deckgen.kinds.spec import NoteSpec, note_spec, note_tags
from deckgen.kinds.values import field_of, text_items, text_of
from deckgen.source.errors import Findings
from deckgen.source.messages import dotted
from deckgen.source.yamldoc import Document, KeyPath


class Difference(Strict):
    condition: Slug = Field(description="Id of the other condition.")
    how: Text = Field(description="How this condition differs from it.")
    ask: Text | None = Field(
        None,
        description="A feature this condition has and the other lacks, asked as "
        "'Which <ask>: <one> or <the other>?' (e.g. 'persists during sleep'); without it "
        "the card asks how the two differ.",
    )
    sources: list[SourceKey] = Field(
        default_factory=list, description="Keys from sources.yaml for this comparison alone."
    )


class Condition(Strict):
    """A condition in the Western differential; `conditions/<id>.yaml`."""

    id: Slug
    name: Text
    key_features: list[Entry] = Field(min_length=1)
    hallmarks: list[Entry] = Field(
        default_factory=list,
        description="Features that point to this condition and to no other in the deck; "
        "each becomes a 'which condition?' card.",
    )
    cause: Text
    cause_sources: list[SourceKey] = Field(
        default_factory=list, description="Keys from sources.yaml for the cause."
    )
    workup: list[Entry] = Field(default_factory=list)
    treatment: list[Entry] = Field(default_factory=list)
    distinguish_from: list[Difference] = Field(default_factory=list)
    red_flags: list[Entry] = Field(default_factory=list)
    tags: list[Tag] = Field(default_factory=list)
    sources: list[SourceKey] = Field(min_length=1, description="Keys from sources.yaml.")


@dataclass(frozen=True, slots=True)
class ConditionSummary(Summary):
    name: str = ""
    #: The ids of the conditions it is distinguished from ("" where not text).
    distinguish_from: tuple[str, ...] = ()


CONDITION = NoteType(
    key="condition",
    name="deckgen Condition",
    fields=(
        "Name",
        "Features",
        "Cause",
        "Workup",
        "Treatment",
        "Distinguish",
        "RedFlags",
        "Sources",
    ),
    templates=(
        Template(
            "Condition → Features", "condition-features.front.html", "condition-features.back.html"
        ),
        Template("Condition → Cause", "condition-cause.front.html", "condition-cause.back.html"),
        Template("Condition → Workup", "condition-workup.front.html", "condition-workup.back.html"),
        Template(
            "Condition → Treatment",
            "condition-treatment.front.html",
            "condition-treatment.back.html",
        ),
        Template(
            "Condition → Red flags", "condition-redflags.front.html", "condition-redflags.back.html"
        ),
    ),
)

_SKELETON = """\
# yaml-language-server: $schema=../../schemas/condition.schema.json
id: {id}
name: ""               # the condition's name
key_features: []       # at least one; an item with its own sources: {{text: ..., sources: [...]}}
hallmarks: []          # features that point to this condition and no other in the deck
cause: ""
cause_sources: []      # sources of the cause (else the condition's sources)
workup: []
treatment: []
distinguish_from: []   # e.g. [{{condition: blepharospasm, how: "One-sided; persists in sleep."}}]
red_flags: []          # findings that call for imaging or referral
tags: []
sources: []            # keys from sources.yaml (at least one)
"""


class ConditionKind(Kind[Condition, ConditionSummary]):
    name = "condition"
    folder = "conditions"
    model = Condition
    summary_type = ConditionSummary
    id_pattern = SLUG_PATTERN
    id_example = "tics"
    subdeck = "Western Differential"
    subdeck_help = "Subdeck for condition notes."
    schema_help = "conditions/<id>.yaml: one condition in the Western differential."
    note_types = (CONDITION, QA, CLOZE)
    labels: ClassVar[Mapping[str, str]] = {
        "condition": "Condition cards",
        "hallmark": "Which condition?",
        "comparison": "Comparisons",
        "condition-list": "Condition lists (one item per card)",
    }
    skeleton = _SKELETON

    def summarise(self, record: Condition) -> ConditionSummary:
        return ConditionSummary(
            record.id,
            all_sources(record),
            record.name,
            tuple(d.condition for d in record.distinguish_from),
        )

    def summary_of_data(self, data: Mapping[str, Any]) -> ConditionSummary:
        items = data.get("distinguish_from")
        compared = tuple(
            (text_of(item.get("condition")) or "") if isinstance(item, dict) else ""
            for item in (items if isinstance(items, list) else [])
        )
        return ConditionSummary(
            text_of(data.get("id")) or "",
            text_items(data.get("sources")),
            text_of(data.get("name")) or "",
            compared,
        )

    def check_file(self, doc: Document, context: FileContext, findings: Findings) -> None:
        """A condition compared with itself, or with another twice."""
        own = text_of(field_of(doc, "id"))
        first: dict[str, KeyPath] = {}
        for path, other in _compared(self.summary_of_data(_mapping(doc.data))):
            if other == own:
                message = f"{dotted(path)}: '{other}' is this condition itself"
                findings.error(doc.problem(path, message))
            elif other in first:
                findings.error(doc.problem(path, listed_twice(doc, path, first[other], other)))
            first.setdefault(other, path)

    def fronts(self, record: Condition) -> Iterator[tuple[KeyPath, str, str, bool]]:
        for i, hallmark in enumerate(record.hallmarks):  # "Which condition? <hallmark>"
            path: KeyPath = (
                ("hallmarks", i) if isinstance(hallmark, str) else ("hallmarks", i, "text")
            )
            yield path, entry_text(hallmark), record.name, False

    def uncited(self, record: Condition) -> Iterator[tuple[KeyPath, int, str]]:
        count = len(set(record.sources))
        if count > 1 and not record.cause_sources:
            yield ("cause",), count, "cause_sources"
        for key in ("key_features", "hallmarks", "workup", "treatment", "red_flags"):
            yield from plain_items((key,), getattr(record, key), record.sources)
        for i, other in enumerate(record.distinguish_from):
            if count > 1 and not other.sources:
                yield ("distinguish_from", i), count, "sources"

    def check_across(
        self,
        entries: Sequence[tuple[Document, ConditionSummary]],
        index: Index,
        findings: Findings,
    ) -> None:
        """Two conditions compared both ways: the same difference asked twice, mirrored."""
        compared = {(s.note_id, other) for _, s in entries for other in s.distinguish_from}
        for doc, summary in entries:
            for path, other in _compared(summary):
                if (other, summary.note_id) in compared and summary.note_id > other:
                    message = (
                        f"{dotted(path)}: '{other}' is also compared with '{summary.note_id}'; "
                        "ask each difference once, from one side"
                    )
                    findings.warn(doc.problem(path, message))

    def references(self, summary: ConditionSummary) -> Iterator[Reference]:
        for path, other in _compared(summary):
            yield Reference(path, "condition", other)

    def reads(self, summary: ConditionSummary, index: Index) -> Mapping[str, str]:
        """The names of the conditions it is compared with: its comparisons show them."""
        conditions = index.by_id(self.name)
        return {
            other: cast(ConditionSummary, conditions[other]).name
            for other in summary.distinguish_from
            if other in conditions
        }

    def notes(
        self, record: Condition, reads: Mapping[str, str], context: NoteContext
    ) -> Iterator[NoteSpec]:
        names = reads  # the other conditions' names, shown as written
        distinguish = [
            f"**{literal(names[d.condition])}**: {d.how}" for d in record.distinguish_from
        ]
        lists = {  # field: (what the list is, its items, its key in note ids)
            "Features": ("key features", record.key_features, "key-features"),
            "Workup": ("workup", record.workup, "workup"),
            "Treatment": ("treatment", record.treatment, "treatment"),
            "RedFlags": ("red flags", record.red_flags, "red-flags"),
        }
        # Each card names the sources of its own facts, at the end of its field.
        cause = record.cause_sources or record.sources
        fields = {
            "Name": plain(record.name),
            "Cause": inline(record.cause) + context.footer(cause),
            "Distinguish": bullet_list(distinguish),
            "Sources": "",
        }
        long = {field for field, (_, items, _) in lists.items() if len(items) > MAX_FACTS}
        for field, (_, items, _) in lists.items():  # a long list is asked item by item
            shown = items and field not in long
            footer = context.footer(list_sources(items, record.sources)) if shown else ""
            fields[field] = context.entries(items) + footer if shown else ""
        tags = note_tags("condition", *record.tags)
        deck = context.deck_of(self)
        origin = f"condition:{record.id}"
        yield note_spec(origin, "condition", record.id, CONDITION, fields, tags, deck)
        for field in sorted(long, key=list(lists).index):
            what, items, key = lists[field]
            cloze = {
                "Text": list_cloze(f"<b>{plain(record.name)}</b>: {what}", items, context),
                "Topic": f"Western differential · {what}",
                "Extra": "",
                "Image": "",
                "Sources": context.cite(list_sources(items, record.sources)),
            }
            note_id = f"{record.id}/{key}"
            yield note_spec(origin, "condition-list", note_id, CLOZE, cloze, tags, deck)
        for number, hallmark in enumerate(record.hallmarks, start=1):
            question = {
                "Question": f"Which condition? {inline(entry_text(hallmark))}",
                "Answer": plain(record.name),
                "Topic": "Western differential",
                "Extra": "",
                "Sources": context.cite(entry_sources(hallmark) or record.sources),
            }
            note_id = f"{record.id}/{number}"
            yield note_spec(origin, "hallmark", note_id, QA, question, tags, deck)
        for other in record.distinguish_from:
            two = sorted((record.name, names[other.condition]), key=str.casefold)
            if other.ask:  # one discriminating feature: which of the two has it?
                asked = (
                    f"Which {inline(other.ask)}: <b>{plain(two[0])}</b> or <b>{plain(two[1])}</b>?"
                )
                answer, extra = plain(record.name), inline(other.how)
            else:
                asked = (  # no verb to agree with a plural name ("Tics", "Focal seizures")
                    f"What tells <b>{plain(record.name)}</b> apart from "
                    f"<b>{plain(names[other.condition])}</b>?"
                )
                answer, extra = inline(other.how), ""
            question = {
                "Question": asked,
                "Answer": answer,
                "Topic": "Western differential · comparison",
                "Extra": extra,
                "Sources": context.cite(other.sources or record.sources),
            }
            pair = f"{record.id}/{other.condition}"
            yield note_spec(origin, "comparison", pair, QA, question, tags, deck)


def _compared(summary: ConditionSummary) -> Iterator[tuple[KeyPath, str]]:
    """The conditions a condition is compared with, each with its key path."""
    for i, other in enumerate(summary.distinguish_from):
        if other:
            yield ("distinguish_from", i, "condition"), other


def _mapping(data: Any) -> Mapping[str, Any]:
    return data if isinstance(data, dict) else {}
