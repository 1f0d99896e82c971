"""A lock file that cannot be read (`LockDamaged`), and finding the line of the lock file
that a problem is on, so that a message can point at it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from deckgen.source.errors import DeckgenError, problem_at
from deckgen.state.lock.layout import LOCK_FILE, _encode

#: What decoding a damaged lock raises.
_DAMAGE = (ValueError, KeyError, TypeError, AttributeError, RecursionError)


class LockDamaged(DeckgenError):
    """The lock cannot be read as deckgen writes it; the problem says where."""

    def __init__(
        self, path: Path | None, line: int, exc: Exception | str, *, unread: bool = False
    ) -> None:
        where = path if path is not None else Path(LOCK_FILE)
        reason = exc if isinstance(exc, str) else _reason(exc)
        message = (
            f"the lock file {reason}"
            if unread  # not a regular file, not readable, or from a newer deckgen
            else f"the lock file is damaged ({reason}); restore it from git, "
            "or delete it (the next import then updates every note once)"
        )
        self.problem = problem_at(where, line, 1, message)
        super().__init__(str(self.problem))


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing key {exc}"
    return str(exc) or type(exc).__name__


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"'{key[:60]}' is listed twice")
        self.key = key


#: A line that starts a note's entry: its key, as JSON text.
_KEY_LINE = re.compile(rb'^("(?:[^"\\\n]|\\.)*"):', re.MULTILINE)


def _note_lines(path: Path) -> dict[str, int]:
    """The line of each note's entry in the lock file, read once: a lock with many notes
    to repair must not be read once for each."""
    raw = _lock_bytes(path)
    lines: dict[str, int] = {}
    line, last = 1, 0
    for found in _KEY_LINE.finditer(raw):
        line += raw.count(b"\n", last, found.start())
        last = found.start()
        try:
            lines.setdefault(json.loads(found.group(1)), line)
        except ValueError:
            continue
    return lines


def _note_line(path: Path | None, key: str) -> int:
    """The line of a note's entry in the lock file (1 if it cannot be found)."""
    return _line_of_text(path, json.dumps(key, ensure_ascii=False) + ":")


def _occlusion_line(path: Path, name: str) -> int:
    """The line of a diagram's occlusion numbers in the lock file (1 if not found)."""
    raw = _lock_bytes(path)
    start = raw.find(b'\n"occlusion": {\n')
    return (_line_starting(raw, _encode(name) + b":", start) if start >= 0 else None) or 1


def _line_of_text(path: Path | None, text: str) -> int:
    """The line on which `text` first starts a line of the lock file (1 if nowhere)."""
    return _line_starting(_lock_bytes(path), text.encode()) or 1


def _line_of(raw: bytes, exc: Exception) -> int:
    """Where in the lock a problem with its head is: the second use of a duplicate key."""
    if isinstance(exc, _Duplicate):
        key = _encode(exc.key) + b":"
        first = raw.find(b"\n" + key)
        return (_line_starting(raw, key, first + 1) if first >= 0 else None) or 1
    return 1


def _lock_bytes(path: Path | None) -> bytes:
    """The lock file's bytes, read again to say where a problem is (none if it is gone)."""
    try:
        return path.read_bytes() if path is not None else b""
    except OSError:
        return b""


def _line_starting(raw: bytes, text: bytes, start: int = 0) -> int | None:
    """The line on which `text` starts a line of `raw`, from `start` on; None if nowhere."""
    index = raw.find(b"\n" + text, start)
    return raw.count(b"\n", 0, index) + 2 if index >= 0 else None


def _json_line(raw: bytes, head: bytes, exc: json.JSONDecodeError) -> int:
    """The line of a JSON syntax error in the lock file (the head is the file's start)."""
    return exc.lineno if raw.startswith(head[: exc.pos]) else 1
