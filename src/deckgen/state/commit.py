"""Writing files all or nothing: each is written whole to a temporary file beside its
target and flushed to disk; only when every one is whole are they renamed into place,
in the order staged. On any failure nothing is renamed and every temporary file is
removed, so the files a build replaces are either all the old ones or all the new ones.

The renames themselves fail only in rare cases (a target replaced by a folder since it
was checked, a disk pulled out): then those already renamed are put back from hard links
taken of the old files just before, where the file system allows hard links.

The temporary files are named `.<target name>.<random>.deckgen.tmp`; `sweep` removes
those a killed build left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from deckgen.source.errors import DeckgenError, display_path

TEMPORARY_SUFFIX = ".deckgen.tmp"
#: Temporary folders of a build, in its output folder.
SCRATCH_PREFIX = ".deckgen-scratch-"
#: Temporary files of earlier deckgen versions, swept too: `.<name>.tmp` beside the lock,
#: the state and the cache's files, and `.<deck>.apkg.<random>.tmp`.
_OLD_TEMPORARY = re.compile(
    r"\.(?:deckgen\.lock|deckgen-state-\w+\.json|(?:index|blocks|hashes)\.marshal)\.tmp"
    r"|\..+\.apkg(?:\.\w+)?\.tmp"
)


class WriteFailed(DeckgenError):
    """A file could not be written or put in place; nothing was changed."""

    def __init__(self, target: Path, reason: str) -> None:
        super().__init__(f"cannot write {display_path(target)}: {reason}; nothing was changed")
        self.target = target


class Commit:
    """Files staged to replace their targets together (see the module's docstring).

    Use as a context manager: leaving it by an exception removes what was staged."""

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []  # (temporary file, target), in order
        self._aside: list[Path] = []  # set aside for a later commit (see `set_aside`)

    def __enter__(self) -> Commit:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is not None:
            self.abort()

    def stage(self, target: Path, write: Callable[[BinaryIO], None]) -> Path:
        """A temporary file beside `target` filled by `write(stream)` and flushed to disk;
        it replaces `target` on `commit`. Returns its path."""
        with failing_as(target):
            temporary = self._temporary(target)
            with temporary.open("wb") as stream:
                write(stream)
                stream.flush()
                os.fsync(stream.fileno())
        return temporary

    def stage_bytes(self, target: Path, data: bytes | Iterable[bytes]) -> Path:
        """`stage` with the bytes (or pieces of bytes) to write."""
        pieces = [data] if isinstance(data, bytes) else data
        return self.stage(target, lambda stream: stream.writelines(pieces))

    def stage_file(self, target: Path, source: Path) -> Path:
        """`stage` with the file `source`, moved beside `target` (copied if it is on
        another file system)."""
        with failing_as(target):
            temporary = self._temporary(target)
            try:
                source.replace(temporary)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                with source.open("rb") as file, temporary.open("wb") as stream:
                    shutil.copyfileobj(file, stream, 1 << 20)
            with temporary.open("rb+") as stream:
                os.fsync(stream.fileno())
        return temporary

    def _temporary(self, target: Path) -> Path:
        """A new, empty temporary file beside `target`, staged to replace it."""
        make_folder(target.parent)
        _check_target(target)
        handle, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=TEMPORARY_SUFFIX, dir=target.parent
        )
        os.close(handle)
        temporary = Path(name)
        self._staged.append((temporary, target))
        try:  # the mode of the file it replaces, else that of a file `open` creates
            mode = stat.S_IMODE(target.stat().st_mode)
        except OSError:
            mode = 0o666 & ~_UMASK
        temporary.chmod(mode)
        return temporary

    def commit(self) -> None:
        """Rename every staged file into place, in the order staged."""
        backups: dict[Path, Path | None] = {}  # each target: a copy of what it was, or None
        done: list[Path] = []
        try:
            for _, target in self._staged:
                with failing_as(target):
                    _check_target(target)
                    backups[target] = _backup(target)
            for temporary, target in self._staged:
                with failing_as(target):
                    temporary.replace(target)
                done.append(target)
            for folder in dict.fromkeys(target.parent for target in done):
                _sync_folder(folder)
        except BaseException as error:
            _put_back(reversed(done), backups, error)
            raise
        finally:
            for backup in backups.values():
                with contextlib.suppress(OSError):
                    if backup is not None:
                        backup.unlink()
            self._remove_staged()  # what was set aside is for a later commit

    def set_aside(self, source: Path, *, beside: Path) -> Path:
        """Move the file `source` to a new temporary file beside `beside` (named as staged
        files are, so that `sweep` removes it should the build be killed), for a later
        commit to put in place once this one is done; it is removed if this one fails.
        Fails now, naming `beside`, if something other than a file is there."""
        with failing_as(beside):
            _check_target(beside)
            handle, name = tempfile.mkstemp(
                prefix=f".{beside.name}.", suffix=TEMPORARY_SUFFIX, dir=beside.parent
            )
            os.close(handle)
            held = Path(name)
            self._aside.append(held)
            source.replace(held)
        return held

    def unstage(self, temporary: Path) -> None:
        """Drop a staged file: its target stays as it is."""
        self._staged = [(staged, target) for staged, target in self._staged if staged != temporary]
        with contextlib.suppress(OSError):
            temporary.unlink()

    def abort(self) -> None:
        """Remove every temporary file still there, those set aside too."""
        self._remove_staged()
        for held in self._aside:
            with contextlib.suppress(OSError):
                held.unlink()
        self._aside.clear()

    def _remove_staged(self) -> None:
        for temporary, _ in self._staged:
            with contextlib.suppress(OSError):
                temporary.unlink()
        self._staged.clear()


def write_atomically(path: Path, data: bytes | str) -> None:
    """Replace `path` whole with `data` (text as UTF-8): a reader sees the old file or the
    new one, never half of one."""
    with Commit() as commit:
        commit.stage_bytes(path, data.encode() if isinstance(data, str) else data)
        commit.commit()


def sweep(folder: Path, *, prefix: str = "") -> None:
    """Remove the temporary files and folders that an interrupted deckgen left in `folder`
    (those whose name starts with '.' and `prefix`, when given). Only call it while no
    other deckgen may be writing there (see `mutex`)."""
    try:
        paths = list(folder.iterdir())
    except OSError:
        return
    for path in paths:
        name = path.name
        if not name.startswith("." + prefix):
            continue
        with contextlib.suppress(OSError):
            mode = path.lstat().st_mode
            if stat.S_ISDIR(mode) and name.startswith(SCRATCH_PREFIX):
                shutil.rmtree(path, ignore_errors=True)
            elif stat.S_ISREG(mode) and (
                name.endswith(TEMPORARY_SUFFIX) or _OLD_TEMPORARY.fullmatch(name)
            ):
                path.unlink()


@contextlib.contextmanager
def failing_as(target: Path) -> Iterator[None]:
    """Any error writing is a `WriteFailed` naming `target`, the path the user can fix."""
    try:
        yield
    except OSError as exc:
        raise WriteFailed(target, exc.strerror or type(exc).__name__) from None


def make_folder(folder: Path) -> None:
    """`folder` and the folders above it that are missing; `WriteFailed` naming the path
    to fix when something other than a folder stands in the way."""
    for path in (folder, *folder.parents):
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise WriteFailed(path, exc.strerror or type(exc).__name__) from None
        if not stat.S_ISDIR(mode):
            raise WriteFailed(path, "a file is in the way; remove or rename it")
        break
    with failing_as(folder):
        folder.mkdir(parents=True, exist_ok=True)


def _check_target(target: Path) -> None:
    """A target must be a file or absent: renaming onto a folder would fail, or worse."""
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        raise WriteFailed(target, "a folder is in the way; remove or rename it")
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise WriteFailed(target, "something other than a file is in the way; remove it")


def _backup(target: Path) -> Path | None:
    """A copy of the file at `target` to put back if the commit fails (None if there is
    none): a second name for it (a hard link) where the file system allows, else a copy.
    Raises `OSError` when neither can be made: better to stop before any rename."""
    if not os.path.lexists(target):
        return None
    backup = target.with_name(f".{target.name}.{os.urandom(6).hex()}{TEMPORARY_SUFFIX}")
    try:
        os.link(target, backup, follow_symlinks=False)
    except OSError:
        shutil.copy2(target, backup, follow_symlinks=False)
    return backup


def _put_back(
    replaced: Iterable[Path], backups: dict[Path, Path | None], error: BaseException
) -> None:
    """Undo the renames of a failed commit: each replaced file back from its copy, each
    new one removed. If that fails too, say which file to restore."""
    for target in replaced:
        backup = backups.pop(target, None)
        try:
            if backup is not None:
                backup.replace(target)
            else:
                target.unlink()
        except OSError as exc:
            reason = error.format_message() if isinstance(error, DeckgenError) else str(error)
            raise DeckgenError(
                f"{reason.removesuffix('; nothing was changed')}; and {display_path(target)} "
                f"could not be put back ({exc.strerror}): restore it from git or build again"
            ) from None


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (the renames) to disk, where the system allows it."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()
