"""What a process that builds again and again keeps of what its builds wrote.

A watch rebuilds after every save: reading back the lock and the cache file it has just
written costs a good part of such a rebuild. Within `keeping_written`, each build keeps
them in memory (`state.lock.read.wrote_lock`, `state.cache`), and the next build takes
them from there, each only while the file still holds what was written. A single build
keeps nothing: it would only hold the memory longer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_OPEN = [0]  # how many `keeping_written` blocks are open
_STORES: list[Store[Any]] = []


@contextmanager
def keeping_written() -> Iterator[None]:
    """Within the block, builds keep what they write (see the module); it is let go of
    when the last such block ends."""
    _OPEN[0] += 1
    try:
        yield
    finally:
        _OPEN[0] -= 1
        if not _OPEN[0]:
            for found in _STORES:
                found.clear()


def keeping() -> bool:
    """Whether builds now keep what they write."""
    return _OPEN[0] > 0


class Store(Generic[T]):
    """What builds wrote to each file, with a mark that the file still holds exactly while
    it holds what was written (the sha256 of its bytes, or a token written into it).
    Emptied when keeping ends."""

    def __init__(self) -> None:
        self._kept: dict[Path, tuple[object, T]] = {}
        _STORES.append(self)

    def keep(self, path: Path, mark: object, value: T) -> None:
        """Note that the file at `path`, while it holds `mark`, holds `value` (only while
        builds keep what they write)."""
        if keeping():
            self._kept[path] = (mark, value)

    def get(self, path: Path, mark: object) -> T | None:
        """What was kept of the file at `path`, if it holds the `mark` kept with it."""
        found = self._kept.get(path)
        return found[1] if found is not None and found[0] == mark else None

    def clear(self) -> None:
        self._kept.clear()
