"""What a kind of note file is: the one place that says everything deckgen knows of it.

A kind (a point, a concept, ...) is a `Kind` registered in `deckgen.kinds.registry`. It
holds its model, its id, its folder and subdeck, the checks its files need beyond the
schema, the references it makes to other notes, the notes it makes and their note types,
its preview labels and its `deckgen new` skeleton. Everything else iterates over the
registry, so adding a kind means writing one module.

The cache contract: a kind's notes are made from its record, the shared inputs in
`NoteContext` (deck.yaml, sources.yaml, the diagrams) and nothing else but what `reads`
declares of other note files. The build cache keys a file's notes on the file's digest plus
those declared facts, so notes are never reused after something they read has changed.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel

from deckgen.kinds.fields import Cited, entry_sources, entry_text
from deckgen.kinds.html import html_list, inline, plain
from deckgen.kinds.spec import NoteSpec
from deckgen.kinds.values import text_items, text_of
from deckgen.source.errors import Findings
from deckgen.source.yamldoc import Document, KeyPath

if TYPE_CHECKING:
    from deckgen.kinds.deck import DeckConfig, Source
    from deckgen.kinds.drawing import Diagram
    from deckgen.kinds.notetypes import NoteType

Record = TypeVar("Record", bound=BaseModel)
SummaryT = TypeVar("SummaryT", bound="Summary")


@dataclass(frozen=True, slots=True)
class Summary:
    """What other files and every build read of a note file, typed: a kind subclasses it
    with what its references, checks across files and combined notes need. It is kept in
    the build cache, so that an unchanged file is not validated again.

    Fields hold text, tuples of text, numbers or None (`stored` and `restored` turn them to
    and from plain tuples). A summary made from a file that did not validate (for the
    checks across files only) has "" where a value is not text."""

    note_id: str
    sources: tuple[str, ...]

    def stored(self) -> tuple[Any, ...]:
        return tuple(getattr(self, field.name) for field in dataclasses.fields(self))

    @classmethod
    def restored(cls: type[SummaryT], values: Sequence[Any]) -> SummaryT:
        return cls(*values)


@dataclass(frozen=True)
class Reference:
    """A note named in a note file: at `path`, the id `note_id` of a `kind` note."""

    path: KeyPath
    kind: str
    note_id: str


@dataclass(frozen=True)
class FileContext:
    """What a check of one note file knows of the rest of the folder: the source keys
    (None when sources.yaml is unusable) and the diagram names."""

    source_keys: set[str] | None
    diagram_names: set[str]


class Index:
    """Every note file's summary, by kind: what checks across files and `Kind.reads` see."""

    def __init__(self, summaries: Mapping[str, Sequence[tuple[Document, Summary]]]) -> None:
        self._summaries = summaries

    @classmethod
    def of(cls, summaries: Mapping[str, Sequence[Summary]]) -> Index:
        """An index of summaries alone (for `Kind.reads`, which locates nothing)."""
        index = cls({})
        index.__dict__["_by_id"] = {
            kind: {s.note_id: s for s in reversed(found) if s.note_id}
            for kind, found in summaries.items()
        }
        return index

    def entries(self, kind: str) -> Sequence[tuple[Document, Summary]]:
        return self._summaries.get(kind, ())

    def by_id(self, kind: str) -> dict[str, Summary]:
        """The summaries of one kind by note id (the first file of each id)."""
        return self._by_id.get(kind, {})

    @cached_property
    def _by_id(self) -> dict[str, dict[str, Summary]]:
        return {
            kind: {s.note_id: s for _, s in reversed(entries) if s.note_id}
            for kind, entries in self._summaries.items()
        }


@dataclass(frozen=True)
class NoteContext:
    """What every note may read besides its own record: the shared inputs (deck.yaml,
    sources.yaml and the diagrams). A change to any of them makes every note anew."""

    deck: DeckConfig
    sources: Mapping[str, Source]
    #: The deck's own id (see `deckgen.state.lock.deck_id`): part of combined notes' ids.
    deck_id: str
    #: The diagrams, drawn on demand by name.
    diagram: Callable[[str], Diagram]
    #: Each diagram's cloze number per note id, for image-occlusion notes (from the lock).
    occlusion: Mapping[str, Mapping[str, int]]

    def cite(self, keys: Sequence[str]) -> str:
        """The card footer: short labels; the full citations are in the deck description."""
        return "Sources: " + self.labels(keys)

    def footer(self, keys: Sequence[str]) -> str:
        """`cite` as a block at the end of an answer field: on a note of several cards, each
        card names the sources of its own facts (the shared Sources field stays empty)."""
        return f'<div class="sources">{self.cite(keys)}</div>'

    def entries(self, entries: Sequence[str | Cited]) -> str:
        """List items as one <ul>, each item with its own sources cited beside it."""
        return html_list(self.entry(entry) for entry in entries)

    def entry(self, entry: str | Cited) -> str:
        """One list item as HTML, its own sources (if any) cited beside it."""
        own = entry_sources(entry)
        cite = f' <span class="cite">({self.labels(own)})</span>' if own else ""
        return inline(entry_text(entry)) + cite

    def labels(self, keys: Sequence[str]) -> str:
        """The short labels of sources, joined."""
        return "; ".join(plain(self.sources[key].short) for key in keys)

    def deck_of(self, kind: Kind[Any, Any]) -> str:
        """The full name of a kind's subdeck."""
        return f"{self.deck.name}::{self.deck.subdeck(kind.folder)}"


