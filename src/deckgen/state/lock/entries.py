"""The lock's entries: each note (`NoteEntry`) and note type (`NotetypeEntry`) as last
built, the notes kept as their JSON text until looked up (`NoteEntries`), and the
checks that the values read from a lock file are ones deckgen writes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deckgen.kinds.ids import has_empty_part
from deckgen.source.yamldoc import UNSTORABLE
from deckgen.state.lock.damage import _DAMAGE, LockDamaged, _note_line
from deckgen.state.lock.layout import _encode


@dataclass(frozen=True, slots=True)
class NoteEntry:
    """One note as last built: its fields' `names` and the HTML shipped in each (`values`).

    Names and values are kept apart, not as pairs: a new entry shares its names with its
    note type and its values with its note (a large deck's lock has hundreds of thousands
    of fields)."""

    id: int
    mod: int
    notetype: str
    deck: str
    tags: tuple[str, ...]
    names: tuple[str, ...]
    values: tuple[str, ...]
    removed: bool = False

    @property
    def fields(self) -> tuple[tuple[str, str], ...]:
        """Each field's name and HTML."""
        return tuple(zip(self.names, self.values, strict=True))

    def same_content(self, other: NoteEntry) -> bool:
        return (self.notetype, self.deck, self.tags, self.names, self.values, self.removed) == (
            other.notetype,
            other.deck,
            other.tags,
            other.names,
            other.values,
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
            "fields": dict(zip(self.names, self.values, strict=True)),
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
        for name, value in fields.items():
            _text(name, "fields")
            _text(value, "fields")
        return cls(
            id=note_id,
            mod=mod,
            notetype=notetype,
            deck=deck,
            tags=tags,
            names=tuple(fields),
            values=tuple(fields.values()),
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

    def encoded(self, key: str, *, keep: bool = False) -> bytes:
        """The entry's JSON text, as the lock file holds it. With `keep`, kept as that text
        from here on, as if read from the file: a lock kept after it is written (see
        `wrote_lock`) is encoded again only where it changes."""
        item = self._items[key]
        if isinstance(item, bytes):
            return item
        encoded = _encode(item.to_json())
        if keep:
            self._items[key] = encoded
        return encoded

    def ids(self) -> set[int]:
        """Every note id, read from the start of each entry's text where it can be."""
        found: set[int] = set()
        for key, item in self._items.items():
            prefix = item.partition(b",")[0] if isinstance(item, bytes) else b""
            digits = prefix.removeprefix(_ID_PREFIX)
            found.add(int(digits) if prefix != digits and digits.isdigit() else self[key].id)
        return found


_ID_PREFIX = b'{"id": '
