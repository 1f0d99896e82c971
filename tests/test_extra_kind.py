"""A kind deckgen does not ship, added by registering it and nothing else: the herb kind
of tests/extrakind/herb.py, with its own model, checks, references, note type, templates,
labels and skeleton. Build, check, preview, new, schema and stats all take it up; without
the registration a herbs/ folder is only a folder that deckgen does not read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml
from anki.models import NotetypeId
from anki.notes import NoteId
from click.testing import CliRunner

from ankitest import Collection, import_package
from deckgen.authoring.preview import kind_labels, load_preview_cards, preview_html
from deckgen.authoring.scaffold import kind_names
from deckgen.authoring.schemas import schema_text, schemas
from deckgen.authoring.stats import format_stats, stats_of
from deckgen.build import build
from deckgen.build.load import load_folder
from deckgen.cli import cli
from deckgen.kinds import registry
from deckgen.kinds.folder import load_cards
from deckgen.kinds.ids import note_guid
from deckgen.source.errors import InvalidCards
from extrakind.herb import HERB, Herb, HerbKind

GINGER = """\
id: sheng-jiang
name: Fresh ginger
pinyin: shēng jiāng
actions:
  - Releases the exterior and disperses cold.
  - Warms the middle and stops vomiting.
related_points: [LI4]
tags: [herb::acrid]
sources: [textbook]
"""
MINT = """\
id: bo-he
name: Field mint
actions: [Disperses wind-heat.]
sources: [textbook]
"""
HERBS = {"sheng-jiang": GINGER, "bo-he": MINT}
#: The mini deck's notes and cards, before any herb (see tests/test_cli.py).
MINI_NOTES, MINI_CARDS = 13, 25
V1_TIME, V2_TIME = "1800000000", "1800086400"


def _add_herbs(cards: Path, herbs: dict[str, str] = HERBS) -> Path:
    (cards / "herbs").mkdir(exist_ok=True)
    for name, text in herbs.items():
        (cards / "herbs" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return cards


@pytest.fixture
def herb() -> Iterator[HerbKind]:
    """The herb kind, registered for the test."""
    kind = HerbKind()
    with registry.registered(kind):
        yield kind
    assert "herb" not in kind_names()  # gone again with the registration


@pytest.fixture
def herb_cards(herb: HerbKind, mini_cards: Path) -> Path:
    """The mini deck with two herbs: ginger (two cards) and mint (no pinyin: one card)."""
    return _add_herbs(mini_cards)


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, mini_cards: Path) -> CliRunner:
    """A CliRunner in the folder of the mini deck's copy (named 'mini' there)."""
    monkeypatch.chdir(mini_cards.parent)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return CliRunner()


# Build
# -----


@pytest.mark.slow
def test_herbs_are_built_into_their_subdeck_and_arrive_in_anki(
    herb_cards: Path, tmp_path: Path, collection: Collection
) -> None:
    report = build(cards_dir=herb_cards, out_dir=tmp_path / "out")
    decks = {deck.name: (deck.notes, deck.cards) for deck in report.decks}
    assert decks["Mini Deck::Herbs"] == (2, 3)
    assert sum(notes for notes, _ in decks.values()) == MINI_NOTES + 2
    assert sum(cards for _, cards in decks.values()) == MINI_CARDS + 3
    assert {"herb:sheng-jiang", "herb:bo-he"} <= set(report.changes.added)

    log = import_package(collection, report.output)
    assert len(log.new) == MINI_NOTES + 2
    assert not log.updated and not log.duplicate and not log.conflicting
    expected = {spec.guid: spec for spec in load_folder(herb_cards).notes()}
    herb_notes = collection.find_notes('"deck:Mini Deck::Herbs"')
    assert len(herb_notes) == 2
    for note_id in herb_notes:
        note = collection.get_note(note_id)
        spec = expected[note.guid]
        assert spec.kind == "herb"
        assert tuple(note.fields) == spec.fields
        assert sorted(note.tags) == sorted(spec.tags)
        assert {collection.decks.name(card.did) for card in note.cards()} == {"Mini Deck::Herbs"}

    notetype = collection.models.get(NotetypeId(HERB.model_id))
    assert notetype is not None and notetype["name"] == "deckgen Herb"
    assert [f["name"] for f in notetype["flds"]] == [
        "Name",
        "Pinyin",
        "Actions",
        "Related",
        "Sources",
    ]
    assert [t["name"] for t in notetype["tmpls"]] == ["Herb → Actions", "Pinyin → Herb"]
    assert ".herb-name" in notetype["css"]  # from the kind's own template folder

    ginger = collection.get_note(_note(collection, "sheng-jiang"))
    assert ginger["Name"] == "Fresh ginger"
    assert ginger["Pinyin"] == "shēng jiāng"
    assert ginger["Actions"] == (
        "<ul><li>Releases the exterior and disperses cold.</li>"
        "<li>Warms the middle and stops vomiting.</li></ul>"
    )
    assert ginger["Related"] == "LI4"
    assert ginger["Sources"] == "Sources: Textbook"
    assert sorted(ginger.tags) == ["deckgen::herb", "herb::acrid"]
    cards = sorted(ginger.cards(), key=lambda card: card.ord)
    assert [card.ord for card in cards] == [0, 1]
    actions = cards[0].render_output(reload=True)
    assert "Fresh ginger" in actions.question_text
    assert "Warms the middle" in actions.answer_text
    assert "shēng jiāng" in cards[1].render_output(reload=True).question_text

    mint = collection.get_note(_note(collection, "bo-he"))
    assert mint["Pinyin"] == ""
    assert [card.ord for card in mint.cards()] == [0]  # no pinyin: no pinyin card


