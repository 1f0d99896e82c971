"""Reading the lock file (`read_lock`): parsed, or merged when git left a conflict in it,
and note ids that are not valid or not distinct repaired."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from deckgen.source.errors import problem_at
from deckgen.source.files import Refused, read_regular
from deckgen.state import kept
from deckgen.state.lock.damage import _DAMAGE, LockDamaged, _note_lines
from deckgen.state.lock.entries import MAX_ID, NoteEntry
from deckgen.state.lock.file import Lock
from deckgen.state.lock.ids import ID_SPACING
from deckgen.state.lock.merge import _CONFLICT, _merged
from deckgen.state.lock.parse import _parsed

#: The lock that a build of this process last wrote to each path, marked with the sha256
#: of the bytes written, while it keeps them (see `state.kept`).
_WRITTEN: kept.Store[Lock] = kept.Store()


def wrote_lock(path: Path, digest: str, lock: Lock) -> None:
    """Note that `lock` is now the file at `path`, whose bytes have the sha256 `digest`: a
    watch that rebuilds after each save does not read back the lock it wrote."""
    _WRITTEN.keep(path, digest, lock)


def read_lock(
    path: Path, *, root: Path | None = None, decode: bool = False, digest: str | None = None
) -> Lock:
    """The lock at `path`, or an empty one if there is none yet. Raises `LockDamaged` when
    it cannot be read as deckgen writes it. Note ids that are not valid, or that two notes
    share, and occlusion numbers that are not valid or not distinct are repaired, each
    repair described in `Lock.repairs`. Each note's entry is checked when it is first read,
    or here with `decode`. A link is followed only to a file inside `root`. Given the
    `digest` of the file's bytes, a lock this process wrote with those bytes is not read
    again (see `wrote_lock`)."""
    written = _WRITTEN.get(path, digest) if digest is not None else None
    if written is not None:
        return written
    if not os.path.lexists(path):
        return Lock()
    try:
        raw = read_regular(path, root=root)
    except Refused as exc:
        raise LockDamaged(
            path, 1, f"{exc}; restore it from git, or remove it", unread=True
        ) from None
    conflicted = raw.startswith(_CONFLICT) or b"\n" + _CONFLICT in raw  # `in`: 20x a pattern
    lock = _merged(path, raw) if conflicted else _parsed(path, raw)
    _repair_ids(lock, path)
    if decode:
        for key in lock.notes:
            lock.notes[key]  # decoded and checked now (and kept decoded, for the build)
    return lock


#: The start of a note's entry as `Lock.chunks` writes it, with its id.
_ID = re.compile(rb'\{"id": (\d{1,16})[,}]')


def _repair_ids(lock: Lock, path: Path) -> None:
    """Give a new id to each note whose id is not valid, or is another note's (the note
    first in key order keeps it). Anki matches notes by guid, so a new id loses nothing:
    a reader who has the note keeps it under the id it has."""
    entries = lock.notes
    seen: dict[int, str] = {}
    faulty: list[tuple[str, str]] = []
    for key in sorted(entries):
        found = _ID.match(entries.encoded(key))
        note_id = int(found.group(1)) if found else _loose_id(entries.encoded(key))
        if note_id is None or not 0 < note_id <= MAX_ID:
            faulty.append((key, "is not a whole number from 1"))
        elif note_id in seen:
            faulty.append((key, f"is also the id of {seen[note_id]}"))
        else:
            seen[note_id] = key
    highest = max(seen, default=0)
    lines = _note_lines(path) if faulty else {}
    for key, why in faulty:
        highest += ID_SPACING
        try:
            data = json.loads(entries.encoded(key))
            if not isinstance(data, dict):
                raise ValueError("a note's entry is not a JSON object")
            data["id"] = highest
            entries[key] = NoteEntry.from_json(data)
        except _DAMAGE as exc:  # more is wrong with it than its id
            raise LockDamaged(path, lines.get(key, 1), exc) from None
        message = f"the id of note {key} {why}: it gets the new id {highest}"
        lock.repairs.append(problem_at(path, lines.get(key, 1), 1, message))


def _loose_id(raw: bytes) -> int | None:
    """A note's id from its JSON text laid out in another way; None if it has none that
    is a whole number."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    note_id = data.get("id") if isinstance(data, dict) else None
    return note_id if type(note_id) is int else None
