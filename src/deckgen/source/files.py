"""The files of a cards folder as deckgen may read them: regular files inside the folder.

`scan` lists the folder once, without following a link out of it, and says of every entry
it will not read why: a link out of the folder, a link that loops or leads nowhere, a
named pipe, device or socket, a name that is not UTF-8, a folder it may not list. Callers
report each as a located problem (an error where the entry is an input, a warning where
nothing uses it) and go on. `read_regular` opens a file only if it is a regular file,
without blocking and without following a link out of the folder, so that nothing outside
the cards folder is ever read, let alone echoed in a message.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

#: Flags that keep `open` from following a last link or waiting on a pipe (POSIX only).
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
CANNOT_READ = "cannot read: "
_OUTSIDE = "is a link to a {} outside the cards folder; deckgen does not follow it"


class Refused(Exception):
    """A file deckgen will not read; the message says why, in words for the user."""


@dataclass
class Listing:
    """A cards folder as listed: the usable files and why each other entry is not read."""

    root: Path
    #: '/'-separated names relative to `root` of regular files, and of links to regular
    #: files inside the folder; outside hidden and scratch-file names.
    files: list[str] = field(default_factory=list)
    #: name -> why it is not read (the name of a folder ends with '/').
    refused: dict[str, str] = field(default_factory=dict)
    #: The folders listed, each name ending with '/'.
    folders: list[str] = field(default_factory=list)
    #: The files that links listed in `files` lead to, by their names.
    targets: set[str] = field(default_factory=set)


def is_scratch(name: str) -> bool:
    """A file an editor (or deckgen, while writing) keeps beside the cards for a while:
    Vim's swap files, backups ending in '~', Emacs' lock and auto-save files, '.tmp' files.
    No build reads one, so it is no input: an open editor does not void the build cache."""
    return name.startswith((".#", "#")) or name.endswith(("~", ".swp", ".swo", ".swx", ".tmp"))


def scan(root: Path) -> Listing:
    """Every entry under `root` outside hidden folders, in name order, sorted into the files
    deckgen may read and the entries it will not (see `Listing`)."""
    listing = Listing(root)
    real_root = os.path.realpath(root)
    pending = [""]
    while pending:
        prefix = pending.pop()
        try:
            with os.scandir(root / prefix if prefix else root) as entries:
                found = sorted(entries, key=lambda entry: entry.name, reverse=True)
        except OSError as exc:
            listing.refused[prefix or "./"] = f"cannot list this folder: {_reason(exc)}"
            continue
        for entry in found:
            name = prefix + entry.name
            if not _utf8(entry.name):
                listing.refused[name] = "the file name is not valid UTF-8; rename it"
            elif entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith("."):
                    pending.append(name + "/")
                    listing.folders.append(name + "/")
            elif not is_scratch(entry.name):
                why = _why_not(entry, real_root)
                if why is None:
                    listing.files.append(name)
                    if entry.is_symlink():
                        target = os.path.relpath(os.path.realpath(entry.path), real_root)
                        listing.targets.add(target.replace(os.sep, "/"))
                else:
                    listing.refused[name] = why
    listing.files.sort()
    return listing


def _why_not(entry: os.DirEntry[str], real_root: str) -> str | None:
    """Why an entry (not a folder) is not read, or None for a file that may be."""
    try:
        if entry.is_file(follow_symlinks=False):
            return None
        if not entry.is_symlink():
            return _kind_problem(entry.stat(follow_symlinks=False).st_mode)
        target = os.path.realpath(entry.path)
        mode = Path(target).stat().st_mode
        if not _inside(target, real_root):
            return _OUTSIDE.format("folder" if stat.S_ISDIR(mode) else "file")
    except OSError as exc:
        return f"is a link that cannot be followed: {_reason(exc)}"
    if stat.S_ISDIR(mode):
        return "is a link to a folder; deckgen does not follow folder links"
    return _kind_problem(mode)


def _kind_problem(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        kind = "a folder"
    elif stat.S_ISFIFO(mode):
        kind = "a named pipe (FIFO)"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    else:
        kind = "not a regular file"
    return f"is {kind}, not a regular file; deckgen does not read it"


def read_regular(path: Path, limit: int | None = None, *, root: Path | None = None) -> bytes:
    """The bytes of the regular file at `path` (see `open_regular`): at most `limit` + 1
    of them when a limit is given (so that the caller sees a file too large)."""
    descriptor, size = _open(path, root)
    wanted = size + 1 if limit is None else min(size, limit) + 1
    pieces: list[bytes] = []
    try:
        while True:  # usually one read: the size is known
            piece = os.read(descriptor, wanted)
            if not piece:
                break
            pieces.append(piece)
            if limit is not None and sum(map(len, pieces)) > limit:
                break
    except OSError as exc:
        raise Refused(f"{CANNOT_READ}{_reason(exc)}") from None
    finally:
        os.close(descriptor)
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


def open_regular(path: str | Path, *, root: Path | None = None) -> BinaryIO:
    """The regular file at `path`, open for reading. A link is followed only to a file
    inside `root`. Raises `Refused` for anything else: a pipe or device is never waited
    on, and a file outside `root` is never opened."""
    descriptor, _ = _open(path, root)
    return os.fdopen(descriptor, "rb")


def file_sha256(path: str | Path, *, root: Path | None = None) -> str:
    """The sha256 of the regular file at `path` (see `open_regular`), read in chunks: a
    large deck's lock is tens of megabytes."""
    digest = hashlib.sha256()
    with open_regular(path, root=root) as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_digest(path: Path, *, root: Path | None = None) -> str | None:
    """`file_sha256`, or None where there is no regular file to read."""
    try:
        return file_sha256(path, root=root)
    except Refused:
        return None


def _open(path: str | Path, root: Path | None) -> tuple[int, int]:
    """A descriptor of the regular file at `path` (see `open_regular`) and its size."""
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        path = Path(path)
        if not (root is not None and path.is_symlink()):
            raise Refused(_why_unopened(path, exc)) from None
        target = os.path.realpath(path)
        if not _inside(target, os.path.realpath(root)):
            raise Refused(_OUTSIDE.format("file")) from None
        try:
            descriptor = os.open(target, _OPEN_FLAGS)
        except OSError as inner:
            raise Refused(_why_unopened(Path(target), inner)) from None
    try:
        status = os.fstat(descriptor)
        problem = _kind_problem(status.st_mode)
    except OSError as exc:
        problem = f"{CANNOT_READ}{_reason(exc)}"
    if problem is not None:
        os.close(descriptor)
        raise Refused(problem)
    return descriptor, status.st_size


def _why_unopened(path: Path, exc: OSError) -> str:
    """Why a file could not be opened: what it is, if not a regular file (a socket cannot
    be opened at all), else the system's reason."""
    try:
        problem = _kind_problem(path.lstat().st_mode)
    except OSError:
        problem = None
    if problem is not None and not path.is_symlink():
        return problem
    return f"{CANNOT_READ}{_reason(exc)}"


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _utf8(name: str) -> bool:
    """Whether a name listed by the OS is text: undecodable bytes come back as lone
    surrogates ('surrogateescape'), which no file written from the name could hold."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
