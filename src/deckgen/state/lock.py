"""The lock file: what the last build produced, so that each note's modification time
moves forward exactly when that note's content changes.

Anki's importer (default "update if newer") applies a note only when the package's copy
is newer than the collection's. Stamping every note with the build time would rewrite
every note on each import; reusing one fixed time would update nothing. The lock records,
per note, its content, the time that content first appeared and its note id. Keeping the
content lets a later build ship a removed note once more, tagged `deckgen::removed`, so
users can find it in Anki (the importer never deletes), and name the fields that changed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import time
import zlib
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from deckgen.kinds.ids import has_empty_part
from deckgen.source.errors import DeckgenError, Problem, problem_at
from deckgen.source.files import Refused, file_digest, read_regular
from deckgen.source.yamldoc import UNSTORABLE
from deckgen.state.commit import Commit, WriteFailed

LOCK_FILE = "deckgen.lock"
LOCK_VERSION = 1
#: Note ids are spaced this far apart so that card ids (note id + template ordinal) never collide.
ID_SPACING = 1000


@dataclass(frozen=True)
class NoteEntry:
    """One note as last built. `fields` maps field name to the HTML that was shipped."""

    id: int
    mod: int
    notetype: str
    deck: str
    tags: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]
    removed: bool = False

    def same_content(self, other: NoteEntry) -> bool:
        return (self.notetype, self.deck, self.tags, self.fields, self.removed) == (
            other.notetype,
            other.deck,
            other.tags,
            other.fields,
            other.removed,
        )

    def changed_fields(self, other: NoteEntry) -> list[str]:
        """Names of the fields (and 'tags', 'deck') that differ from `other`."""
        mine, theirs = dict(self.fields), dict(other.fields)
        names = [
            name for name in dict.fromkeys([*mine, *theirs]) if mine.get(name) != theirs.get(name)
        ]
        if self.tags != other.tags:
            names.append("tags")
        if self.deck != other.deck:
            names.append("deck")
        return names

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "mod": self.mod,
            "notetype": self.notetype,
            "deck": self.deck,
            "tags": list(self.tags),
            "fields": dict(self.fields),
        }
        if self.removed:
            data["removed"] = True
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NoteEntry:
        """An entry from its JSON data, checked: raises `ValueError` naming what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("a note's entry is not a JSON object")
        note_id = _integer(data["id"], "id", MAX_ID)
        mod = _integer(data["mod"], "mod", MAX_TIME)
        notetype = _text(data["notetype"], "notetype")
        deck = _text(data["deck"], "deck")
        if has_empty_part(deck):
            raise ValueError(f"'deck' is {json.dumps(deck)[:60]}, with an empty part")
        tags = tuple(_text(tag, "tags") for tag in _list(data["tags"], "tags"))
        for tag in tags:
            if not _TAG.fullmatch(tag):
                raise ValueError(f"'tags' holds {json.dumps(tag)[:40]}, not a tag")
        fields = data["fields"]
        if not isinstance(fields, dict):
            raise ValueError("'fields' is not a JSON object")
        return cls(
            id=note_id,
            mod=mod,
            notetype=notetype,
            deck=deck,
            tags=tags,
            fields=tuple((_text(k, "fields"), _text(v, "fields")) for k, v in fields.items()),
            removed=_flag(data.get("removed", False), "removed"),
        )


#: A tag as deckgen writes them: no white space, which Anki would split the tag at.
_TAG = re.compile(r"[a-z0-9-]+(?:::[a-z0-9-]+)*")
#: Note ids and times are stored by Anki as 64-bit integers and read by its clients'
#: JavaScript as doubles: ids stay below 2^53, times (seconds) far below.
MAX_ID = 2**53 - 1
MAX_TIME = 2**40


def _integer(value: Any, name: str, highest: int) -> int:
    if type(value) is not int or not 0 < value <= highest:
        raise ValueError(
            f"'{name}' is {json.dumps(value)[:40]}, not a whole number from 1 to {highest}"
        )
    return value


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"'{name}' holds {json.dumps(value)[:40]}, not text")
    found = UNSTORABLE.search(value)
    if found is not None:
        raise ValueError(f"'{name}' holds U+{ord(found.group()):04X}, which Anki cannot store")
    return value


