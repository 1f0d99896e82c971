"""One valid note file as loaded: its kind, its summary, its record when asked for, its
warnings.

A build that reuses the last build's work (see `deckgen.state.cache`) gets most note files
back unchanged, and needs little of them: their summaries (ids and references for the
checks across files, sources for the deck description, what combined notes show). The
full record is validated again from the parsed data only when a note has to be made from
it again.
"""

from __future__ import annotations

import marshal
from pathlib import Path
from typing import Any

from deckgen.kinds.kind import Kind, Summary
from deckgen.source.errors import Findings, Problem
from deckgen.source.messages import validate
from deckgen.source.yamldoc import Document


class NoteFile:
    """A note file that validated: what the build and the next build need of it.

    A file read by this build comes with its record; one reused from the last build's cache
    without, and validates it again from `data` if it is asked for."""

    def __init__(
        self,
        root: Path,
        name: str,
        kind: Kind[Any, Any],
        data: bytes,
        summary: Summary,
        warnings: tuple[Problem, ...],
        record: Any = None,
    ) -> None:
        self.root = root
        self.name = name  # relative to `root`, '/'-separated: 'points/ST2.yaml'
        self.kind = kind
        self.data = data  # the parsed YAML, marshalled
        self.summary = summary
        self.warnings = warnings  # what the file alone gives, kept for the next build
        self.reused = record is None
        self.digest = ""  # of the bytes parsed, for a file read by this build
        self._record = record
        self.note_id = summary.note_id  # a point's code, else its `id`
        self.key = f"{kind.name}:{summary.note_id}"  # its record's, e.g. 'point:ST2'

    def release(self) -> None:
        """Let go of the record (once made into notes): asked for again, it is validated
        again from `data`. At 20,000 notes the records take tens of megabytes."""
        self._record = None

    @property
    def path(self) -> Path:
        return self.root / self.name

    @property
    def record(self) -> Any:
        if self._record is None:  # a file reused from the last build, valid then as now
            doc = Document(self.path, marshal.loads(self.data))
            self._record = validate(doc, self.kind.model, Findings())
            assert self._record is not None, f"{self.name} no longer validates"
        return self._record
