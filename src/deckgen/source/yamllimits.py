"""What deckgen's reading of YAML holds every file to, whichever parser reads it: how far
a file may expand, and the characters no deck can store."""

from __future__ import annotations

import re

#: Most nodes one file may expand to once aliases are followed; real notes use a few hundred.
MAX_NODES = 50_000
#: Largest file read, in bytes; a note file is a few kilobytes, a big sources.yaml ~100 kB.
MAX_BYTES = 500_000
#: Most characters of text one file may expand to once aliases are followed: one long
#: anchored text used many times must not fill the memory of every step after parsing.
MAX_CHARACTERS = 4 * MAX_BYTES

#: Characters that no text in a deck may hold: Anki separates fields with U+001F, SQLite
#: and the zip's UTF-8 cannot store a lone surrogate, and the other control characters
#: (C0 but tab and line feed, DEL, C1) and the noncharacters are invisible or rejected by
#: Anki's clients. The YAML reader refuses them typed into a file; escapes such as "\x1f"
#: and "\ud800" in a double-quoted text get past it, and are caught here.
UNSTORABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
    + "]"
)
#: What may put an unstorable character into a parsed value: an escape, or a raw NEL
#: (which YAML reads as a line break) or noncharacter that the YAML reader lets through.
MAY_HOLD_UNSTORABLE = re.compile(r"[\\\x85\ufdd0-\ufdef]|[\U0001fffe-\U0010ffff]")
