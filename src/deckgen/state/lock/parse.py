"""Reading the text of a lock file without conflict markers into a `Lock`: its head as
JSON, its notes as each one's JSON text (decoded when looked up), its note types and
its occlusion numbers checked; occlusion numbers that are not valid are dropped and
the repair described."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from deckgen.source.errors import Problem, problem_at
from deckgen.source.yamldoc import UNSTORABLE
from deckgen.state.lock.damage import (
    _DAMAGE,
    LockDamaged,
    _Duplicate,
    _json_line,
    _line_of,
    _line_of_text,
    _note_line,
    _occlusion_line,
)
from deckgen.state.lock.entries import (
    MAX_ID,
    MAX_TIME,
    NoteEntries,
    NotetypeEntry,
    _integer,
    _list,
    _text,
)
from deckgen.state.lock.file import Lock
from deckgen.state.lock.layout import _NOTES_END, _NOTES_START, LOCK_VERSION, _encode


def _parsed(path: Path, raw: bytes) -> Lock:
    """The lock whose text is `raw` (read from `path`, named in messages)."""
    try:
        head, raw_notes = _split_notes(raw)
        data = json.loads(head, object_pairs_hook=_unique_keys)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        version = data.get("version")
        if version != LOCK_VERSION:
            line = _line_of_text(path, '"version"')
            if type(version) is int and version > LOCK_VERSION:
                newer = f"was written by a newer deckgen (lock version {version}): upgrade deckgen"
                raise LockDamaged(path, line, newer, unread=True)
            raise LockDamaged(path, line, f"unsupported lock version {version!r}")
        if raw_notes is None:  # not as deckgen writes it (edited by hand?): decode it whole
            raw_notes = {key: _encode(value) for key, value in _mapping(data["notes"]).items()}
        notetypes = {
            _text(key, "notetypes"): _notetype(value)
            for key, value in _mapping(data["notetypes"]).items()
        }
        occlusion = _mapping(data.get("occlusion", {}))
        deck_id = data.get("deck")
        deck_id = None if deck_id is None else _text(deck_id, "deck")
    except json.JSONDecodeError as exc:
        raise LockDamaged(path, _json_line(raw, head, exc), exc.msg) from None
    except _DAMAGE as exc:
        raise LockDamaged(path, _line_of(raw, exc), exc) from None
    lock = Lock(notes=NoteEntries(raw_notes, source=path), notetypes=notetypes, deck_id=deck_id)
    for key in raw_notes:
        if ":" not in key or UNSTORABLE.search(key):
            raise LockDamaged(path, _note_line(path, key), f"'{key[:60]}' is not a note key")
    try:
        lock.occlusion = _occlusion_numbers(occlusion, path, lock.repairs)
    except _Diagram as exc:
        raise LockDamaged(path, _occlusion_line(path, exc.name), exc.reason) from None
    return lock


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's keys, each once: json would keep the last of two silently."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _Duplicate(key)
        found[key] = value
    return found


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{json.dumps(value)[:40]} is not a JSON object")
    return value


def _notetype(value: Any) -> NotetypeEntry:
    data = _mapping(value)
    return NotetypeEntry(
        hash=_text(data["hash"], "hash"),
        mod=_integer(data["mod"], "mod", MAX_TIME),
        fields=tuple(_text(name, "fields") for name in _list(data["fields"], "fields")),
        templates=tuple(_text(name, "templates") for name in _list(data["templates"], "templates")),
    )


def _occlusion_numbers(
    data: dict[str, Any], path: Path, repairs: list[Problem]
) -> dict[str, dict[str, int]]:
    """Each diagram's cloze number per point, as the lock holds them. A number that is not
    a whole number from 1, or that an earlier point (in code order) has too, is dropped:
    the build numbers that point anew, after every number in use (and says so)."""
    numbers: dict[str, dict[str, int]] = {}
    for name, codes in data.items():
        try:
            numbers[_text(name, "occlusion")] = _diagram_numbers(name, codes, path, repairs)
        except _DAMAGE as exc:
            raise _Diagram(name, exc) from None
    return numbers


class _Diagram(Exception):
    """A diagram's occlusion numbers that cannot be read (see `_occlusion_numbers`)."""

    def __init__(self, name: str, reason: Exception) -> None:
        super().__init__(name)
        self.name, self.reason = name, reason


def _diagram_numbers(name: str, codes: Any, path: Path, repairs: list[Problem]) -> dict[str, int]:
    """One diagram's occlusion numbers (see `_occlusion_numbers`)."""
    kept: dict[str, int] = {}
    owners: dict[int, str] = {}  # number -> the point that has it
    line: int | None = None  # of the diagram in the lock: found at the first repair
    for code, number in sorted(_mapping(codes).items()):
        _text(code, "occlusion")
        valid = type(number) is int and 0 < number <= MAX_ID
        taken = owners.get(number) if valid else None
        if valid and taken is None:
            kept[code], owners[number] = number, code
            continue
        why = "is not a whole number from 1" if taken is None else f"is also {taken}'s"
        message = (
            f"occlusion card {json.dumps(number)[:20]} of point {code} on diagram "
            f"'{name}' {why}: the point gets a new card number"
        )
        line = line or _occlusion_line(path, name)
        repairs.append(problem_at(path, line, 1, message))
    return kept


#: A note's line as `Lock.chunks` writes it, with a key that has no escapes: the JSON text
#: between the quotes is then the key itself.
_NOTE_LINE = re.compile(rb'^"([^"\\\n]*)": (\{[^\n]*\}),?$', re.MULTILINE)


def _split_notes(raw: bytes) -> tuple[bytes, dict[str, bytes] | None]:
    """The lock without its notes (as JSON text) and each note's JSON text by key, when
    the file is laid out as `Lock.chunks` writes it (one note per line); otherwise the
    whole text and None. Bytes throughout: a large lock is tens of megabytes, and most of
    it is only copied."""
    start = raw.find(_NOTES_START)
    if start < 0 or not raw.endswith(_NOTES_END):
        return raw, None
    head = raw[: start + len(_NOTES_START)] + b"}}"
    body = raw[start + len(_NOTES_START) : -len(_NOTES_END)]
    notes = {key.decode(): value for key, value in _NOTE_LINE.findall(body)}  # one pass in C
    if len(notes) == (body.count(b"\n") + 1 if body else 0):
        return head, notes
    found = _split_lines(body.decode())  # a key with escapes, or a line deckgen would not write
    if found is None:
        return raw, None
    return head, {key: value.encode() for key, value in found.items()}


def _split_lines(body: str) -> dict[str, str] | None:
    """Each note's JSON text by key, read with json's decoder; None if a line is not one
    note as `Lock.chunks` writes it."""
    lines = body.split("\n")
    found: dict[str, str] = {}
    decoder = json.JSONDecoder()
    last = len(lines) - 1
    for index, line in enumerate(lines if lines != [""] else []):
        try:
            key, end = decoder.raw_decode(line)
        except ValueError:
            return None
        value = line[end + 2 : None if index == last else -1]  # each but the last ends with ','
        if not isinstance(key, str) or line[end : end + 3] != ": {" or value[-1:] != "}":
            return None
        if key in found:
            raise _Duplicate(key)
        found[key] = value
    return found
