"""One valid note file as loaded: its summary, its record when asked for, its warnings.

A build that reuses the last build's work (see `buildcache`) gets most note files back
unchanged, and needs little of them: their ids and references for the checks across files,
their sources for the deck description, and, for points on a diagram, the placement. That
is the summary. The full record is validated again from the parsed data only when a note
has to be made from it again.
"""

from __future__ import annotations

import marshal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deckgen.describe import validate
from deckgen.errors import Findings, Problem
from deckgen.schema import NOTE_FOLDERS, Concept, Condition, NoteRecord, Point
from deckgen.yamldoc import Document

#: The note kind of each note folder's records (the first part of a note key).
KINDS = {"points": "point", "concepts": "concept", "conditions": "condition", "facts": "fact"}
#: The key that holds a note's id, by note folder.
ID_KEYS = {"points": "code", "concepts": "id", "conditions": "id", "facts": "id"}


@dataclass(eq=False)
class NoteFile:
    """A note file that validated: what the build and the next build need of it."""

    name: str  # relative to the cards folder, '/'-separated: 'points/ST2.yaml'
    path: Path
    data: bytes  # the parsed YAML, marshalled: the record is validated from it on demand
    summary: dict[str, Any]  # see `summarise`
    warnings: tuple[Problem, ...]  # what the file alone gives, kept for the next build
    reused: bool  # taken from the last build's cache rather than read again
    _record: NoteRecord | None = field(default=None, repr=False)

    @property
    def folder(self) -> str:
        return self.name.partition("/")[0]

    @property
    def note_id(self) -> str:
        """The author-visible id: a point's code, else its `id`."""
        return str(self.summary[ID_KEYS[self.folder]])

    @property
    def key(self) -> str:
        """The key of its record, e.g. 'point:ST2'."""
        return f"{KINDS[self.folder]}:{self.note_id}"

    @property
    def diagram(self) -> str | None:
        """The name of the diagram a point is placed on, if any."""
        placement = self.summary.get("diagram")
        return str(placement["name"]) if placement else None

    @property
    def record(self) -> NoteRecord:
        if self._record is None:  # a file reused from the last build, valid then as now
            doc = Document(self.path, marshal.loads(self.data))
            self._record = validate(doc, NOTE_FOLDERS[self.folder], Findings())
            assert self._record is not None, f"{self.name} no longer validates"
        return self._record


def record_id(record: NoteRecord) -> str:
    """The author-visible id of a record: a point's code, else its `id`."""
    return record.code if isinstance(record, Point) else record.id


def summarise(record: NoteRecord) -> dict[str, Any]:
    """The part of a record that other files refer to, or that every build reads, in the
    shape of the YAML it came from so that the checks across files read it as they read
    a whole file: ids, aliases, references, condition names, sources and diagram places."""
    summary: dict[str, Any] = {"sources": list(record.sources)}
    if isinstance(record, Point):
        summary.update(code=record.code, aliases=list(record.aliases))
        if record.diagram is not None:
            summary["diagram"] = record.diagram.model_dump()
    else:
        summary["id"] = record.id
    if isinstance(record, Concept):
        summary["related_points"] = list(record.related_points)
    if isinstance(record, Condition):
        summary["name"] = record.name
        summary["distinguish_from"] = [{"condition": d.condition} for d in record.distinguish_from]
    return summary
