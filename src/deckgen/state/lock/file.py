"""The lock as a whole (`Lock`) and writing it: as JSON with one line per note, staged to
be written with the build's other files."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from deckgen.source.errors import Problem
from deckgen.source.files import file_digest
from deckgen.state import kept
from deckgen.state.commit import Commit, WriteFailed
from deckgen.state.lock.entries import NoteEntries, NotetypeEntry
from deckgen.state.lock.layout import _NOTES_END, _NOTES_START, LOCK_VERSION, _encode


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
        keep = kept.keeping()  # a watch keeps the lock it writes: encoded, it is smaller
        yield from _lines((key, self.notes.encoded(key, keep=keep)) for key in sorted(self.notes))
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
