"""What the last build of a cards folder read and wrote, so that the next build does only
the work that changed: one SQLite file per cards folder in the (git-ignored) output folder.

The file is that build's Anki collection (whose rows are copied for notes reused) with
deckgen's own tables beside Anki's:

- `deckgen_files`: per note file, its digest, its parsed data, its summary, its own
  warnings, the notes its record gave and the digest of what they read of other files
  (`Kind.reads`, the cache contract);
- `deckgen_meta`: the build's header (deckgen, Python, the other inputs, the lock as
  written), its state (the digest of every input, the .apkg's digest and the report: a
  rebuild with nothing changed does no work), where the package holds each compressed
  block, the stat and digest of each input hashed, the diagrams' label layouts (an edit
  makes the occlusion notes anew, and their layout is the costly part) and, written by a
  watch, a token naming the entries it keeps in memory.

A build writes the whole file beside the others it writes and renames it into place with
them (see `commit`); a rebuild with nothing changed updates the hashes in place, in one
transaction. A file that cannot be read as written is ignored: the build does all its work.
"""

from __future__ import annotations

import json
import marshal
import os
import sqlite3
import sys
from collections.abc import Container, Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deckgen.anki.package import PackagedNote
from deckgen.anki.zipwrite import DEFLATE_SETTINGS, Placed, blocks_in
from deckgen.kinds import registry
from deckgen.kinds.folder import Cards, is_note_file
from deckgen.kinds.layouts import Layout, well_formed_layouts
from deckgen.kinds.notefile import NoteFile
from deckgen.kinds.spec import KeptNote
from deckgen.source.errors import problems_at
from deckgen.source.files import read_regular
from deckgen.state.cachefile import meta_values, reading
from deckgen.state.commit import Commit, WriteFailed
from deckgen.state.kept import Store, keeping
from deckgen.state.lock import LOCK_FILE
from deckgen.state.nochange import Inputs, digest_of, plain

CACHE_VERSION = 8

_SCHEMA = """
CREATE TABLE deckgen_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE deckgen_files (name TEXT PRIMARY KEY, entry BLOB NOT NULL);
"""


@dataclass(frozen=True)
class Cache:
    """The reusable part of the last build: note files unchanged since, and their notes."""

    path: Path  # the file, whose collection holds the notes' rows
    files: dict[str, NoteFile]  # by name, e.g. 'points/ST2.yaml'
    notes: dict[str, tuple[KeptNote, ...]]  # by record key, e.g. 'point:ST2'
    reads: dict[str, str]  # what each record's notes read of other files, by record key
    #: The entries of `files` as decoded, when this process keeps them (see `state.kept`).
    entries: dict[str, Entry] = field(default_factory=dict)
    #: The diagrams' label layouts the last build used (see `drawing.known_layouts`).
    layouts: dict[str, Layout] = field(default_factory=dict)

    def kept(self, cards: Cards, reads: Mapping[str, str]) -> dict[str, tuple[KeptNote, ...]]:
        """The notes to ship as they were: those of the records read from unchanged files
        whose notes read the same of other files (`reads`, by record key) as when they were
        made. Every record gives at least one note: a record cached with none is made
        again, never shipped as none."""
        return {
            file.key: self.notes[file.key]
            for file in cards.files
            if file.reused
            and self.notes[file.key]
            and self.reads.get(file.key, "") == reads.get(file.key, "")
        }


#: A note file's entry: name, digest, parsed data (marshalled), stored summary, warnings,
#: the notes made of it and what they read; marshalled in the file.
Entry = tuple[Any, ...]


#: The entries each build of this process wrote to each cache file, by name, marked with
#: the random token written beside them, while it keeps them (see `state.kept`).
_WRITTEN: Store[dict[str, Entry]] = Store()