@pytest.mark.slow
def test_an_edited_herb_is_updated_in_place_and_nothing_else_changes(
    herb_cards: Path, tmp_path: Path, collection: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", V1_TIME)
    first = build(cards_dir=herb_cards, out_dir=out)
    import_package(collection, first.output)
    before = {
        note.guid: (note.id, note.mod, tuple(note.fields), sorted(note.card_ids()))
        for note in map(collection.get_note, collection.find_notes(""))
    }
    ginger_id = _note(collection, "sheng-jiang")

    path = herb_cards / "herbs" / "sheng-jiang.yaml"
    edited = GINGER.replace(
        "  - Warms the middle and stops vomiting.\n",
        "  - Warms the middle and stops vomiting.\n  - Warms the lungs and stops coughing.\n",
    )
    path.write_text(edited, encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", V2_TIME)
    second = build(cards_dir=herb_cards, out_dir=out)
    assert second.changes.changed == (("herb:sheng-jiang", ("Actions",)),)
    assert second.changes.added == () and second.changes.removed == ()
    assert len(second.changes.unchanged) == MINI_NOTES + 1
    assert not second.changes.notetypes

    log = import_package(collection, second.output)
    assert not log.new and not log.conflicting  # the others are reported as duplicates
    assert [collection.get_note(entry.id.nid).guid for entry in log.updated] == [
        note_guid("herb", "sheng-jiang")
    ]
    after = {
        note.guid: (note.id, note.mod, tuple(note.fields), sorted(note.card_ids()))
        for note in map(collection.get_note, collection.find_notes(""))
    }
    assert set(after) == set(before)
    ginger_guid = note_guid("herb", "sheng-jiang")
    assert _note(collection, "sheng-jiang") == ginger_id  # the same note, updated
    assert after[ginger_guid][0] == before[ginger_guid][0]
    assert after[ginger_guid][3] == before[ginger_guid][3]  # its cards, and their history
    assert after[ginger_guid][1] > before[ginger_guid][1]
    assert "Warms the lungs and stops coughing." in collection.get_note(ginger_id)["Actions"]
    assert {guid: state for guid, state in after.items() if guid != ginger_guid} == {
        guid: state for guid, state in before.items() if guid != ginger_guid
    }

    # Built again unchanged, it changes nothing.
    third = build(cards_dir=herb_cards, out_dir=out)
    assert third.changes.changed == () and third.changes.added == ()


def _note(collection: Collection, herb_id: str) -> NoteId:
    """The Anki note id of a herb, found by its guid."""
    guid = note_guid("herb", herb_id)
    (found,) = [n for n in collection.find_notes("") if collection.get_note(n).guid == guid]
    return found


def test_registering_the_kind_is_a_change_the_next_build_sees(
    mini_cards: Path, tmp_path: Path
) -> None:
    """The build skips a rebuild when nothing it reads changed: the registered kinds
    (their modules and templates) are something it reads."""
    out = tmp_path / "out"
    _add_herbs(mini_cards)
    with registry.registered(HerbKind()):
        first = build(cards_dir=mini_cards, out_dir=out)
    assert first.changes.added[-2:] == ("herb:bo-he", "herb:sheng-jiang")
    assert len(first.changes.added) == MINI_NOTES + 2 and first.warnings == ()
    written = first.output.read_bytes()
    with pytest.raises(InvalidCards) as failed:  # not a no-op: herbs/ is no longer read
        build(cards_dir=mini_cards, out_dir=out)
    assert [p.path for p in failed.value.problems] == [
        str(mini_cards / "herbs" / "bo-he.yaml"),
        str(mini_cards / "herbs" / "sheng-jiang.yaml"),
    ]
    assert first.output.read_bytes() == written


def test_a_herb_subdeck_and_order_come_from_deck_yaml(herb_cards: Path) -> None:
    deck = herb_cards / "deck.yaml"
    deck.write_text(
        deck.read_text(encoding="utf-8") + "subdecks: {herbs: Materia Medica}\norder: [bo-he]\n",
        encoding="utf-8",
    )
    herbs = [spec for spec in load_folder(herb_cards).notes() if spec.kind == "herb"]
    assert [spec.note_id for spec in herbs] == ["bo-he", "sheng-jiang"]
    assert {spec.deck for spec in herbs} == {"Mini Deck::Materia Medica"}


# Check
# -----


def test_check_reports_an_unknown_point_at_its_place(
    herb: HerbKind, runner: CliRunner, mini_cards: Path
) -> None:
    _add_herbs(mini_cards, {"sheng-jiang": GINGER.replace("[LI4]", "[LI4, LI44]")})
    result = runner.invoke(cli, ["check", "--cards", "mini"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: mini/herbs/sheng-jiang.yaml:7:23: related_points[1]: "
        "unknown point 'LI44' (did you mean 'LI4'?)\n"
        "1 problem found; nothing was written.\n",
    )


def test_check_runs_the_kinds_own_rule(herb: HerbKind, runner: CliRunner, mini_cards: Path) -> None:
    twice = GINGER.replace(
        "  - Warms the middle and stops vomiting.\n",
        "  - Warms the middle and stops vomiting.\n  - Releases the exterior and disperses cold.\n",
    )
    _add_herbs(mini_cards, {"sheng-jiang": twice})
    result = runner.invoke(cli, ["check", "--cards", "mini"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: mini/herbs/sheng-jiang.yaml:7:5: actions[2]: 'Releases the exterior and "
        "disperses cold.' is listed twice (first at line 5, column 5)\n"
        "1 problem found; nothing was written.\n",
    )


@pytest.mark.parametrize(
    ("herbs", "counted"), [({"bo-he": MINT}, "1 herb"), (HERBS, "2 herbs")], ids=["1", "2"]
)
def test_check_counts_the_herbs(
    herb: HerbKind, runner: CliRunner, mini_cards: Path, herbs: dict[str, str], counted: str
) -> None:
    _add_herbs(mini_cards, herbs)
    result = runner.invoke(cli, ["check", "--cards", "mini"])
    assert (result.exit_code, result.output) == (
        0,
        f"OK: mini has {7 + len(herbs)} notes "
        f"(3 points, 1 concept, 2 conditions, 1 fact, {counted}).\n",
    )


def test_without_the_registration_herbs_is_not_a_note_folder(
    runner: CliRunner, mini_cards: Path
) -> None:
    _add_herbs(mini_cards)
    assert "herb" not in kind_names()
    ignored = (
        "YAML file would be left out of the deck: 'herbs/' is not a note folder "
        "(points/, concepts/, conditions/ or facts/); to keep it here unread, put it in a "
        "folder whose name starts with '.'"
    )
    with pytest.raises(InvalidCards) as failed:
        load_cards(mini_cards)
    assert [(p.path, p.message) for p in failed.value.problems] == [
        ("mini/herbs/bo-he.yaml", ignored),  # as shown: relative to the working folder
        ("mini/herbs/sheng-jiang.yaml", ignored),
    ]
    result = runner.invoke(cli, ["check", "--cards", "mini"])
    assert result.exit_code == 1
    assert f"mini/herbs/bo-he.yaml:1:1: {ignored}" in result.output
    assert runner.invoke(cli, ["new", "herb", "liquorice", "--cards", "mini"]).exit_code == 2
    assert "herb" not in schemas()

    with registry.registered(HerbKind()):
        assert load_cards(mini_cards).warnings == ()


# Preview and stats
# -----------------


def test_preview_shows_the_herb_cards_under_their_label(herb_cards: Path) -> None:
    assert kind_labels()["herb"] == "Herb cards"
    title, cards = load_preview_cards(herb_cards)
    herbs = [card for card in cards if card.note.kind == "herb"]
    assert [(card.note.note_id, card.card.template) for card in herbs] == [
        ("bo-he", "Herb → Actions"),
        ("sheng-jiang", "Herb → Actions"),
        ("sheng-jiang", "Pinyin → Herb"),
    ]
    assert {card.note.deck for card in herbs} == {"Mini Deck::Herbs"}
    assert "Field mint" in herbs[0].card.question
    assert "Disperses wind-heat." in herbs[0].card.answer
    assert "shēng jiāng" in herbs[2].card.question
    assert "Fresh ginger" in herbs[2].card.answer

    page = preview_html(title, cards)
    section = page.split("<h2>Herbs <small>(3)</small></h2>", 1)[1].split("</section>", 1)[0]
    assert "<h3>Herb cards <small>(3)</small></h3>" in section
    assert ".herb-name" in page  # the note type's own CSS


def test_stats_count_the_herbs(herb_cards: Path) -> None:
    stats = stats_of(herb_cards)
    assert stats.notes_per_kind["herb"] == 2
    assert stats.cards_per_kind["herb"] == 3
    assert stats.notes_per_deck["Mini Deck::Herbs"] == 2
    assert "Herbs without pinyin: bo-he" in format_stats(stats).splitlines()


# Scaffold and schemas
# --------------------


def test_new_herb_writes_a_skeleton_that_check_points_into(
    herb: HerbKind, runner: CliRunner, mini_cards: Path
) -> None:
    result = runner.invoke(cli, ["new", "herb", "liquorice", "--cards", "mini"])
    assert (result.exit_code, result.output) == (
        0,
        "Wrote mini/herbs/liquorice.yaml\nWrote the schemas its first line names to schemas\n",
    )
    path = mini_cards / "herbs" / "liquorice.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schemas/herb.schema.json\n")
    assert list(yaml.safe_load(text)) == list(Herb.model_fields)

    check = runner.invoke(cli, ["check", "--cards", "mini"])
    assert check.exit_code == 1
    errors = [line for line in check.output.splitlines() if line.startswith("Error: ")]
    assert [line.split(": ", 2)[1] for line in errors] == [
        "mini/herbs/liquorice.yaml:3:7",  # name: ""
        "mini/herbs/liquorice.yaml:5:10",  # actions: []
        "mini/herbs/liquorice.yaml:8:10",  # sources: []
    ]
    assert check.output.endswith("3 problems found; nothing was written.\n")

    bad = runner.invoke(cli, ["new", "herb", "Liquorice Root", "--cards", "mini"])
    assert (bad.exit_code, bad.output) == (
        1,
        "Error: 'Liquorice Root' is not a valid herb id: use a lower-case id such as gan-cao\n",
    )


def test_the_help_names_the_registered_kinds(herb: HerbKind, runner: CliRunner) -> None:
    new = runner.invoke(cli, ["new", "--help"], terminal_width=200)
    assert "{concept|condition|fact|herb|point} ID" in new.output
    assert "KIND is point, concept, condition, fact or herb;" in new.output
    schema = runner.invoke(cli, ["schema", "--help"], terminal_width=200)
    assert "Writes point, concept, condition, fact, herb, deck and sources" in schema.output


def test_the_herb_schema_is_generated_and_validates_herb_files(
    herb: HerbKind, runner: CliRunner, mini_cards: Path
) -> None:
    assert "herb" in schemas()
    schema = json.loads(schema_text("herb"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"] == "deckgen herb"
    assert schema["description"] == "herbs/<id>.yaml: one Chinese herb."
    assert list(schema["properties"]) == list(Herb.model_fields)
    assert schema["required"] == ["id", "name", "actions", "sources"]
    validator = jsonschema.Draft202012Validator(schema)
    for text in HERBS.values():
        assert not list(validator.iter_errors(yaml.safe_load(text)))
    wrong = yaml.safe_load(GINGER.replace("[LI4]", "[LI 4]") + "colour: brown\n")
    assert len(list(validator.iter_errors(wrong))) == 2

    deck = json.loads(schema_text("deck"))
    herbs = deck["$defs"]["Subdecks"]["properties"]["herbs"]
    assert (herbs["default"], herbs["description"]) == ("Herbs", "Subdeck for herb notes.")
    assert "herb ids" in deck["properties"]["order"]["description"]

    written = runner.invoke(cli, ["schema", "--out", "editor"])
    assert "Wrote editor/herb.schema.json\n" in written.output
    assert (mini_cards.parent / "editor" / "herb.schema.json").read_text(
        encoding="utf-8"
    ) == schema_text("herb")
