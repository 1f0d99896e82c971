"""Write an .apkg: genanki fills a SQLite collection that we own, then we zip it
reproducibly (sorted entries, fixed times, deflate) into a temporary file beside the
target and rename it into place, so an interrupted build never leaves a broken file."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import genanki

from deckgen.media import MediaFile
from deckgen.notetypes import NoteType

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: zlib's default level: close to the smallest output at a fraction of level 9's time.
_COMPRESS_LEVEL = 6


@dataclass(frozen=True)
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
    """A genanki note with its own id and modification time."""

    def __init__(self, note: PackagedNote, model: _Model) -> None:
        fields, tags = list(note.fields), list(note.tags)
        super().__init__(model=model, fields=fields, tags=tags, guid=note.guid, due=note.due)
        self.note_id = note.note_id
        self.mod = note.mod

    def _check_invalid_html_tags_in_fields(self) -> None:
        """Skipped: deckgen writes every field itself from escaped or sanitised text (see
        `deckgen.text`), and the check is slow."""

    def write_to_db(
        self, cursor: sqlite3.Cursor, timestamp: float, deck_id: int, id_gen: Any
    ) -> None:
        # genanki draws the note id, then one id per card, from id_gen.
        super().write_to_db(cursor, self.mod, deck_id, itertools.count(self.note_id))


def render_collection(
    db_path: Path,
    *,
    notes: Sequence[PackagedNote],
    notetype_mods: dict[str, int],
    decks: Sequence[PackagedDeck],
) -> None:
    """Write the notes, their note types and the decks into a new SQLite file at `db_path`."""
    models: dict[str, _Model] = {}
    for note in notes:
        key = note.notetype.key
        if key not in models:
            models[key] = _Model(note.notetype, notetype_mods[key])
    by_name = {deck.name: genanki.Deck(deck.deck_id, deck.name, deck.description) for deck in decks}
    for note in notes:
        by_name[note.deck].add_note(_Note(note, models[note.notetype.key]))
    connection = sqlite3.connect(db_path)
    try:
        genanki.Package(list(by_name.values())).write_to_db(
            connection.cursor(), 0, itertools.count(1)
        )
        connection.commit()
    finally:
        connection.close()


def write_zip(target: Path, *, collection: Path, media: Sequence[MediaFile]) -> int:
    """Zip the collection and media reproducibly and atomically; return the size in bytes."""
    ordered = sorted({item.name: item for item in media}.values(), key=lambda item: item.name)
    media_map = {str(index): item.name for index, item in enumerate(ordered)}
    entries: list[tuple[str, bytes | Path]] = [
        ("collection.anki2", collection),  # streamed from disk: it is most of the package
        ("media", json.dumps(media_map, sort_keys=True).encode()),
        *((str(index), item.data) for index, item in enumerate(ordered)),
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    with _replacing(target) as temporary, zipfile.ZipFile(temporary, "w") as archive:
        for name, data in sorted(entries, key=lambda entry: entry[0]):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            if isinstance(data, Path):  # no level set: zlib's default, the same 6
                with data.open("rb") as source, archive.open(info, "w") as sink:
                    shutil.copyfileobj(source, sink, 1 << 20)
            else:
                archive.writestr(info, data, compresslevel=_COMPRESS_LEVEL)
    return target.stat().st_size


@contextmanager
def _replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside `target` that replaces it only if the block succeeds."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        temporary.chmod(0o644)
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)
