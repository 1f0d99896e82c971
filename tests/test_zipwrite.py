"""The zip writer: archives that zipfile (and so Anki) reads, blocks reused byte for byte."""

from __future__ import annotations

import io
import random
import zipfile
import zlib
from pathlib import Path

import pytest

from deckgen.anki.zipwrite import BLOCK, Deflater, blocks_in, write_zip


def _data(size: int, seed: int = 1) -> bytes:
    """Compressible but not trivial: words drawn at random."""
    words = [f"word{n}".encode() for n in range(500)]
    rng = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        out += rng.choice(words) + b" "
    return bytes(out[:size])


def _archive(entries: list[tuple[str, bytes | Path]], deflater: Deflater) -> bytes:
    stream = io.BytesIO()
    write_zip(stream, entries, deflater)
    return stream.getvalue()


def test_zipfile_reads_back_every_entry(tmp_path: Path) -> None:
    big = _data(3 * BLOCK + 123)  # several blocks and a short last one
    on_disk = tmp_path / "collection.anki2"
    on_disk.write_bytes(big)
    entries: list[tuple[str, bytes | Path]] = [
        ("collection.anki2", on_disk),
        ("empty", b""),
        ("média-ü.txt", b"non-ASCII name"),
        ("exact", _data(BLOCK, seed=2)),
    ]
    archive = _archive(entries, Deflater())
    with zipfile.ZipFile(io.BytesIO(archive)) as read:
        assert read.testzip() is None  # every CRC checks out
        assert read.namelist() == ["collection.anki2", "empty", "média-ü.txt", "exact"]
        assert read.read("collection.anki2") == big
        assert read.read("empty") == b""
        assert read.read("média-ü.txt") == b"non-ASCII name"
        assert read.read("exact") == _data(BLOCK, seed=2)
        info = read.getinfo("collection.anki2")
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.compress_size < len(big) / 2


def test_blocks_of_an_earlier_archive_are_copied_and_give_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = _data(4 * BLOCK)
    after = bytearray(before)
    after[BLOCK + 10 : BLOCK + 15] = b"EDIT!"  # one block of four changes
    first = Deflater()
    old = _archive([("data", before)], first)

    compressed: list[int] = []
    real = zlib.compressobj

    def counting(level: int, method: int, wbits: int) -> zlib._Compress:
        compressed.append(1)
        return real(level, method, wbits)

    monkeypatch.setattr(zlib, "compressobj", counting)
    reused = _archive([("data", bytes(after))], Deflater(blocks_in(old, first.placed)))
    monkeypatch.undo()
    assert len(compressed) == 1  # only the edited block
    assert reused == _archive([("data", bytes(after))], Deflater())  # as if from scratch
    with zipfile.ZipFile(io.BytesIO(reused)) as read:
        assert read.read("data") == after