@dataclass(frozen=True)
class Tally:
    """One line of `deckgen stats` about a kind: counts by name (a table under `heading`),
    or, with `names`, the notes in question listed on one line ('none' when empty)."""

    heading: str
    counts: Mapping[str, int] = dataclasses.field(default_factory=dict)
    names: tuple[str, ...] | None = None


class Kind(ABC, Generic[Record, SummaryT]):
    """One kind of note file. Subclass it, fill in the class attributes and the abstract
    methods, and register an instance in `deckgen.kinds.registry`."""

    #: The kind's name: the first part of its note keys ('point' in 'point:ST2').
    name: ClassVar[str]
    #: The folder of its files in the cards folder, and its key under `subdecks:`.
    folder: ClassVar[str]
    model: ClassVar[type[BaseModel]]
    summary_type: ClassVar[type[Summary]]
    #: The key that holds a file's note id, the id's pattern, and an example of an id.
    id_key: ClassVar[str] = "id"
    id_pattern: ClassVar[str]
    id_example: ClassVar[str]
    #: What an id is, in words, for messages: 'a point code'.
    id_words: ClassVar[str] = "a lower-case id"
    #: The default name of its subdeck, and what `subdecks.<folder>` is for.
    subdeck: ClassVar[str]
    subdeck_help: ClassVar[str]
    #: What one file is, for its JSON Schema: 'points/<CODE>.yaml: one acupuncture point.'
    schema_help: ClassVar[str]
    #: The note types of its notes (its own and shared ones).
    note_types: ClassVar[tuple[NoteType, ...]]
    #: Preview headings for the kinds of note it makes ('point-cloze': 'Point locations').
    labels: ClassVar[Mapping[str, str]]
    #: The keys whose text may hold cloze markup.
    cloze_keys: ClassVar[tuple[str, ...]] = ()
    #: The `deckgen new` skeleton: YAML with `{id}` for the note id (braces doubled).
    skeleton: ClassVar[str]

    @abstractmethod
    def summarise(self, record: Record) -> SummaryT:
        """The summary of a valid record."""

    def summary_of_data(self, data: Mapping[str, Any]) -> SummaryT:
        """The summary of a file's parsed data that did not validate, as far as it goes:
        each field of text or of a list of text from the key of its name (the note id
        from `id_key`), "" where a value is not text; any other field left as its default.
        A kind whose summary reads other keys says so here."""
        values: dict[str, Any] = {}
        for field in dataclasses.fields(self.summary_type):
            raw = data.get(self.id_key if field.name == "note_id" else field.name)
            if field.type in ("str", str):
                values[field.name] = text_of(raw) or ""
            elif field.type in ("tuple[str, ...]", tuple[str, ...]):
                values[field.name] = text_items(raw)
        return self.summary_type(**values)  # type: ignore[return-value]

    def check_file(self, doc: Document, context: FileContext, findings: Findings) -> None:
        """Problems one file shows beyond its schema (its data may be invalid: read each
        value only where it has the right type)."""

    def fronts(self, record: Record) -> Iterator[tuple[KeyPath, str, str, bool]]:
        """The text a card shows on its front (with its key path), the answer it asks for,
        and whether one of the answer's words gives it away (a term) or only all of them
        (a sentence): `check` warns where a front gives its answer away."""
        return iter(())

    def uncited(self, record: Record) -> Iterator[tuple[KeyPath, int, str]]:
        """Facts with no sources of their own on a card that would name several (the key
        path, how many, and what would cite them): `check` warns, as a card names only
        the sources of its own facts."""
        return iter(())

    def names(self, summary: SummaryT) -> Iterator[str]:
        """The ids other notes may use for this note (a point's code and its aliases)."""
        yield summary.note_id

    def references(self, summary: SummaryT) -> Iterator[Reference]:
        """The notes this note names, each checked to exist."""
        return iter(())

    def check_across(
        self, entries: Sequence[tuple[Document, SummaryT]], index: Index, findings: Findings
    ) -> None:
        """Problems only the notes together show, beyond duplicate ids and references."""

    def reads(self, summary: SummaryT, index: Index) -> Mapping[str, str]:
        """What this note's notes read of other note files: the build cache makes them
        again when this changes (see the module's cache contract)."""
        return {}

    @abstractmethod
    def notes(
        self, record: Record, reads: Mapping[str, str], context: NoteContext
    ) -> Iterator[NoteSpec]:
        """The notes of one record: they may read `reads` and `context`, nothing else."""

    def media(self, summary: SummaryT, context: NoteContext) -> tuple[Any, ...]:
        """The media files of a record's notes, from its summary (for notes reused)."""
        return ()

    def diagram_of(self, summary: SummaryT) -> str | None:
        """The diagram a note is masked on in its image-occlusion note, if any: the build
        keeps each one's cloze number there in the lock."""
        return None

    def combined_notes(
        self, summaries: Sequence[SummaryT], context: NoteContext
    ) -> Iterator[NoteSpec]:
        """Notes drawn from all of this kind's files at once (made in every build)."""
        return iter(())

    def stats(self, records: Sequence[Record]) -> Iterator[Tally]:
        """What `deckgen stats` shows of this kind beyond counts of notes and cards."""
        return iter(())

    def note_id(self, record: Record) -> str:
        return str(getattr(record, self.id_key))
