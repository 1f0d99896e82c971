"""Replacing a file whole: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

from pathlib import Path


def write_atomically(path: Path, data: bytes | str) -> None:
    """Write `data` (text as UTF-8) beside `path`, then rename it into place."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data.encode() if isinstance(data, str) else data)
    temporary.replace(path)
