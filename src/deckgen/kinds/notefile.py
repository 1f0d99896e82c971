"""One valid note file as loaded: its summary, its record when asked for, its warnings.

A build that reuses the last build's work (see `buildcache`) gets most note files back
unchanged, and needs little of them: their ids and references for the checks across files,
their sources for the deck description, and, for points on a diagram, the placement and
the names that the diagram's occlusion note shows. That is the summary. The full record
is validated again from the parsed data only when a note has to be made from it again.
"""

from __future__ import annotations

import marshal
from pathlib import Path
from typing import Any

from deckgen.kinds.models import NOTE_FOLDERS, Concept, Condition, NoteRecord, Point
from deckgen.source.errors import Findings, Problem
from deckgen.source.messages import validate
from deckgen.source.yamldoc import Document

#: The note kind of each note folder's records (the first part of a note key).
KINDS = {"points": "point", "concepts": "concept", "conditions": "condition", "facts": "fact"}
#: The key that holds a note's id, by note folder.
ID_KEYS = {"points": "code", "concepts": "id", "conditions": "id", "facts": "id"}


class NoteFile:
    """A note file that validated: what the build and the next build need of it.

    A file read by this build comes with its record; one reused from the last build's cache
    without, and validates it again from `data` if it is asked for."""

    def __init__(
        self,
        root: Path,
        name: str,
        data: bytes,
        summary: dict[str, Any],
        warnings: tuple[Problem, ...],
        record: NoteRecord | None = None,
    ) -> None:
        self.root = root
        self.name = name  # relative to `root`, '/'-separated: 'points/ST2.yaml'
        self.data = data  # the parsed YAML, marshalled
        self.summary = summary  # see `summarise`
        self.warnings = warnings  # what the file alone gives, kept for the next build
        self.reused = record is None
        self.digest = ""  # of the bytes parsed, for a file read by this build
        self._record = record
        # Read for every file, often several times, in every build: worked out once.
        self.folder = name.partition("/")[0]
        self.note_id = str(summary[ID_KEYS[self.folder]])  # a point's code, else its `id`
        self.key = f"{KINDS[self.folder]}:{self.note_id}"  # its record's, e.g. 'point:ST2'
        placement = summary.get("diagram")
        self.diagram = str(placement["name"]) if placement else None  # a point's diagram

    def release(self) -> None:
        """Let go of the record (once made into notes): asked for again, it is validated
        again from `data`. At 20,000 notes the records take tens of megabytes."""
        self._record = None

    @property
    def path(self) -> Path:
        return self.root / self.name

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
        if record.diagram is not None:  # and what its diagram's occlusion note shows
            summary["diagram"] = record.diagram.model_dump()
            summary.update(pinyin=record.pinyin, hanzi=record.hanzi, english=record.english)
    else:
        summary["id"] = record.id
    if isinstance(record, Concept):
        summary["related_points"] = list(record.related_points)
    if isinstance(record, Condition):
        summary["name"] = record.name
        summary["distinguish_from"] = [{"condition": d.condition} for d in record.distinguish_from]
    return summary
