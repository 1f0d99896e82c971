"""The lock file: what the last build produced, so that each note's modification time
moves forward exactly when that note's content changes.

Anki's importer (default "update if newer") applies a note only when the package's copy
is newer than the collection's. Stamping every note with the build time would rewrite
every note on each import; reusing one fixed time would update nothing. The lock records,
per note, its content, the time that content first appeared and its note id. Keeping the
content lets a later build ship a removed note once more, tagged `deckgen::removed`, so
users can find it in Anki (the importer never deletes), and name the fields that changed.

The package, by job: `entries` (the notes and note types as last built), `file` (the lock
as a whole, and writing it), `read` (reading it: `parse`, or `merge` after a git conflict),
`damage` (a lock that cannot be read, and where), `ids` (note ids and times), `layout`
(what writing and reading share).
"""

from deckgen.state.lock.damage import LockDamaged
from deckgen.state.lock.entries import MAX_ID, MAX_TIME, NoteEntries, NoteEntry, NotetypeEntry
from deckgen.state.lock.file import Lock
from deckgen.state.lock.ids import ID_SPACING, IdAllocator, build_time, next_mod
from deckgen.state.lock.layout import LOCK_FILE, LOCK_VERSION
from deckgen.state.lock.read import read_lock, wrote_lock

__all__ = [
    "ID_SPACING",
    "LOCK_FILE",
    "LOCK_VERSION",
    "MAX_ID",
    "MAX_TIME",
    "IdAllocator",
    "Lock",
    "LockDamaged",
    "NoteEntries",
    "NoteEntry",
    "NotetypeEntry",
    "build_time",
    "next_mod",
    "read_lock",
    "wrote_lock",
]
