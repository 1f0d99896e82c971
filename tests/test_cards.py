"""One rule for which cards a note has (`deckgen.anki.cards.card_ordinals`): the package's
card rows follow it, as the preview and the statistics do, and it is Anki's rule. Also the
note rows deckgen writes itself (tags, fields) and what it still takes from genanki."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import genanki
import pytest

from ankitest import Collection, import_package
from conftest import MINI_CARDS
from deckgen.anki.cards import card_ordinals
from deckgen.anki.genanki_adapter import write_skeleton
from deckgen.anki.package import PackagedDeck, format_fields, format_tags
from deckgen.build import build
from deckgen.build.load import load_folder
from deckgen.kinds.ids import note_guid
from deckgen.kinds.notetypes import SORT_FIELD
from deckgen.kinds.spec import NoteSpec


def _mini_notes() -> list[NoteSpec]:
    """The notes of the mini deck (read, not built): note types of each sort."""
    return load_folder(MINI_CARDS).notes()


def _fields(spec: NoteSpec) -> dict[str, str]:
    return dict(zip(spec.notetype.fields, spec.fields, strict=True))


def _built(cards: Path, out: Path) -> tuple[Path, list[NoteSpec]]:
    """Build the cards folder; return the package and the notes the build made (with the
    image-occlusion numbers the build wrote to the lock)."""
    package = build(cards_dir=cards, out_dir=out).output
    return package, load_folder(cards).notes()


@contextmanager
def _package_collection(package: Path, work: Path) -> Iterator[sqlite3.Connection]:
    """The SQLite collection inside an .apkg, opened read-only."""
    path = work / "collection.anki2"
    with zipfile.ZipFile(package) as archive:
        path.write_bytes(archive.read("collection.anki2"))
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as connection:
        yield connection


# The package's cards are card_ordinals'
# --------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("deck", ["shipped", "mini"])
def test_every_note_in_the_package_has_exactly_the_cards_card_ordinals_gives(
    deck: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    cards: Path = request.getfixturevalue("cards_dir" if deck == "shipped" else "mini_cards")
    package, specs = _built(cards, tmp_path / "out")
    with _package_collection(package, tmp_path) as db:
        notes = {
            guid: (note_id, tags, flds, sfld)
            for note_id, guid, tags, flds, sfld in db.execute(
                "SELECT id, guid, tags, flds, sfld FROM notes"
            )
        }
        ords: dict[int, list[int]] = {}
        for note_id, card_id, ordinal in db.execute("SELECT nid, id, ord FROM cards ORDER BY id"):
            ords.setdefault(note_id, []).append(ordinal)
            assert card_id == note_id + len(ords[note_id]), "card ids follow their note's"
        (models,) = db.execute("SELECT models FROM col").fetchone()
    assert sorted(notes) == sorted(spec.guid for spec in specs)
    legacy_req = {int(key): model["req"] for key, model in json.loads(models).items()}
    for spec in specs:
        note_id, tags, flds, sfld = notes[spec.guid]
        expected = card_ordinals(spec.notetype, _fields(spec))
        assert expected, f"{spec.key} has no cards"
        assert ords.get(note_id, []) == expected, spec.key  # the same cards, in ord order
        assert (tags, flds, sfld) == (
            format_tags(spec.tags),
            format_fields(spec.fields),
            spec.fields[SORT_FIELD],
        ), spec.key
        if not spec.notetype.cloze:
            # The note type's legacy `req` (genanki's, ignored by Anki since 2.1.28) agrees:
            # an older client that still reads it would make the same cards.
            by_req = [
                ordinal
                for ordinal, any_or_all, required in legacy_req[spec.notetype.model_id]
                if {"any": any, "all": all}[any_or_all](spec.fields[i] for i in required)
            ]
            assert by_req == expected, spec.key


@pytest.mark.slow
def test_anki_makes_no_card_more_and_none_less_than_card_ordinals(
    cards_dir: Path, tmp_path: Path, collection: Collection
) -> None:
    """Imported into the real backend, each note has card_ordinals' cards; asking Anki to
    generate the cards its templates call for adds none, and it finds no empty card."""
    package, specs = _built(cards_dir, tmp_path / "out")
    import_package(collection, package)
    expected = {spec.guid: card_ordinals(spec.notetype, _fields(spec)) for spec in specs}
    note_ids = list(collection.find_notes(""))
    assert len(note_ids) == len(specs)
    for note_id in note_ids:
        note = collection.get_note(note_id)
        assert sorted(card.ord for card in note.cards()) == expected[note.guid], note.fields[0]
    cards_before = len(collection.find_cards(""))
    collection.after_note_updates(note_ids, mark_modified=False, generate_cards=True)
    assert len(collection.find_cards("")) == cards_before, "Anki generated cards we lack"
    empty = collection.get_empty_cards()
    assert [(entry.note_id, list(entry.card_ids)) for entry in empty.notes] == []


# Note rows: tags and fields
# --------------------------


def test_tags_are_joined_by_spaces_with_a_space_on_each_side() -> None:
    assert format_tags(["region::face", "kind::point"]) == " region::face kind::point "
    assert format_tags(["one"]) == " one "
    assert format_tags([]) == "  "
    assert format_tags(iter(["a", "b"])) == " a b "
    with pytest.raises(ValueError, match="contains a space"):
        format_tags(["two words"])


def test_fields_are_joined_by_the_unit_separator() -> None:
    assert format_fields(["ST2", "", "<b>x</b>"]) == "ST2\x1f\x1f<b>x</b>"
    assert format_fields(["only"]) == "only"
    assert format_fields(iter(["a", "b"])) == "a\x1fb"


def test_tags_and_fields_are_written_as_genanki_writes_them(tmp_path: Path) -> None:
    """What deckgen took from genanki before writing note rows itself (and the bytes of
    every package built before that still depend on): the columns genanki's own
    `Package.write_to_file` gives."""
    model = genanki.Model(
        1607392319,
        "Three fields",
        fields=[{"name": "A"}, {"name": "B"}, {"name": "C"}],
        templates=[{"name": "Card 1", "qfmt": "{{A}}", "afmt": "{{B}}"}],
    )
    examples = [
        (["x", "y", "z"], ["t"]),
        (["", "", "text with spaces"], []),
        (["ünïcödé 穴位", "a\nb", "&amp; <b>bold</b>"], ["a::b", "c_d", "Ünï"]),
    ]
    deck = genanki.Deck(2059400110, "Test")
    for fields, tags in examples:
        deck.add_note(genanki.Note(model=model, fields=fields, tags=tags, guid=fields[2]))
    genanki.Package(deck).write_to_file(str(tmp_path / "genanki.apkg"), timestamp=0)
    with _package_collection(tmp_path / "genanki.apkg", tmp_path) as db:
        written = db.execute("SELECT tags, flds, sfld FROM notes ORDER BY id").fetchall()
    assert written == [
        (format_tags(tags), format_fields(fields), fields[SORT_FIELD]) for fields, tags in examples
    ]


# What genanki still writes (deckgen.anki.package's adapter)
# ----------------------------------------------------------


def test_the_genanki_adapter_writes_the_schema_decks_and_note_types() -> None:
    """What deckgen relies on genanki for: an empty collection with Anki's tables (the
    columns `render_collection` inserts), the decks, and each note type with deckgen's ids,
    modification time, sort field and image-occlusion kind (through `Model.to_json`)."""
    notetypes = list({spec.notetype.key: spec.notetype for spec in _mini_notes()}.values())
    assert {notetype.cloze for notetype in notetypes} == {True, False}
    assert any(notetype.stock_kind is not None for notetype in notetypes)  # image occlusion
    decks = [PackagedDeck("Deck", 11, "About it"), PackagedDeck("Deck::Sub", 12, "")]
    mods = {notetype.key: 1_700_000_000 + index for index, notetype in enumerate(notetypes)}
    with closing(sqlite3.connect(":memory:")) as db:
        write_skeleton(db, notetypes=[(nt, mods[nt.key]) for nt in notetypes], decks=decks)

        def columns(table: str) -> list[str]:
            return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]

        assert columns("notes") == [
            "id", "guid", "mid", "mod", "usn", "tags", "flds", "sfld", "csum", "flags", "data",
        ]  # fmt: skip
        assert columns("cards") == [
            "id", "nid", "did", "ord", "mod", "usn", "type", "queue", "due",
            "ivl", "factor", "reps", "lapses", "left", "odue", "odid", "flags", "data",
        ]  # fmt: skip
        assert db.execute("SELECT COUNT(*) FROM notes").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM cards").fetchone() == (0,)
        ((models_json, decks_json),) = db.execute("SELECT models, decks FROM col").fetchall()

    stored_decks = {int(key): deck for key, deck in json.loads(decks_json).items()}
    for deck in decks:
        assert (stored_decks[deck.deck_id]["name"], stored_decks[deck.deck_id]["desc"]) == (
            deck.name,
            deck.description,
        )
    models = {int(key): model for key, model in json.loads(models_json).items()}
    assert set(models) == {notetype.model_id for notetype in notetypes}
    for notetype in notetypes:
        model = models[notetype.model_id]
        assert model["name"] == notetype.name
        assert model["mod"] == mods[notetype.key]
        assert model["sortf"] == SORT_FIELD
        assert model["type"] == (1 if notetype.cloze else 0)
        assert [(f["name"], f["id"], f["ord"]) for f in model["flds"]] == [
            (name, notetype.field_id(name), index) for index, name in enumerate(notetype.fields)
        ]
        assert [(t["name"], t["qfmt"], t["afmt"], t["id"], t["ord"]) for t in model["tmpls"]] == [
            (name, front, back, notetype.template_id(name), index)
            for index, (name, front, back) in enumerate(notetype.template_texts())
        ]
        assert model["css"] == notetype.css_text()
        assert model.get("originalStockKind") == notetype.stock_kind
        tags = dict(notetype.field_tags)  # image occlusion's: Anki finds its fields by them
        assert [f.get("tag") for f in model["flds"]] == [tags.get(f["name"]) for f in model["flds"]]


def test_note_guids_never_change() -> None:
    """Anki matches notes by guid; deckgen's come from genanki's `guid_for`. A genanki
    release that changed it would duplicate every note in every reader's collection."""
    assert note_guid("point", "ST2") == "N2kYZ11@P~"
    assert note_guid("concept", "qi") == "E>HpD0S+$."
