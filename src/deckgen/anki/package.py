"""Write an .apkg: a SQLite collection that we own, then zipped reproducibly (sorted
entries, fixed times, deflate). The build writes the zip to a temporary file and renames it
into place with the lock (see `commit`).

genanki writes the collection's schema, its `col` row, the decks and the note types (see
"The genanki adapter" below, the only code here that uses it); the rows of notes and cards
are ours, each note's cards by the rule the preview and the statistics use (`cards`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from deckgen.anki import zipwrite
from deckgen.anki.cards import card_ordinals
from deckgen.anki.zipwrite import Deflater
from deckgen.kinds.drawing import MediaFile
from deckgen.kinds.notetypes import SORT_FIELD, NoteType


# Not frozen: a frozen dataclass is three times as slow to make, and every build makes one
# per note (tens of thousands in a large deck).
@dataclass
class PackagedNote:
    guid: str
    notetype: NoteType
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str
    note_id: int
    mod: int
    due: int  # new-card position: cards are shown in the order authored
    key: str = ""  # the note's identity as authors see it, e.g. 'point:ST2' (for messages)
    #: Unchanged since the last build: its rows are copied from that build's collection
    #: (`fields` and `tags` are then left empty).
    kept: bool = False
    #: The key of the record it was made from ('point:ST2'); '' for none (an occlusion
    #: note, a removed note).
    origin: str = ""
    #: Shipped without cards: a note removed from the cards. Anki's importer updates (and
    #: so tags) the copy a reader has, with its cards and their history, and adds the note
    #: without a card for a reader who has deleted it (or never had it): nothing to study.
    cardless: bool = False


@dataclass(frozen=True)
class PackagedDeck:
    name: str
    deck_id: int
    description: str


Row = tuple[Any, ...]


def render_collection(
    db_path: Path,
    *,
    notes: Sequence[PackagedNote],
    notetype_mods: dict[str, int],
    decks: Sequence[PackagedDeck],
    previous: Path | None = None,
) -> None:
    """Write the notes, their note types and the decks into a new SQLite file at `db_path`.

    genanki writes the schema, note types and decks; the rows of notes and cards are then
    inserted in one transaction, ordered by id, so the file depends only on its content.
    A note marked `kept` is copied from the collection at `previous` (the last build's),
    with only its cards' position in the new-card queue set again.
    """
    notetypes = {note.notetype.key: note.notetype for note in notes}
    deck_ids = {deck.name: deck.deck_id for deck in decks}
    fresh = sorted((note for note in notes if not note.kept), key=lambda note: note.note_id)
    kept = {note.note_id: note.due for note in notes if note.kept}
    connection = sqlite3.connect(db_path)
    try:
        # A new file that nobody reads until it is whole, flushed before it is renamed into
        # place (see `commit`): neither a journal nor a sync per transaction is needed.
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        from deckgen.anki.genanki_adapter import write_skeleton  # genanki: only here

        write_skeleton(
            connection,
            notetypes=[(notetype, notetype_mods[key]) for key, notetype in notetypes.items()],
            decks=decks,
        )
        cards: list[Row] = []  # what the notes' card rows need, filled as the notes are made
        rows = (_rows(note, deck_ids[note.deck], cards) for note in fresh)
        if kept:
            if previous is None:
                raise ValueError("kept notes need the previous collection")  # a bug
            _insert_with_kept(connection, previous, kept, rows, cards)
        else:  # made while inserted: a large deck's rows are never all held at once
            connection.executemany(_INSERT_NOTE, rows)
            connection.executemany(_INSERT_CARD, _card_rows(cards))
        connection.commit()
    finally:
        connection.close()


_INSERT_NOTE = "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)"
_INSERT_CARD = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
#: A kept card as it was, but for its position in the new-card queue.
_CARD_COLUMNS = (
    "id", "nid", "did", "ord", "mod", "usn", "type", "queue", "due",
    "ivl", "factor", "reps", "lapses", "left", "odue", "odid", "flags", "data",
)  # fmt: skip
_KEPT_CARD = ", ".join("k.due" if name == "due" else f"c.{name}" for name in _CARD_COLUMNS)


def _insert_with_kept(
    connection: sqlite3.Connection,
    previous: Path,
    kept: dict[int, int],
    rows: Iterable[Row],
    cards: list[Row],
) -> None:
    """Insert the new rows and the kept notes' rows from the collection at `previous`
    together, ordered by id as a build without kept notes inserts them (so both give the
    same file), each kept card at its note's new position."""
    connection.execute("ATTACH DATABASE ? AS previous", (str(previous),))
    connection.execute("CREATE TEMP TABLE kept (id INTEGER PRIMARY KEY, due INTEGER)")
    connection.execute("CREATE TEMP TABLE new_notes AS SELECT * FROM main.notes WHERE 0")
    connection.execute("CREATE TEMP TABLE new_cards AS SELECT * FROM main.cards WHERE 0")
    connection.executemany("INSERT INTO temp.kept VALUES (?, ?)", kept.items())
    connection.executemany(_INSERT_NOTE.replace("notes", "temp.new_notes"), rows)
    connection.executemany(_INSERT_CARD.replace("cards", "temp.new_cards"), _card_rows(cards))
    inserted = connection.execute(
        "INSERT INTO main.notes SELECT * FROM ("
        " SELECT n.* FROM previous.notes n JOIN temp.kept k ON k.id = n.id"
        " UNION ALL SELECT * FROM temp.new_notes) ORDER BY id"
    ).rowcount
    (fresh,) = connection.execute("SELECT COUNT(*) FROM temp.new_notes").fetchone()
    if inserted != len(kept) + fresh:  # the last collection lost rows: not as it was written
        raise sqlite3.DatabaseError(f"{len(kept) + fresh - inserted} kept notes are missing")
    connection.execute(
        "INSERT INTO main.cards SELECT * FROM ("
        f" SELECT {_KEPT_CARD} FROM previous.cards c JOIN temp.kept k ON k.id = c.nid"
        " UNION ALL SELECT * FROM temp.new_cards) ORDER BY id"
    )
    connection.commit()
    connection.execute("DETACH DATABASE previous")


def _rows(note: PackagedNote, deck_id: int, cards: list[Row]) -> Row:
    """The note row of `note`; what its card rows need is added to `cards` (see
    `_card_rows`). The columns are those genanki writes (`Note.write_to_db`), with our own
    ids and modification time."""
    notetype = note.notetype
    if note.cardless:
        ordinals: Sequence[int] = ()
    else:
        ordinals = card_ordinals(notetype, dict(zip(notetype.fields, note.fields, strict=True)))
    cards.append((note.note_id, deck_id, ordinals, note.mod, note.due))
    return (
        note.note_id,
        note.guid,
        notetype.model_id,
        note.mod,
        -1,  # usn
        format_tags(note.tags),
        format_fields(note.fields),
        note.fields[SORT_FIELD],  # sfld: the sort field's text
        0,  # csum (Anki recomputes it)
        0,  # flags
        "",  # data
    )


def format_tags(tags: Iterable[str]) -> str:
    """A note's `tags` column: space-separated, with a space before and after (" a b ", and
    "  " for none), as genanki and Anki write it. A tag cannot hold a space."""
    tags = tuple(tags)
    for tag in tags:
        if " " in tag:
            raise ValueError(f'tag "{tag}" contains a space')
    return " " + " ".join(tags) + " "


def format_fields(fields: Iterable[str]) -> str:
    """A note's `flds` column: the fields' texts in the note type's order, joined by the
    unit separator."""
    return "\x1f".join(fields)


_CARD_ZEROS = (0, 0, 0, 0, 0, 0, 0, 0, "")  # ivl .. flags, data: a new card


def _card_rows(cards: list[Row]) -> Iterator[Row]:
    """The card rows of notes given in id order, so in id order too: one id per card after
    its note's (note ids are `ID_SPACING` apart), in ascending `ord`. Kept compact until
    inserted: a large deck has tens of thousands of cards."""
    for note_id, deck_id, ordinals, mod, due in cards:
        for number, ordinal in enumerate(ordinals, start=1):
            yield (note_id + number, note_id, deck_id, ordinal, mod, -1, 0, 0, due, *_CARD_ZEROS)


def write_zip(
    stream: BinaryIO,
    *,
    collection: Path,
    media: Sequence[MediaFile],
    deflater: Deflater | None = None,
) -> None:
    """Zip the collection and media reproducibly into `stream`. `deflater` may hold
    blocks compressed by an earlier build (see `zipwrite`)."""
    ordered = sorted({item.name: item for item in media}.values(), key=lambda item: item.name)
    media_map = {str(index): item.name for index, item in enumerate(ordered)}
    entries: list[tuple[str, bytes | Path]] = [
        ("collection.anki2", collection),  # read a block at a time: most of the package
        ("media", json.dumps(media_map, sort_keys=True).encode()),
        *((str(index), item.data) for index, item in enumerate(ordered)),
    ]
    entries.sort(key=lambda entry: entry[0])
    zipwrite.write_zip(stream, entries, deflater or Deflater())