def load(path: Path, cards_dir: Path, inputs: Inputs) -> Cache | None:
    """The cache of the last build, or None if there is none or it cannot be used: only
    while everything but the note files is as it was (the same deckgen, libraries,
    deck.yaml, sources.yaml and images, and the lock as that build wrote it), and only
    the note files whose digest is the same."""
    kinds = {kind.folder: kind for kind in registry.kinds()}
    files: dict[str, NoteFile] = {}
    notes: dict[str, tuple[KeptNote, ...]] = {}
    reads: dict[str, str] = {}
    entries: dict[str, Entry] = {}
    kept_here = keeping()
    with reading(path) as connection:
        meta = meta_values(connection, "header", "token", "layouts", "rows")
        if meta.get("header") != _header(inputs) or connection is None:
            return None
        try:
            as_written = _WRITTEN.get(path, meta.get("token"))  # by this process: known
            if as_written is None and meta.get("rows") != _rows(connection):
                return None  # its collection lost or gained rows
            for entry in as_written.values() if as_written is not None else _decoded(connection):
                name, digest, data, stored, warnings, kept, read = entry
                kind = kinds.get(name.partition("/")[0])
                if kind is None or inputs.files.get(f"cards/{name}") != digest:
                    continue
                summary = kind.summary_type.restored(stored)
                problems = problems_at(cards_dir / name, warnings) if warnings else ()
                file = NoteFile(cards_dir, name, kind, data, summary, problems)
                files[name] = file
                notes[file.key] = tuple(map(KeptNote._make, kept))
                if read:
                    reads[file.key] = read
                if kept_here:
                    entries[name] = entry
        except (sqlite3.Error, EOFError, ValueError, TypeError):
            return None
    return Cache(path, files, notes, reads, entries, well_formed_layouts(meta.get("layouts")))


def _rows(connection: sqlite3.Connection) -> tuple[int, int]:
    """How many notes and cards the collection of `connection` holds: the last build's
    kept notes are copied from there, so a cache whose count differs is not used."""
    (notes,) = connection.execute("SELECT COUNT(*) FROM notes").fetchone()
    (cards,) = connection.execute("SELECT COUNT(*) FROM cards").fetchone()
    return notes, cards


def _decoded(connection: sqlite3.Connection) -> Iterator[Entry]:
    """The note files' entries of the cache file open on `connection`."""
    for (raw,) in connection.execute("SELECT entry FROM deckgen_files"):
        yield marshal.loads(raw)


def deflated_blocks(path: Path, package: Path) -> dict[bytes, memoryview]:
    """The blocks the last build compressed into `package` (see `zipwrite`), those still
    there as written. They depend on nothing but their content, so they serve even when
    the rest of the cache does not."""
    with reading(path) as connection:
        found = meta_values(connection, "blocks").get("blocks")
    if not isinstance(found, tuple) or len(found) != 2:
        return {}
    try:
        settings, placed = found
        if settings != DEFLATE_SETTINGS:
            return {}
        return blocks_in(read_regular(package), placed)
    except Exception:
        return {}


