"""Write an .apkg: genanki fills a SQLite collection that we own, then we zip it
reproducibly (sorted entries, fixed times, deflate). The build writes the zip to a
temporary file and renames it into place with the lock (see `commit`)."""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import genanki

from deckgen.anki import zipwrite
from deckgen.anki.zipwrite import Deflater
from deckgen.kinds.drawing import MediaFile
from deckgen.kinds.notetypes import NoteType


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


class _Model(genanki.Model):  # type: ignore[misc]
    """A genanki model whose modification time is its own, not the build's."""

    def __init__(self, notetype: NoteType, mod: int) -> None:
        self.mod = mod
        self.stock_kind = notetype.stock_kind
        tags = dict(notetype.field_tags)
        fields: list[dict[str, Any]] = []
        for name in notetype.fields:
            field: dict[str, Any] = {"name": name, "id": notetype.field_id(name)}
            if name in tags:  # image occlusion: Anki finds its fields by these tags
                field |= {"tag": tags[name], "preventDeletion": tags[name] < 4}
            fields.append(field)
        templates = [
            {"name": name, "qfmt": front, "afmt": back, "id": notetype.template_id(name)}
            for name, front, back in notetype.template_texts()
        ]
        super().__init__(
            model_id=notetype.model_id,
            name=notetype.name,
            fields=fields,
            templates=templates,
            css=notetype.css_text(),
            model_type=genanki.Model.CLOZE if notetype.cloze else genanki.Model.FRONT_BACK,
        )

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        data: dict[str, Any] = super().to_json(self.mod, deck_id)
        if self.stock_kind is not None:
            data["originalStockKind"] = self.stock_kind
        return data


class _Note(genanki.Note):  # type: ignore[misc]
    """A genanki note, used for what genanki decides: its card ordinals and field format."""

    def __init__(self, note: PackagedNote, model: _Model) -> None:
        fields, tags = list(note.fields), list(note.tags)
        super().__init__(model=model, fields=fields, tags=tags, guid=note.guid, due=note.due)


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
    models: dict[str, _Model] = {}
    for note in notes:
        key = note.notetype.key
        if key not in models:
            models[key] = _Model(note.notetype, notetype_mods[key])
    by_name = {deck.name: genanki.Deck(deck.deck_id, deck.name, deck.description) for deck in decks}
    parent = next(iter(by_name.values()))  # genanki writes the note types with a deck
    for model in models.values():
        parent.add_model(model)
    deck_ids = {deck.name: deck.deck_id for deck in decks}
    fresh = sorted((note for note in notes if not note.kept), key=lambda note: note.note_id)
    kept = {note.note_id: note.due for note in notes if note.kept}
    connection = sqlite3.connect(db_path)
    try:
        genanki.Package(list(by_name.values())).write_to_db(
            connection.cursor(), 0, itertools.count(1)
        )
        cards: list[Row] = []  # what the notes' card rows need, filled as the notes are made
        rows = (
            _rows(note, models[note.notetype.key], deck_ids[note.deck], cards) for note in fresh
        )
        if kept:
            if previous is None:
                raise ValueError("kept notes need the previous collection")
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
    (found,) = connection.execute(
        "SELECT COUNT(*) FROM previous.notes WHERE id IN (SELECT id FROM temp.kept)"
    ).fetchone()
    if found != len(kept):
        raise ValueError(f"{previous}: {len(kept) - found} kept notes are missing")
    connection.execute(
        "INSERT INTO main.notes SELECT * FROM ("
        " SELECT n.* FROM previous.notes n JOIN temp.kept k ON k.id = n.id"
        " UNION ALL SELECT * FROM temp.new_notes) ORDER BY id"
    )
    connection.execute(
        "INSERT INTO main.cards SELECT * FROM ("
        f" SELECT {_KEPT_CARD} FROM previous.cards c JOIN temp.kept k ON k.id = c.nid"
        " UNION ALL SELECT * FROM temp.new_cards) ORDER BY id"
    )
    connection.commit()
    connection.execute("DETACH DATABASE previous")


def _rows(note: PackagedNote, model: _Model, deck_id: int, cards: list[Row]) -> Row:
    """The note row genanki would write for `note`, with our own ids and modification
    time; what its card rows need is added to `cards` (see `_card_rows`)."""
    genanki_note = _Note(note, model)
    ordinals = () if note.cardless else tuple(card.ord for card in genanki_note.cards)
    cards.append((note.note_id, deck_id, ordinals, note.mod, note.due))
    return (
        note.note_id,
        note.guid,
        model.model_id,
        note.mod,
        -1,  # usn
        genanki_note._format_tags(),
        genanki_note._format_fields(),
        genanki_note.sort_field,
        0,  # csum (Anki recomputes it)
        0,  # flags
        "",  # data
    )


_CARD_ZEROS = (0, 0, 0, 0, 0, 0, 0, 0, "")  # ivl .. flags, data: a new card


def _card_rows(cards: list[Row]) -> Iterator[Row]:
    """The card rows of notes given in id order, so in id order too: one id per card after
    its note's (note ids are `ID_SPACING` apart), in genanki's card order. Kept compact
    until inserted: a large deck has tens of thousands of cards."""
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
