"""What the last build of a cards folder parsed and shipped, so that the next build reads
again only the note files that changed and reuses the rest.

The cache sits in the (git-ignored) output folder, one subfolder per cards folder: that
build's collection and, per note file, its digest, its parsed data, its own warnings and
the notes its record gave. It is used only while everything else is as it was: the same
deckgen and libraries, the same deck.yaml, sources.yaml and images, and the lock as that
build wrote it. A note file with the same digest then parses to the same record, and that
record to the same notes, which the lock already holds: they are shipped as they were.
Their rows are copied from the last collection, and their lock lines are kept verbatim.
A record's notes are reused only if what they read of other files (`Kind.reads`, the
cache contract) is as it was too.
"""

from __future__ import annotations

import marshal
import shutil
import sys
import uuid
import zlib
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any, BinaryIO

from deckgen.anki.package import PackagedNote
from deckgen.anki.zipwrite import DEFLATE_SETTINGS, Placed, blocks_in
from deckgen.kinds import registry
from deckgen.kinds.folder import Cards, is_note_file
from deckgen.kinds.notefile import NoteFile
from deckgen.kinds.spec import KeptNote
from deckgen.source.errors import problem_at
from deckgen.source.files import read_regular
from deckgen.state.commit import Commit
from deckgen.state.lock import LOCK_FILE
from deckgen.state.nochange import Inputs, digest_of, folder_digest

CACHE_PREFIX = ".deckgen-cache-"
CACHE_VERSION = 7
_INDEX = "index.marshal"
_BLOCKS = "blocks.marshal"


def cache_dir(out_dir: Path, cards_dir: Path) -> Path:
    return out_dir / f"{CACHE_PREFIX}{folder_digest(cards_dir)}"


def known_hashes(out_dir: Path, cards_dir: Path) -> Path:
    """Where `buildstate.Inputs` keeps the stat and digest of each input it hashed."""
    return cache_dir(out_dir, cards_dir) / "hashes.marshal"


@dataclass(frozen=True)
class Cache:
    """The reusable part of the last build: note files unchanged since, and their notes."""

    files: dict[str, NoteFile]  # by name, e.g. 'points/ST2.yaml'
    notes: dict[str, tuple[KeptNote, ...]]  # by record key, e.g. 'point:ST2'
    reads: dict[str, str]  # what each record's notes read of other files, by record key
    collection: Path
    entries: dict[str, memoryview]  # each file's index entry as read, by name
    context: str  # `_context` of the inputs it was made from, as they are now

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


def load(out_dir: Path, cards_dir: Path, inputs: Inputs) -> Cache | None:
    """The cache of the last build, or None if there is none or it cannot be used."""
    folder = cache_dir(out_dir, cards_dir)
    files: dict[str, NoteFile] = {}
    notes: dict[str, tuple[KeptNote, ...]] = {}
    reads: dict[str, str] = {}
    raws: dict[str, memoryview] = {}
    kinds = {kind.folder: kind for kind in registry.kinds()}
    try:
        entries = _entries(_checked(read_regular(folder / _INDEX)))
        header, index = marshal.loads(next(entries))
        context = _context(inputs)
        if header != _header(inputs, context):
            return None
        for raw in entries:
            name, digest, data, stored, warnings, kept, read = marshal.loads(raw)
            if inputs.files.get(f"cards/{name}") != digest:
                continue
            raws[name] = raw
            kind = kinds[name.partition("/")[0]]
            summary = kind.summary_type.restored(stored)
            problems = tuple(problem_at(cards_dir / name, *warning) for warning in warnings)
            file = NoteFile(cards_dir, name, kind, data, summary, problems)
            files[name] = file
            notes[file.key] = tuple(KeptNote(*note) for note in kept)
            if read:
                reads[file.key] = read
        collection = folder / str(index["collection"])
        stat = collection.lstat()
        if not S_ISREG(stat.st_mode):
            return None
        if (stat.st_size, stat.st_mtime_ns) != tuple(index["collection_stat"]):
            return None
    except Exception:
        return None
    return Cache(files, notes, reads, collection, raws, context)


def deflated_blocks(out_dir: Path, cards_dir: Path, package: Path) -> dict[bytes, memoryview]:
    """The blocks the last build compressed into `package` (see `zipwrite`), those still
    there as written. They depend on nothing but their content, so they serve even when
    the rest of the cache does not."""
    try:
        settings, placed = marshal.loads(read_regular(cache_dir(out_dir, cards_dir) / _BLOCKS))
        if settings != DEFLATE_SETTINGS:
            return {}
        return blocks_in(read_regular(package), placed)
    except Exception:
        return {}


