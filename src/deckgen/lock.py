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
    """Note key -> entry. Entries read from a lock file stay as their JSON text until one
    is looked up, and are written back as that same text: a build that touches a few
    notes of a large deck decodes and encodes only those."""

    def __init__(self, raw: dict[str, str] | None = None, *, source: Path | None = None) -> None:
        self._items: dict[str, NoteEntry | str] = dict(raw or {})
        self._source = source  # the lock file the texts come from, for messages

    def __getitem__(self, key: str) -> NoteEntry:
        item = self._items[key]
        if isinstance(item, str):
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

    def encoded(self, key: str) -> str:
        """The entry's JSON text, as the lock file holds it."""
        item = self._items[key]
        return item if isinstance(item, str) else _encode(item.to_json())

    def highest_id(self) -> int:
        """The largest note id, read from the start of each entry's text where it can be."""
        highest = 0
        for key, item in self._items.items():
            prefix = item.partition(",")[0] if isinstance(item, str) else ""
            digits = prefix.removeprefix(_ID_PREFIX)
            note_id = int(digits) if prefix != digits and digits.isdigit() else self[key].id
            highest = max(highest, note_id)
        return highest


_ID_PREFIX = '{"id": '


@dataclass
class Lock:
    notes: NoteEntries = field(default_factory=NoteEntries)
    notetypes: dict[str, NotetypeEntry] = field(default_factory=dict)
    #: Diagram name -> point code -> its cloze number on the occlusion note. Numbers are
    #: never reused, so each occlusion card keeps asking for the same point.
    occlusion: dict[str, dict[str, int]] = field(default_factory=dict)

    def chunks(self) -> Iterator[str]:
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
        yield f'{{\n"version": {LOCK_VERSION},\n"notetypes": {{\n'
        yield from _lines((key, _encode(value)) for key, value in notetypes.items())
        yield '\n},\n"occlusion": {\n'
        yield from _lines((key, _encode(value)) for key, value in occlusion.items())
        yield '\n},\n"notes": {\n'
        yield from _lines((key, self.notes.encoded(key)) for key in sorted(self.notes))
        yield "\n}\n}\n"

    def to_json(self) -> str:
        return "".join(self.chunks())

    def write(self, path: Path) -> None:
        """Write the lock to `path` atomically, leaving the file untouched if it is the same."""
        temporary = path.with_name(f".{path.name}.tmp")
        with temporary.open("w", encoding="utf-8") as file:
            file.writelines(self.chunks())
        if path.is_file() and filecmp.cmp(temporary, path, shallow=False):
            temporary.unlink()
        else:
            temporary.replace(path)


def _lines(items: Iterable[tuple[str, str]]) -> Iterator[str]:
    """`"key": value` lines, comma-separated, from each key and its value's JSON text; a
    thousand lines to a piece (writing them one by one costs more than joining them)."""
    iterator = iter(items)
    separator = ""
    while batch := list(itertools.islice(iterator, 1000)):
        yield separator + ",\n".join(f"{_quoted(key)}: {encoded}" for key, encoded in batch)
        separator = ",\n"


def _quoted(key: str) -> str:
    """A key as JSON text: written directly when JSON would write it as it is."""
    return f'"{key}"' if _plain_key(key) else _encode(key)


def _plain_key(key: str) -> bool:
    """Whether JSON writes `key` as it is between quotes, as it does note keys such as
    'point:ST2' (checked here: encoding or decoding tens of thousands is not free)."""
    return key.isprintable() and '"' not in key and "\\" not in key


def _encode(value: Any) -> str:
    """JSON text by json's fast C encoder, as the lock holds it."""
    return json.dumps(value, ensure_ascii=False)


def build_time() -> int:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isdigit() else int(time.time())


def read_lock(path: Path) -> Lock:
    """The lock at `path`, or an empty one if there is none yet."""
    if not path.is_file():
        return Lock()
    try:
        text = path.read_text(encoding="utf-8")
        head, raw_notes = _split_notes(text)
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
_NOTE_LINE = re.compile(r'^"([^"\\\n]*)": (\{[^\n]*\}),?$', re.MULTILINE)
_NOTES_START = '\n"notes": {\n'
_NOTES_END = "\n}\n}\n"


def _split_notes(text: str) -> tuple[str, dict[str, str] | None]:
    """The lock without its notes (as JSON text) and each note's JSON text by key, when
    the file is laid out as `Lock.chunks` writes it (one note per line); otherwise the
    whole text and None."""
    start = text.find(_NOTES_START)
    if start < 0 or not text.endswith(_NOTES_END):
        return text, None
    head = text[: start + len(_NOTES_START)] + "}}"
    body = text[start + len(_NOTES_START) : -len(_NOTES_END)]
    raw: dict[str, str] = dict(_NOTE_LINE.findall(body))  # one pass in C: the usual case
    if len(raw) == (body.count("\n") + 1 if body else 0):
        return head, raw
    lines = body.split("\n")  # a key with escapes, or a line as deckgen would not write it
    raw = {}
    decoder = json.JSONDecoder()
    last = len(lines) - 1
    for index, line in enumerate(lines if lines != [""] else []):
        end = line.find('": {') + 1
        key = line[1 : end - 1]
        if not (line.startswith('"') and end and _plain_key(key)):
            try:  # a key with escapes: let json read it
                key, end = decoder.raw_decode(line)
            except ValueError:
                return text, None
        value = line[end + 2 : None if index == last else -1]  # each but the last ends with ','
        if not isinstance(key, str) or line[end : end + 3] != ": {" or value[-1:] != "}":
            return text, None
        raw[key] = value
    return head, raw


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