def _flag(value: Any, name: str) -> bool:
    if type(value) is not bool:
        raise ValueError(f"'{name}' is {json.dumps(value)[:40]}, not true or false")
    return value


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"'{name}' is not a list")
    return value


@dataclass(frozen=True)
class NotetypeEntry:
    hash: str
    mod: int
    fields: tuple[str, ...]
    templates: tuple[str, ...]


class NoteEntries(MutableMapping[str, NoteEntry]):
    """Note key -> entry. Entries read from a lock file stay as their JSON text (UTF-8
    bytes, as in the file) until one is looked up, and are written back as those same
    bytes: a build that touches a few notes of a large deck decodes and encodes only those."""

    def __init__(self, raw: dict[str, bytes] | None = None, *, source: Path | None = None) -> None:
        self._items: dict[str, NoteEntry | bytes] = dict(raw or {})
        self._source = source  # the lock file the texts come from, for messages

    def __getitem__(self, key: str) -> NoteEntry:
        item = self._items[key]
        if isinstance(item, bytes):
            try:
                item = NoteEntry.from_json(json.loads(item))
            except _DAMAGE as exc:  # never a KeyError: `get` would take it for "no entry"
                raise LockDamaged(self._source, _note_line(self._source, key), exc) from None
            self._items[key] = item
        return item

    def __setitem__(self, key: str, entry: NoteEntry) -> None:
        self._items[key] = entry

    def __delitem__(self, key: str) -> None:
        del self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def keep(self, key: str, other: NoteEntries) -> None:
        """Take `other`'s entry for `key` as it is, without decoding it."""
        self._items[key] = other._items[key]

    def encoded(self, key: str) -> bytes:
        """The entry's JSON text, as the lock file holds it."""
        item = self._items[key]
        return item if isinstance(item, bytes) else _encode(item.to_json())

    def ids(self) -> set[int]:
        """Every note id, read from the start of each entry's text where it can be."""
        found: set[int] = set()
        for key, item in self._items.items():
            prefix = item.partition(b",")[0] if isinstance(item, bytes) else b""
            digits = prefix.removeprefix(_ID_PREFIX)
            found.add(int(digits) if prefix != digits and digits.isdigit() else self[key].id)
        return found


_ID_PREFIX = b'{"id": '


@dataclass
class Lock:
    notes: NoteEntries = field(default_factory=NoteEntries)
    notetypes: dict[str, NotetypeEntry] = field(default_factory=dict)
    #: Diagram name -> point code -> its cloze number on the occlusion note. Numbers are
    #: never reused, so each occlusion card keeps asking for the same point.
    occlusion: dict[str, dict[str, int]] = field(default_factory=dict)
    #: What reading the lock repaired (see `read_lock`), for the build to report.
    repairs: list[Problem] = field(default_factory=list)
    #: The deck's own id, part of the identity of notes drawn from the whole deck (its
    #: image-occlusion notes): taken from its name at its first build, kept when the name
    #: changes. None in a lock written before it was kept (see `notes.deck_id`).
    deck_id: str | None = None

    def chunks(self) -> Iterator[bytes]:
        """The lock as JSON, in pieces: one line per note, so a change shows in `git diff`
        as the lines of the notes it touched. Written piece by piece, a large deck's lock
        never has to be held in memory whole."""
        notetypes = {
            key: {
                "hash": entry.hash,
                "mod": entry.mod,
                "fields": list(entry.fields),
                "templates": list(entry.templates),
            }
            for key, entry in sorted(self.notetypes.items())
        }
        occlusion = {
            name: dict(sorted(numbers.items())) for name, numbers in sorted(self.occlusion.items())
        }
        yield f'{{\n"version": {LOCK_VERSION},\n'.encode()
        if self.deck_id is not None:
            yield b'"deck": ' + _encode(self.deck_id) + b",\n"
        yield b'"notetypes": {\n'
        yield from _lines((key, _encode(value)) for key, value in notetypes.items())
        yield b'\n},\n"occlusion": {\n'
        yield from _lines((key, _encode(value)) for key, value in occlusion.items())
        yield b"\n}," + _NOTES_START
        yield from _lines((key, self.notes.encoded(key)) for key in sorted(self.notes))
        yield _NOTES_END

    def to_json(self) -> str:
        return b"".join(self.chunks()).decode()

    def stage(self, commit: Commit, path: Path) -> str:
        """Stage the lock to be written to `path` with the build's other files, unless the
        file there already holds the same bytes (it is then left untouched: git sees no
        change, and a read-only cards folder is no obstacle). Returns its sha256."""
        hashed = hashlib.sha256()

        def write(stream: BinaryIO) -> None:
            for chunk in self.chunks():  # made once: a large deck's lock is tens of MB
                hashed.update(chunk)
                stream.write(chunk)

        try:
            staged = commit.stage(path, write)
        except WriteFailed:
            digest = self.digest()
            if file_digest(path, root=path.parent) == digest:
                return digest  # nothing to write
            raise
        written = hashed.hexdigest()
        if file_digest(path, root=path.parent) == written:
            commit.unstage(staged)
        return written

    def digest(self) -> str:
        """The sha256 of the lock as `chunks` writes it."""
        hashed = hashlib.sha256()
        for chunk in self.chunks():
            hashed.update(chunk)
        return hashed.hexdigest()


