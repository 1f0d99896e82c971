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

import filecmp
import itertools
import json
import os
import re
import time
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deckgen.errors import DeckgenError, display_path

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
        return cls(
            id=int(data["id"]),
            mod=int(data["mod"]),
            notetype=str(data["notetype"]),
            deck=str(data["deck"]),
            tags=tuple(data["tags"]),
            fields=tuple((str(k), str(v)) for k, v in data["fields"].items()),
            removed=bool(data.get("removed", False)),
        )


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
                raise _damaged(self._source, exc) from None
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

    def highest_id(self) -> int:
        """The largest note id, read from the start of each entry's text where it can be."""
        highest = 0
        for key, item in self._items.items():
            prefix = item.partition(b",")[0] if isinstance(item, bytes) else b""
            digits = prefix.removeprefix(_ID_PREFIX)
            note_id = int(digits) if prefix != digits and digits.isdigit() else self[key].id
            highest = max(highest, note_id)
        return highest


_ID_PREFIX = b'{"id": '


@dataclass
class Lock:
    notes: NoteEntries = field(default_factory=NoteEntries)
    notetypes: dict[str, NotetypeEntry] = field(default_factory=dict)
    #: Diagram name -> point code -> its cloze number on the occlusion note. Numbers are
    #: never reused, so each occlusion card keeps asking for the same point.
    occlusion: dict[str, dict[str, int]] = field(default_factory=dict)

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
        yield f'{{\n"version": {LOCK_VERSION},\n"notetypes": {{\n'.encode()
        yield from _lines((key, _encode(value)) for key, value in notetypes.items())
        yield b'\n},\n"occlusion": {\n'
        yield from _lines((key, _encode(value)) for key, value in occlusion.items())
        yield b"\n}," + _NOTES_START
        yield from _lines((key, self.notes.encoded(key)) for key in sorted(self.notes))
        yield _NOTES_END

    def to_json(self) -> str:
        return b"".join(self.chunks()).decode()

    def write(self, path: Path) -> None:
        """Write the lock to `path` atomically, leaving the file untouched if it is the same."""
        temporary = path.with_name(f".{path.name}.tmp")
        with temporary.open("wb") as file:
            file.writelines(self.chunks())
        if path.is_file() and filecmp.cmp(temporary, path, shallow=False):
            temporary.unlink()
        else:
            temporary.replace(path)


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


def read_lock(path: Path) -> Lock:
    """The lock at `path`, or an empty one if there is none yet."""
    if not path.is_file():
        return Lock()
    try:
        head, raw_notes = _split_notes(path.read_bytes())
        data = json.loads(head)
        if data.get("version") != LOCK_VERSION:
            raise ValueError(f"unsupported lock version {data.get('version')!r}")
        if raw_notes is None:  # not as deckgen writes it (edited by hand?): decode it whole
            raw_notes = {key: _encode(value) for key, value in data["notes"].items()}
        return Lock(
            notes=NoteEntries(raw_notes, source=path),
            notetypes={
                key: NotetypeEntry(
                    hash=value["hash"],
                    mod=int(value["mod"]),
                    fields=tuple(value["fields"]),
                    templates=tuple(value["templates"]),
                )
                for key, value in data["notetypes"].items()
            },
            occlusion={
                str(name): {str(code): int(n) for code, n in numbers.items()}
                for name, numbers in data.get("occlusion", {}).items()
            },
        )
    except _DAMAGE as exc:
        raise _damaged(path, exc) from None


#: What decoding a damaged lock raises.
_DAMAGE = (ValueError, KeyError, TypeError, AttributeError)


def _damaged(path: Path | None, exc: Exception) -> DeckgenError:
    where = display_path(path) if path is not None else LOCK_FILE
    return DeckgenError(
        f"{where}: the lock file is damaged ({exc}); restore it from git, "
        "or delete it (the next import then updates every note once)"
    )


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
        found[key] = value
    return found


def next_mod(previous: int | None, now: int) -> int:
    """A modification time later than `previous`: Anki compares whole seconds."""
    return now if previous is None else max(now, previous + 1)


class IdAllocator:
    """Hands out note ids for new notes: millisecond times (Anki reads them as the
    creation date), spaced apart and above every id already in the lock."""

    def __init__(self, lock: Lock, now: int) -> None:
        self._lock = lock
        self._now = now
        self._next: int | None = None  # worked out when the first new note needs an id

    def take(self) -> int:
        if self._next is None:
            highest = self._lock.notes.highest_id()
            self._next = max(self._now * 1000, highest + ID_SPACING)
        taken = self._next
        self._next += ID_SPACING
        return taken