def save(
    commit: Commit,
    out_dir: Path,
    cards_dir: Path,
    *,
    inputs: Inputs,
    cards: Cards,
    reads: Mapping[str, str],
    packaged: Iterable[PackagedNote],
    collection: Path,
    placed: Mapping[bytes, Placed],
    previous: Cache | None = None,
    kept: Container[str] = (),
) -> str:
    """Stage what this build read and wrote, for the next one: `collection` is moved into
    the cache, and where the package holds each compressed block (`Deflater.placed`) is
    noted. A file of the `previous` cache whose record's notes were `kept` keeps its
    entry as it was. Returns the collection's name in the cache: once committed, `prune`
    removes the others."""
    folder = cache_dir(out_dir, cards_dir)
    commit.stage_bytes(folder / _BLOCKS, marshal.dumps((DEFLATE_SETTINGS, dict(placed))))
    by_record: dict[str, list[tuple[str, str, int, int, str, str]]] = {}
    for note in packaged:
        if note.origin and not note.kept:  # a kept record's entry is written back as read
            shipped = (note.key, note.guid, note.note_id, note.mod, note.notetype.key, note.deck)
            by_record.setdefault(note.origin, []).append(shipped)
    name = f"collection-{uuid.uuid4().hex}.anki2"
    stat = commit.stage_file(folder / name, collection).stat()  # the same file once renamed
    index = {
        "collection": name,
        "collection_stat": (stat.st_size, stat.st_mtime_ns),  # a changed file is not used
    }

    def write(stream: BinaryIO) -> None:  # one entry at a time: never all in memory at once
        context = previous.context if previous else _context(inputs)  # the same inputs
        check = _write_entry(stream, (_header(inputs, context), index), 0)
        for file in cards.files:
            raw = previous.entries.get(file.name) if previous and file.key in kept else None
            if raw is not None:
                check = _write_marshalled(stream, raw, check)
                continue
            entry = (
                file.name,
                inputs.files.get(f"cards/{file.name}", ""),
                file.data,
                file.summary.stored(),
                tuple((w.line, w.column, w.message) for w in file.warnings),
                tuple(by_record.get(file.key, ())),
                reads.get(file.key, ""),
            )
            check = _write_entry(stream, entry, check)
        stream.write(check.to_bytes(4, "little"))

    commit.stage(folder / _INDEX, write)
    return name


def prune(out_dir: Path, cards_dir: Path, *, keep: str) -> None:
    """Remove the collections of earlier builds: all but the one named `keep`."""
    for old in cache_dir(out_dir, cards_dir).glob("collection-*.anki2"):
        if old.name != keep:
            old.unlink(missing_ok=True)


def _write_entry(stream: BinaryIO, value: Any, check: int) -> int:
    """One index entry: its length, then its value marshalled. Returns the CRC-32 of the
    index so far, which ends the index (see `_checked`)."""
    return _write_marshalled(stream, marshal.dumps(value), check)


def _write_marshalled(stream: BinaryIO, data: bytes | memoryview, check: int) -> int:
    length = len(data).to_bytes(4, "little")
    stream.write(length)
    stream.write(data)
    return zlib.crc32(data, zlib.crc32(length, check))


def _checked(raw: bytes) -> bytes:
    """The entries of an index, once its CRC-32 shows it whole and as written."""
    body, check = raw[:-4], raw[-4:]
    if len(check) != 4 or zlib.crc32(body) != int.from_bytes(check, "little"):
        raise ValueError("damaged cache index")
    return body


def _entries(raw: bytes) -> Iterator[memoryview]:
    """The entries of an index, each still marshalled (see `_write_entry`). The file is
    read whole first: `marshal.load` on a stream makes a read call per value, which at
    20,000 note files cost more than the decoding."""
    view, start = memoryview(raw), 0
    while start < len(view):
        length = int.from_bytes(view[start : start + 4], "little")
        start += 4
        if start + length > len(view):
            raise EOFError("index entry cut short")
        yield view[start : start + length]
        start += length


def forget(out_dir: Path, cards_dir: Path) -> None:
    """Drop the cache, so that the next build reads and makes everything again."""
    shutil.rmtree(cache_dir(out_dir, cards_dir), ignore_errors=True)


def _header(inputs: Inputs, context: str) -> tuple[object, ...]:
    """What must be as it was for the cache to be used: deckgen, Python, the `_context`,
    and the lock as the build wrote it."""
    return (CACHE_VERSION, sys.version, context, inputs.files.get(f"cards/{LOCK_FILE}"))


def _context(inputs: Inputs) -> str:
    """A digest of every input but the note files and the lock."""
    lock = f"cards/{LOCK_FILE}"
    return digest_of(
        (name, digest)
        for name, digest in inputs.files.items()
        if name != lock and not _is_note_file(name)
    )


def _is_note_file(name: str) -> bool:
    """Whether an input is a note file, e.g. 'cards/points/ST2.yaml'."""
    return name.startswith("cards/") and is_note_file(name[6:])
