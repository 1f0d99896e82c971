"""One build at a time: a build holds an exclusive lock on its output folder and on each
cards folder until it has written everything, so that two builds started at once (two
terminals, a build beside `--watch`) never mix their files. The second one waits.

The lock is the system's advisory lock (`flock`) on the folders themselves: nothing is
written for it, and it is let go when the process ends, however it ends. Where there is
no such lock (Windows; network file systems that refuse `flock` on a folder), the build
goes on without it, and says so to its caller, which then leaves other builds' temporary
files alone.
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
) -> Iterator[bool]:
    """Hold an exclusive lock on each of `folders` (those that exist) for the block, which
    is given whether it holds them all. When another process holds one, `waiting(folder)`
    is called once, then the lock is waited for. Folders are locked in one order (by real
    path) so that builds of several folders never wait on each other in a circle."""
    if fcntl is None:
        yield False
        return
    real = sorted({os.path.realpath(folder) for folder in folders if folder.is_dir()})
    handles: list[int] = []
    held = True
    try:
        for folder in real:
            try:
                handle = os.open(folder, os.O_RDONLY)
            except OSError:
                held = False
                continue
            handles.append(handle)
            held = _lock(handle, Path(folder), waiting) and held
        yield held
    finally:
        for handle in handles:
            os.close(handle)  # closing lets go of the lock


def _lock(handle: int, folder: Path, waiting: Callable[[Path], None] | None) -> bool:
    """Lock the open folder, waiting for it if need be; False where the file system has
    no such lock (NFS fakes `flock` with locks that need a file open for writing)."""
    assert fcntl is not None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if waiting is not None:
            waiting(folder)
        fcntl.flock(handle, fcntl.LOCK_EX)
    except OSError:
        return False
    return True
