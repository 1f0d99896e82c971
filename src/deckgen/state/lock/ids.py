"""Note ids and modification times: the build time (`build_time`), a note's next
modification time (`next_mod`) and the ids of new notes (`IdAllocator`)."""

from __future__ import annotations

import os
import time
import zlib

from deckgen.state.lock.file import Lock

#: Note ids are spaced this far apart so that card ids (note id + template ordinal) never collide.
ID_SPACING = 1000


def build_time() -> int:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isdigit() else int(time.time())


def next_mod(previous: int | None, now: int) -> int:
    """A modification time later than `previous`: Anki compares whole seconds."""
    return now if previous is None else max(now, previous + 1)


class IdAllocator:
    """Hands out note ids for new notes: millisecond times (Anki reads them as the
    creation date), `ID_SPACING` apart from every other id (a note's cards take the ids
    after its own).

    A note's id is the build time plus a number of seconds drawn from its key, not the
    next one free: two authors who each add notes on their own branch in the same second
    give them different ids, so their lock files merge cleanly. A rare clash after a
    merge is repaired when the lock is read. The seconds are drawn from at least `SLOTS`
    (about an hour), and from twice as many as there are `new` notes (a first build of a
    large deck spans hours, as it did when ids were handed out in turn), so that a free
    one is found in a step or two."""

    SLOTS = 4096

    def __init__(self, lock: Lock, now: int, *, new: int = 0) -> None:
        self._lock = lock
        self._now = now
        self._slots = max(self.SLOTS, 2 * new)
        self._used: set[int] | None = None  # read when the first new note needs an id

    def take(self, key: str) -> int:
        if self._used is None:
            self._used = self._lock.notes.ids()
        slot = zlib.crc32(key.encode("utf-8", "surrogateescape")) % self._slots
        while (taken := (self._now + slot) * 1000) in self._used:
            slot += 1
        self._used.add(taken)
        return taken