def _lines(items: Iterable[tuple[str, bytes]]) -> Iterator[bytes]:
    """`"key": value` lines, comma-separated, from each key and its value's JSON text; a
    thousand lines to a piece (writing them one by one costs more than joining them)."""
    iterator = iter(items)
    separator = b""
    while batch := list(itertools.islice(iterator, 1000)):
        yield separator + b",\n".join(_quoted(key) + b": " + encoded for key, encoded in batch)
        separator = b",\n"


def _quoted(key: str) -> bytes:
    """A key as JSON text: written directly when JSON would write it as it is."""
    return f'"{key}"'.encode() if _plain_key(key) else _encode(key)


def _plain_key(key: str) -> bool:
    """Whether JSON writes `key` as it is between quotes, as it does note keys such as
    'point:ST2' (checked here: encoding or decoding tens of thousands is not free)."""
    return key.isprintable() and '"' not in key and "\\" not in key


def _encode(value: Any) -> bytes:
    """JSON text by json's fast C encoder, as the lock holds it (UTF-8)."""
    return json.dumps(value, ensure_ascii=False).encode()


def build_time() -> int:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isdigit() else int(time.time())


class LockDamaged(DeckgenError):
    """The lock cannot be read as deckgen writes it; the problem says where."""

    def __init__(
        self, path: Path | None, line: int, exc: Exception | str, *, unread: bool = False
    ) -> None:
        where = path if path is not None else Path(LOCK_FILE)
        reason = exc if isinstance(exc, str) else _reason(exc)
        message = (
            f"the lock file {reason}"
            if unread  # not a regular file, not readable, or from a newer deckgen
            else f"the lock file is damaged ({reason}); restore it from git, "
            "or delete it (the next import then updates every note once)"
        )
        self.problem = problem_at(where, line, 1, message)
        super().__init__(str(self.problem))


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing key {exc}"
    return str(exc) or type(exc).__name__


def read_lock(path: Path, *, root: Path | None = None, decode: bool = False) -> Lock:
    """The lock at `path`, or an empty one if there is none yet. Raises `LockDamaged` when
    it cannot be read as deckgen writes it. Note ids that are not valid, or that two notes
    share, and occlusion numbers that are not valid or not distinct are repaired, each
    repair described in `Lock.repairs`. Each note's entry is checked when it is first read,
    or here with `decode`. A link is followed only to a file inside `root`."""
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


#: The start of the line git writes where a merge left a conflict.
_CONFLICT = b"<<<<<<< "


