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
from typing import Any

_OPEN = [0]  # how many `keeping_written` blocks are open
_STORES: list[dict[Any, Any]] = []


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


def store() -> dict[Any, Any]:
    """A new place to keep what builds write, emptied when keeping ends."""
    found: dict[Any, Any] = {}
    _STORES.append(found)
    return found
