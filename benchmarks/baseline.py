"""The baseline: a bare genanki script that writes the same notes and media as deckgen.

`prepare` reads an .apkg that deckgen built and keeps what a hand-written genanki script
would start from: the note types (fields, templates, CSS), the decks, every note's fields,
tags and guid, and the media files on disk (genanki takes media as paths). `write_package`
is that script: genanki models, decks and notes, then `Package.write_to_file`. It never
imports deckgen, so the ratio deckgen/baseline is deckgen's own cost over genanki's.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path
from typing import Any

NOTES_FILE = "notes.json"
MEDIA_DIR = "media"


def prepare(apkg: Path, dest: Path) -> dict[str, int]:
    """Write the baseline's input (notes.json, media/) from `apkg`; return what it holds."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / MEDIA_DIR).mkdir(exist_ok=True)
    with zipfile.ZipFile(apkg) as archive, tempfile.TemporaryDirectory() as scratch:
        collection = Path(scratch) / "collection.anki2"
        collection.write_bytes(archive.read("collection.anki2"))
        media_map: dict[str, str] = json.loads(archive.read("media"))
        for index, name in media_map.items():
            (dest / MEDIA_DIR / name).write_bytes(archive.read(index))
        data = _read_collection(collection)
    data["media"] = sorted(media_map.values())
    (dest / NOTES_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return {"notes": len(data["notes"]), "media": len(data["media"])}


def _read_collection(path: Path) -> dict[str, Any]:
    connection = sqlite3.connect(path)
    try:
        models_json, decks_json = connection.execute("SELECT models, decks FROM col").fetchone()
        note_deck = dict(connection.execute("SELECT nid, MIN(did) FROM cards GROUP BY nid"))
        rows = connection.execute("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id")
        notes = [
            [mid, note_deck[nid], guid, flds.split("\x1f"), tags.split()]
            for nid, guid, mid, tags, flds in rows
        ]
    finally:
        connection.close()
    models = [
        {
            "id": int(model["id"]),
            "name": model["name"],
            "fields": [field["name"] for field in model["flds"]],
            "templates": [
                {"name": t["name"], "qfmt": t["qfmt"], "afmt": t["afmt"]} for t in model["tmpls"]
            ],
            "css": model["css"],
            "type": model["type"],
        }
        for model in json.loads(models_json).values()
    ]
    decks = [
        {"id": int(deck["id"]), "name": deck["name"], "desc": deck.get("desc", "")}
        for deck in json.loads(decks_json).values()
        if int(deck["id"]) != 1  # Anki's "Default" deck, which genanki always writes
    ]
    return {"models": models, "decks": decks, "notes": notes}


def write_package(source: Path, target: Path, *, cards: Path | None = None) -> None:
    """The bare genanki script: the notes and media under `source` -> `target` (.apkg).

    With `cards`, it first parses every YAML file there with PyYAML's libyaml loader and
    drops the result: the least a script that reads YAML notes must add (for comparison).
    """
    import genanki  # here, so that preparing the input never pays for it

    if cards is not None:
        parse_yaml(cards)
    data = json.loads((source / NOTES_FILE).read_text(encoding="utf-8"))
    models = {
        spec["id"]: genanki.Model(
            spec["id"],
            spec["name"],
            fields=[{"name": name} for name in spec["fields"]],
            templates=spec["templates"],
            css=spec["css"],
            model_type=spec["type"],
        )
        for spec in data["models"]
    }
    decks = {
        spec["id"]: genanki.Deck(spec["id"], spec["name"], spec["desc"]) for spec in data["decks"]
    }
    for model_id, deck_id, guid, fields, tags in data["notes"]:
        note = genanki.Note(model=models[model_id], fields=fields, tags=tags, guid=guid)
        decks[deck_id].add_note(note)
    media = [str(source / MEDIA_DIR / name) for name in data["media"]]
    genanki.Package(list(decks.values()), media_files=media).write_to_file(str(target))


def parse_yaml(cards: Path) -> int:
    """Parse every YAML file under `cards` with libyaml (if PyYAML has it); the file count."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    files = sorted(cards.rglob("*.yaml"))
    for path in files:
        yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    return len(files)


def package_counts(apkg: Path) -> dict[str, int]:
    """Notes, cards and media files in an .apkg: to check that both sides wrote the same."""
    with zipfile.ZipFile(apkg) as archive, tempfile.TemporaryDirectory() as scratch:
        collection = Path(scratch) / "collection.anki2"
        collection.write_bytes(archive.read("collection.anki2"))
        media = len(json.loads(archive.read("media")))
        connection = sqlite3.connect(collection)
        try:
            (notes,) = connection.execute("SELECT COUNT(*) FROM notes").fetchone()
            (cards,) = connection.execute("SELECT COUNT(*) FROM cards").fetchone()
        finally:
            connection.close()
    return {"notes": int(notes), "cards": int(cards), "media": media}