def _merged(path: Path, raw: bytes) -> Lock:
    """The lock that git left with conflict markers, resolved: each side's entries kept;
    of a note both sides changed, the later entry, against which the build compares the
    note the merged cards give (the same: unchanged, and the other side's readers take
    it as newer; else changed, and newer than both); of a note type both changed, the
    later; each diagram's occlusion numbers, the union, a number two points claim kept
    by the point shipped first (the older note id). Each resolution is reported in
    `Lock.repairs`."""
    ours, theirs = (_parsed(path, _with_commas(side)) for side in _sides(raw))
    merged = Lock(
        notes=NoteEntries(source=path),
        repairs=[*ours.repairs, *theirs.repairs],
        deck_id=ours.deck_id or theirs.deck_id,
    )
    both: list[str] = []
    for key in sorted({*ours.notes, *theirs.notes}):
        if key not in theirs.notes or key not in ours.notes:
            merged.notes.keep(key, ours.notes if key in ours.notes else theirs.notes)
            continue
        mine, other = ours.notes[key], theirs.notes[key]
        # The later; of two as late, the one whose text sorts last: the same either way
        # round, whichever side merged which.
        latest = max(mine, other, key=lambda entry: (entry.mod, _encode(entry.to_json())))
        merged.notes[key] = latest
        if mine != other:
            both.append(key)
    for key in sorted({*ours.notetypes, *theirs.notetypes}):
        found = [lock.notetypes[key] for lock in (ours, theirs) if key in lock.notetypes]
        merged.notetypes[key] = max(found, key=lambda entry: (entry.mod, entry.hash))
    ids = {key: merged.notes[key].id for key in merged.notes if key.startswith("point:")}
    merged.occlusion = _merged_numbers(ours.occlusion, theirs.occlusion, ids, path, merged)
    summary = f"git left a conflict in the lock: both sides' notes are kept ({len(merged.notes)})"
    if both:
        shown = ", ".join(both[:8]) + (f" and {len(both) - 8} more" if len(both) > 8 else "")
        summary += f"; of the notes that differ, the later is compared with the cards: {shown}"
    merged.repairs.insert(0, problem_at(path, _line_of_text(path, "<<<<<<< "), 1, summary))
    return merged


def _sides(raw: bytes) -> tuple[bytes, bytes]:
    """The text of each side of a file with git's conflict markers (a common ancestor's
    part, in the diff3 style, left out)."""
    ours: list[bytes] = []
    theirs: list[bytes] = []
    into: tuple[list[bytes], ...] = (ours, theirs)
    for line in raw.splitlines(keepends=True):
        if line.startswith(b"<<<<<<< "):
            into = (ours,)
        elif line.startswith(b"||||||| "):
            into = ()
        elif line.rstrip(b"\r\n") == b"=======":
            into = (theirs,)
        elif line.startswith(b">>>>>>> "):
            into = (ours, theirs)
        else:
            for side in into:
                side.append(line)
    return b"".join(ours), b"".join(theirs)


def _with_commas(text: bytes) -> bytes:
    """One side of a conflict, with the commas between the lines of a section as JSON
    wants them: a merge can leave a section's last line with one, or a line without."""
    lines = text.split(b"\n")
    for index in range(len(lines) - 1):
        line, following = lines[index].rstrip(), lines[index + 1].lstrip()
        if line.endswith(b",") and following.startswith(b"}"):
            lines[index] = line[:-1]
        elif line.endswith((b"}", b"]")) and following.startswith(b'"'):
            lines[index] = line + b","
    return b"\n".join(lines)


def _merged_numbers(
    ours: dict[str, dict[str, int]],
    theirs: dict[str, dict[str, int]],
    ids: dict[str, int],
    path: Path,
    merged: Lock,
) -> dict[str, dict[str, int]]:
    """Each diagram's occlusion numbers from both sides (see `_merged`)."""
    numbers: dict[str, dict[str, int]] = {}
    for name in sorted({*ours, *theirs}):
        claims = sorted(  # (number, first shipped, code): the point shipped first wins
            (number, ids.get(f"point:{code}", 0), code)
            for side in (ours.get(name, {}), theirs.get(name, {}))
            for code, number in side.items()
        )
        kept: dict[str, int] = {}
        owners: dict[int, str] = {}
        for number, _, code in claims:
            if code in kept:
                continue  # the same point on both sides: its smaller number
            if number in owners:
                message = (
                    f"occlusion card {number} of diagram '{name}' keeps asking about point "
                    f"{owners[number]}; point {code}, given it on another branch, gets a new "
                    "card number"
                )
                merged.repairs.append(problem_at(path, _occlusion_line(path, name), 1, message))
                continue
            kept[code], owners[number] = number, code
        numbers[name] = kept
    return numbers


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's keys, each once: json would keep the last of two silently."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _Duplicate(key)
        found[key] = value
    return found


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"'{key[:60]}' is listed twice")
        self.key = key


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


#: A line that starts a note's entry: its key, as JSON text.
_KEY_LINE = re.compile(rb'^("(?:[^"\\\n]|\\.)*"):', re.MULTILINE)


