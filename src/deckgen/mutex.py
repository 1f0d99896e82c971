"""One build at a time: a build holds an exclusive lock on its output folder and on each
cards folder until it has written everything, so that two builds started at once (two
terminals, a build beside `--watch`) never mix their files. The second one waits.

The lock is the system's advisory lock (`flock`) on the folders themselves: nothing is
written for it, and it is let go when the process ends, however it ends. Systems without
`flock` (Windows) build without it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def exclusive(
    folders: Sequence[Path], *, waiting: Callable[[Path], None] | None = None
) -> Iterator[None]:
    """Hold an exclusive lock on each of `folders` (those that exist) for the block. When
    another process holds one, `waiting(folder)` is called once, then the lock is
    waited for. Folders are locked in one order (by real path) so that builds of several
    folders never wait on each other in a circle."""
    if fcntl is None:
        yield
        return
    real = sorted({os.path.realpath(folder) for folder in folders if folder.is_dir()})
    handles: list[int] = []
    try:
        for folder in real:
            handle = os.open(folder, os.O_RDONLY)
            handles.append(handle)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if waiting is not None:
                    waiting(Path(folder))
                fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        for handle in handles:
            os.close(handle)  # closing lets go of the lock