def stage(
    commit: Commit,
    path: Path,
    *,
    collection: Path,
    inputs: Inputs,
    cards: Cards,
    reads: Mapping[str, str],
    packaged: Iterable[PackagedNote],
    placed: Mapping[bytes, Placed],
    report: Any,
    output_sha256: str,
    previous: Cache | None = None,
    kept: Container[str] = (),
    layouts: Mapping[str, Layout] | None = None,
) -> None:
    """Write what this build read and wrote into its `collection` (already packaged),
    and stage it as the cache file at `path`. A file of the `previous` cache whose
    record's notes were `kept` keeps its entry as it was."""
    by_record: dict[str, list[tuple[str, str, int, int, str, str]]] = {}
    for note in packaged:
        if note.origin and not note.kept:  # a kept record's entry is copied as it was
            shipped = (note.key, note.guid, note.note_id, note.mod, note.notetype.key, note.deck)
            by_record.setdefault(note.origin, []).append(shipped)
    digest = inputs.digest
    state = {
        "inputs": digest,
        "output": report.output.name,
        "output_sha256": output_sha256,
        "report": report,
    }
    meta: dict[str, Any] = {
        "inputs": digest,  # also apart: see `cachefile.saved_report`
        "header": _header(inputs),
        "state": json.dumps(state, ensure_ascii=False, default=plain),
        "blocks": (DEFLATE_SETTINGS, dict(placed)),
        "hashes": inputs.hashed,
        "layouts": dict(layouts or {}),
    }
    copied = {file.name for file in cards.files if file.key in kept} if previous else set()
    # Kept in memory only if every entry is at hand (those copied, from the last build's).
    earlier = previous.entries if previous is not None else {}
    written = {name: earlier[name] for name in copied if name in earlier}
    keep = keeping() and len(written) == len(copied)
    if keep:
        meta["token"] = os.urandom(16)

    def entry(file: NoteFile) -> Entry:
        made = (
            file.name,
            inputs.files.get(f"cards/{file.name}", ""),
            file.data,
            file.summary.stored(),
            tuple((w.line, w.column, w.message) for w in file.warnings),
            tuple(by_record.get(file.key, ())),
            reads.get(file.key, ""),
        )
        if keep:
            written[file.name] = made
        return made

    entries = (
        (file.name, marshal.dumps(entry(file))) for file in cards.files if file.name not in copied
    )
    try:
        _write(collection, meta, entries, copied, previous)
    except sqlite3.DatabaseError as exc:  # the disk full, say: the build writes nothing
        raise WriteFailed(path.parent, str(exc)) from None
    commit.stage_file(path, collection)
    if keep:  # should the commit fail, the file never holds this token: no harm done
        _WRITTEN.keep(path, meta["token"], written)


def _write(
    collection: Path,
    meta: Mapping[str, Any],
    entries: Iterable[tuple[str, bytes]],
    copied: set[str],
    previous: Cache | None,
) -> None:
    """Add deckgen's tables to the collection: `meta`, the `entries` of the note files
    read, and those of the files `copied` from the `previous` cache as they were."""
    with closing(sqlite3.connect(collection)) as connection, connection:
        # A new file nobody reads yet, flushed whole before it is renamed into place (see
        # `commit`): no journal is needed to keep it whole.
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        meta = {**meta, "rows": _rows(connection)}  # the collection as packaged
        connection.executescript(_SCHEMA)
        connection.executemany(
            "INSERT INTO deckgen_meta VALUES (?, ?)",
            ((key, marshal.dumps(value)) for key, value in meta.items()),
        )
        if previous is not None and copied:
            connection.execute("ATTACH DATABASE ? AS previous", (str(previous.path),))
            connection.execute("CREATE TEMP TABLE copied (name TEXT PRIMARY KEY)")
            connection.executemany("INSERT INTO temp.copied VALUES (?)", ((n,) for n in copied))
            connection.execute(
                "INSERT INTO deckgen_files SELECT f.name, f.entry FROM previous.deckgen_files f"
                " JOIN temp.copied c ON c.name = f.name"
            )
        connection.executemany("INSERT OR REPLACE INTO deckgen_files VALUES (?, ?)", entries)


def forget(path: Path) -> None:
    """Drop the cache, so that the next build reads and makes everything again."""
    path.unlink(missing_ok=True)


def _header(inputs: Inputs) -> tuple[object, ...]:
    """What must be as it was for the cache to be used: deckgen, Python, every input but
    the note files and the lock, and the lock as the build wrote it."""
    lock = f"cards/{LOCK_FILE}"
    others = digest_of(
        (name, digest)
        for name, digest in inputs.files.items()
        if name != lock and not _is_note_file(name)
    )
    return (CACHE_VERSION, sys.version, others, inputs.files.get(lock))


def _is_note_file(name: str) -> bool:
    """Whether an input is a note file, e.g. 'cards/points/ST2.yaml'."""
    return name.startswith("cards/") and is_note_file(name[6:])