def _note_lines(path: Path) -> dict[str, int]:
    """The line of each note's entry in the lock file, read once: a lock with many notes
    to repair must not be read once for each."""
    raw = _lock_bytes(path)
    lines: dict[str, int] = {}
    line, last = 1, 0
    for found in _KEY_LINE.finditer(raw):
        line += raw.count(b"\n", last, found.start())
        last = found.start()
        try:
            lines.setdefault(json.loads(found.group(1)), line)
        except ValueError:
            continue
    return lines


def _note_line(path: Path | None, key: str) -> int:
    """The line of a note's entry in the lock file (1 if it cannot be found)."""
    return _line_of_text(path, json.dumps(key, ensure_ascii=False) + ":")


def _occlusion_line(path: Path, name: str) -> int:
    """The line of a diagram's occlusion numbers in the lock file (1 if not found)."""
    raw = _lock_bytes(path)
    start = raw.find(b'\n"occlusion": {\n')
    return (_line_starting(raw, _encode(name) + b":", start) if start >= 0 else None) or 1


def _line_of_text(path: Path | None, text: str) -> int:
    """The line on which `text` first starts a line of the lock file (1 if nowhere)."""
    return _line_starting(_lock_bytes(path), text.encode()) or 1


def _line_of(raw: bytes, exc: Exception) -> int:
    """Where in the lock a problem with its head is: the second use of a duplicate key."""
    if isinstance(exc, _Duplicate):
        key = _encode(exc.key) + b":"
        first = raw.find(b"\n" + key)
        return (_line_starting(raw, key, first + 1) if first >= 0 else None) or 1
    return 1


def _lock_bytes(path: Path | None) -> bytes:
    """The lock file's bytes, read again to say where a problem is (none if it is gone)."""
    try:
        return path.read_bytes() if path is not None else b""
    except OSError:
        return b""


def _line_starting(raw: bytes, text: bytes, start: int = 0) -> int | None:
    """The line on which `text` starts a line of `raw`, from `start` on; None if nowhere."""
    index = raw.find(b"\n" + text, start)
    return raw.count(b"\n", 0, index) + 2 if index >= 0 else None


def _json_line(raw: bytes, head: bytes, exc: json.JSONDecodeError) -> int:
    """The line of a JSON syntax error in the lock file (the head is the file's start)."""
    return exc.lineno if raw.startswith(head[: exc.pos]) else 1


#: What decoding a damaged lock raises.
_DAMAGE = (ValueError, KeyError, TypeError, AttributeError, RecursionError)


#: A note's line as `Lock.chunks` writes it, with a key that has no escapes: the JSON text
#: between the quotes is then the key itself.
_NOTE_LINE = re.compile(rb'^"([^"\\\n]*)": (\{[^\n]*\}),?$', re.MULTILINE)
_NOTES_START = b'\n"notes": {\n'
_NOTES_END = b"\n}\n}\n"


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


def next_mod(previous: int | None, now: int) -> int:
    """A modification time later than `previous`: Anki compares whole seconds."""
    return now if previous is None else max(now, previous + 1)


class IdAllocator:
    """Hands out note ids for new notes: millisecond times (Anki reads them as the
    creation date), `ID_SPACING` apart from every other id (a note's cards take the ids
    after its own).

    A note's id is the build time plus a number of seconds drawn from its key, not the
    next one free: two authors who each add notes on their own branch in the same second
    give them different ids, so their lock files merge cleanly. A rare clash after a
    merge is repaired when the lock is read. The seconds are drawn from at least `SLOTS`
    (about an hour), and from twice as many as there are `new` notes (a first build of a
    large deck spans hours, as it did when ids were handed out in turn), so that a free
    one is found in a step or two."""

    SLOTS = 4096

    def __init__(self, lock: Lock, now: int, *, new: int = 0) -> None:
        self._lock = lock
        self._now = now
        self._slots = max(self.SLOTS, 2 * new)
        self._used: set[int] | None = None  # read when the first new note needs an id

    def take(self, key: str) -> int:
        if self._used is None:
            self._used = self._lock.notes.ids()
        slot = zlib.crc32(key.encode("utf-8", "surrogateescape")) % self._slots
        while (taken := (self._now + slot) * 1000) in self._used:
            slot += 1
        self._used.add(taken)
        return taken
