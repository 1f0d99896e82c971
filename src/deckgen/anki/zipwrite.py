"""Write a zip archive whose deflated entries are made of blocks compressed one by one, so
that a block compressed by the last build is copied rather than compressed again.

A rebuild after a small edit changes a few pages of a collection that may be 35 MB, and
compressing all of it again took a fifth of such a build's time. Here each entry's data is
cut into 256 KiB blocks; each block is deflated on its own and ends on a byte boundary
without the final-block flag, so the blocks join into one deflate stream that any unzip
reads as usual. Compressing blocks apart costs about 2 % of size at this block size.

The archive is reproducible (entries in the order given, fixed times, no extra fields).
zipfile cannot store data compressed elsewhere, hence this writer of the plain format:
PKWARE's APPNOTE.TXT, sections 4.3.7 (local header), 4.3.12 (central directory) and
4.3.16 (end of central directory). Archives past its limits (4 GiB, 65,535 entries) would
need zip64, which deckgen does not write.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from deckgen.source.errors import DeckgenError

BLOCK = 256 * 1024
#: zlib's default level: close to the smallest output at a fraction of level 9's time.
LEVEL = 6
#: What decides a block's compressed bytes, besides its content.
DEFLATE_SETTINGS = (zlib.ZLIB_RUNTIME_VERSION, LEVEL, BLOCK)

_RAW = -15  # zlib's window bits for a raw deflate stream, as zip holds it
_END = zlib.compressobj(LEVEL, zlib.DEFLATED, _RAW).flush()  # an empty final block
_DOS_DATE = (1 << 5) | 1  # 1980-01-01, the earliest a zip can say; the time is 00:00
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END_OF_DIRECTORY = struct.Struct("<IHHHHIIH")
_LIMIT = 0xFFFFFFFF


@dataclass
class Deflater:
    """Deflates blocks, copying those compressed before (found by a digest of the block)."""

    earlier: Mapping[bytes, bytes | memoryview] = field(default_factory=dict)
    #: Where each block went in the archive written, by the digest of its content: the
    #: offset and length of its deflated bytes, and their own digest. With `blocks_in`,
    #: what the next build may reuse.
    placed: dict[bytes, Placed] = field(default_factory=dict)

    def write(self, block: bytes | memoryview, stream: BinaryIO) -> int:
        """Write `block` deflated to `stream`; return how many bytes that took."""
        digest = _digest(block)
        deflated = self.earlier.get(digest)
        if deflated is None:
            compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, _RAW)
            deflated = compressor.compress(block) + compressor.flush(zlib.Z_SYNC_FLUSH)
        self.placed[digest] = (stream.tell(), len(deflated), _digest(deflated))
        stream.write(deflated)
        return len(deflated)


#: A block's place in an archive: offset, length and digest of its deflated bytes.
Placed = tuple[int, int, bytes]


def blocks_in(archive: bytes, placed: Mapping[bytes, Placed]) -> dict[bytes, memoryview]:
    """The deflated blocks of an archive written earlier, given where they were placed:
    each only if the bytes there are still those written (the archive may have been
    replaced since, or the record of places damaged)."""
    view = memoryview(archive)
    found = {}
    for digest, (start, length, check) in placed.items():
        deflated = view[start : start + length]
        if _digest(deflated) == check:
            found[digest] = deflated
    return found


def _digest(data: bytes | memoryview) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def write_zip(
    stream: BinaryIO, entries: Iterable[tuple[str, bytes | Path]], deflater: Deflater
) -> None:
    """Write `entries` (name, then the data or a file to read it from) as a zip archive."""
    directory: list[bytes] = []
    for name, source in entries:
        offset = stream.tell()
        encoded = name.encode()
        stream.write(bytes(_LOCAL.size + len(encoded)))  # filled in once the sizes are known
        crc = size = packed = 0
        for block in _blocks(source):
            crc = zlib.crc32(block, crc)
            size += len(block)
            packed += deflater.write(block, stream)
        stream.write(_END)
        packed += len(_END)
        end = stream.tell()
        if max(size, packed, offset) >= _LIMIT or len(directory) >= 0xFFFF:  # zip64 markers
            raise DeckgenError("the package is too large for a zip file without zip64")
        utf8 = 0 if name.isascii() else 0x800  # flag bit 11: the name is UTF-8
        header = (20, utf8, zlib.DEFLATED, 0, _DOS_DATE, crc, packed, size, len(encoded), 0)
        stream.seek(offset)
        stream.write(_LOCAL.pack(0x04034B50, *header) + encoded)
        stream.seek(end)
        attributes = 0o100644 << 16  # a regular file, rw-r--r--, made on Unix (3 << 8)
        central = _CENTRAL.pack(0x02014B50, 3 << 8 | 20, *header, 0, 0, 0, attributes, offset)
        directory.append(central + encoded)
    start = stream.tell()
    listing = b"".join(directory)
    stream.write(listing)
    if start >= _LIMIT:
        raise DeckgenError("the package is too large for a zip file without zip64")
    count = len(directory)
    stream.write(_END_OF_DIRECTORY.pack(0x06054B50, 0, 0, count, count, len(listing), start, 0))


def _blocks(source: bytes | Path) -> Iterator[bytes | memoryview]:
    if isinstance(source, Path):  # read a block at a time: never the whole file in memory
        with source.open("rb") as file:
            while block := file.read(BLOCK):
                yield block
    else:
        view = memoryview(source)
        for start in range(0, len(view), BLOCK):
            yield view[start : start + BLOCK]
