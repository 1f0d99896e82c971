"""The lock file: what the last build produced, so that each note's modification time
moves forward exactly when that note's content changes.

Anki's importer (default "update if newer") applies a note only when the package's copy
is newer than the collection's. Stamping every note with the build time would rewrite
every note on each import; reusing one fixed time would update nothing. The lock records,
per note, a content hash, the time that content first appeared, and the note id.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

LOCK_FILE = "deckgen.lock"
LOCK_VERSION = 1
#: Note ids are spaced this far apart so that card ids (note id + template ordinal) never collide.
ID_SPACING = 1000


@dataclass(frozen=True)
class NoteEntry:
    hash: str
    mod: int
    id: int


@dataclass(frozen=True)
class NotetypeEntry:
    hash: str
    mod: int
    fields: tuple[str, ...]
    templates: tuple[str, ...]


@dataclass
class Lock:
    notes: dict[str, NoteEntry] = field(default_factory=dict)
    notetypes: dict[str, NotetypeEntry] = field(default_factory=dict)

    def to_json(self) -> str:
        data = {
            "version": LOCK_VERSION,
            "notetypes": {k: asdict(v) for k, v in sorted(self.notetypes.items())},
            "notes": {k: asdict(v) for k, v in sorted(self.notes.items())},
        }
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def content_hash(value: Any) -> str:
    """A stable hash of JSON-serialisable content."""
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()[:32]


def build_time() -> int:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isdigit() else int(time.time())


def read_lock(path: Path) -> Lock:
    """The lock at `path`, or an empty one if there is none yet."""
    if not path.is_file():
        return Lock()
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("version") != LOCK_VERSION:
        raise ValueError(f"{path}: unsupported lock version {data.get('version')!r}")
    return Lock(
        notes={k: NoteEntry(**v) for k, v in data.get("notes", {}).items()},
        notetypes={
            k: NotetypeEntry(
                hash=v["hash"],
                mod=v["mod"],
                fields=tuple(v["fields"]),
                templates=tuple(v["templates"]),
            )
            for k, v in data.get("notetypes", {}).items()
        },
    )


def next_mod(previous: int | None, now: int) -> int:
    """A modification time later than `previous`: Anki compares whole seconds."""
    return now if previous is None else max(now, previous + 1)


class IdAllocator:
    """Hands out note ids for new notes: millisecond times (Anki reads them as the
    creation date), spaced apart and above every id already in the lock."""

    def __init__(self, lock: Lock, now: int) -> None:
        highest = max((entry.id for entry in lock.notes.values()), default=0)
        self._next = max(now * 1000, highest + ID_SPACING)

    def take(self) -> int:
        taken = self._next
        self._next += ID_SPACING
        return taken
