"""The lock file's name, its version and how its JSON is laid out as bytes: what
writing it (`file`) and reading it (`parse`, `damage`) share."""

from __future__ import annotations

import json
from typing import Any

from deckgen.source.cardsfolder import LOCK_FILE

__all__ = ["LOCK_FILE", "LOCK_VERSION"]
LOCK_VERSION = 1
#: What comes before and after the notes, one to a line, in the lock as `Lock.chunks` writes it.
_NOTES_START = b'\n"notes": {\n'
_NOTES_END = b"\n}\n}\n"


def _encode(value: Any) -> bytes:
    """JSON text by json's fast C encoder, as the lock holds it (UTF-8)."""
    return json.dumps(value, ensure_ascii=False).encode()
