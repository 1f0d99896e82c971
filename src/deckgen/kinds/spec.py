"""A note as the kinds make it, before ids and times are assigned; and a note reused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from deckgen.kinds.drawing import MediaFile
from deckgen.kinds.ids import note_guid
from deckgen.kinds.notetypes import NoteType


@dataclass(frozen=True)
class NoteSpec:
    """Everything Anki stores for one note, before times and ids are assigned."""

    kind: str
    note_id: str
    notetype: NoteType
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str
    media: tuple[MediaFile, ...] = ()
    #: The key of the record it comes from ('point:ST2' for its cloze too); '' for a
    #: note drawn from several records (a diagram's occlusion note).
    origin: str = ""

    @property
    def key(self) -> str:
        """The note's identity as authors see it, e.g. 'point:ST2'."""
        return f"{self.kind}:{self.note_id}"

    @property
    def guid(self) -> str:
        return note_guid(self.kind, self.note_id)

    def field(self, name: str) -> str:
        return self.fields[self.notetype.fields.index(name)]


def note_spec(
    origin: str,
    kind: str,
    note_id: str,
    notetype: NoteType,
    fields: dict[str, str],
    tags: tuple[str, ...],
    deck: str,
    media: tuple[MediaFile, ...] = (),
) -> NoteSpec:
    """A note of `notetype` with its fields by name (every field, no other)."""
    if set(notetype.fields) != set(fields):  # a programming error, not a user one
        raise ValueError(f"{notetype.name}: fields do not match: {sorted(fields)}")
    ordered = tuple(fields[name] for name in notetype.fields)
    return NoteSpec(kind, note_id, notetype, ordered, tags, deck, media, origin)


def note_tags(kind: str, *tags: str) -> tuple[str, ...]:
    """A note's tags: `deckgen::<kind>` first, then the author's, each once."""
    return tuple(dict.fromkeys((f"deckgen::{kind}", *tags)))


class KeptNote(NamedTuple):
    """A note as the last build shipped it, made from a record that has not changed. (A
    named tuple: every build makes one per kept note, and a tuple is quick to make.)"""

    key: str
    guid: str
    note_id: int
    mod: int
    notetype: str  # its key, e.g. 'point'
    deck: str


@dataclass(frozen=True)
class Kept:
    """The notes of an unchanged record, shipped again as they were, with its media."""

    origin: str
    notes: tuple[KeptNote, ...]
    media: tuple[MediaFile, ...] = ()
