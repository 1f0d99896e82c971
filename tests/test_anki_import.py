"""End to end: build the shipped cards, import into a real Anki collection, check all of it."""

from __future__ import annotations

import json
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
import yaml
from anki.models import NotetypeId

from ankitest import Collection, import_package, revlog_count, study_all
from deckgen.build import build
from deckgen.build.load import load_folder

pytestmark = pytest.mark.slow  # every test imports into a real Anki collection

TEMPLATE_ERROR = re.compile(r"template|error|\{\{", re.IGNORECASE)


def _build(cards_dir: Path, out: Path) -> Path:
    return build(cards_dir=cards_dir, out_dir=out).output


def test_every_note_field_tag_and_deck_arrives(
    cards_dir: Path, tmp_path: Path, collection: Collection
) -> None:
    package = _build(cards_dir, tmp_path / "out")
    log = import_package(collection, package)
    expected = {spec.guid: spec for spec in load_folder(cards_dir).notes()}

    assert len(log.new) == len(expected)
    assert not log.updated and not log.duplicate and not log.conflicting

    note_ids = collection.find_notes("")
    assert len(note_ids) == len(expected)
    for note_id in note_ids:
        note = collection.get_note(note_id)
        spec = expected[note.guid]
        notetype = note.note_type()
        assert notetype is not None
        assert notetype["id"] == spec.notetype.model_id
        assert notetype["name"] == spec.notetype.name
        assert [f["name"] for f in notetype["flds"]] == list(spec.notetype.fields)
        assert tuple(note.fields) == spec.fields
        assert sorted(note.tags) == sorted(spec.tags)
        cards = note.cards()
        assert cards, f"{spec.key} has no cards"
        assert {collection.decks.name(card.did) for card in cards} == {spec.deck}


def test_shipped_content_reaches_anki(
    cards_dir: Path, tmp_path: Path, collection: Collection
) -> None:
    import_package(collection, _build(cards_dir, tmp_path / "out"))
    (st2,) = collection.find_notes('"Code:ST2"')
    note = collection.get_note(st2)
    assert "infraorbital foramen" in note["Location"]
    assert "infraorbital canal" in note["Cautions"]
    assert "channel::stomach" in note.tags
    assert collection.find_notes("tag:topic::hemifacial-spasm")
    names = {d.name for d in collection.decks.all_names_and_ids()}
    assert {
        "Acupuncture for Facial Spasm",
        "Acupuncture for Facial Spasm::Points",
        "Acupuncture for Facial Spasm::TCM Concepts",
        "Acupuncture for Facial Spasm::Western Differential",
    } <= names
    parent = collection.decks.by_name("Acupuncture for Facial Spasm")
    assert parent is not None and "Version 0.1" in parent["desc"]


def test_every_card_renders_without_template_error(
    cards_dir: Path, tmp_path: Path, collection: Collection
) -> None:
    import_package(collection, _build(cards_dir, tmp_path / "out"))
    card_ids = collection.find_cards("")
    assert card_ids
    for card_id in card_ids:
        card = collection.get_card(card_id)
        output = card.render_output(reload=True)
        question = output.question_text
        answer = output.answer_text
        assert re.sub(r"<[^>]+>|\s", "", question), f"card {card_id} has an empty front"
        for side in (question, answer):
            assert not TEMPLATE_ERROR.search(re.sub(r"<[^>]+>", "", side)), side


def test_note_types_keep_their_fixed_ids(
    cards_dir: Path, tmp_path: Path, collection: Collection
) -> None:
    import_package(collection, _build(cards_dir, tmp_path / "out"))
    used = {spec.notetype for spec in load_folder(cards_dir).notes()}
    assert used
    for notetype in used:
        stored = collection.models.get(NotetypeId(notetype.model_id))
        assert stored is not None and stored["name"] == notetype.name
    assert not [m for m in collection.models.all_names_and_ids() if m.name.endswith("+")]


def test_edit_rebuild_reimport_updates_in_place_and_keeps_history(
    cards_dir: Path, tmp_path: Path, collection: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    first = _build(cards_dir, tmp_path / "out")
    import_package(collection, first)
    studied = study_all(collection)
    assert studied == len(collection.find_cards(""))
    (st2,) = collection.find_notes('"Code:ST2"')
    before = {
        card.id: (card.ivl, card.reps, card.type, card.due)
        for card in collection.get_note(st2).cards()
    }
    assert all(reps == 1 for _, reps, _, _ in before.values())
    log_before = revlog_count(collection)

    yaml_file = cards_dir / "points" / "ST2.yaml"
    data = yaml.safe_load(yaml_file.read_text(encoding="utf-8"))
    new_location = data["location"].rstrip(".") + ", below the pupil."
    data["location"] = new_location
    yaml_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000100")
    report = build(cards_dir=cards_dir, out_dir=tmp_path / "out")
    changed = {key for key, _ in report.changes.changed}
    assert "point:ST2" in changed and changed <= {"point:ST2", "point-cloze:ST2"}
    log = import_package(collection, report.output)

    assert len(log.updated) == len(changed) and not log.new and not log.conflicting
    assert collection.find_notes('"Code:ST2"') == [st2]
    note = collection.get_note(st2)
    assert note["Location"].startswith(new_location + '<div class="sources">Sources: ')
    after = {card.id: (card.ivl, card.reps, card.type, card.due) for card in note.cards()}
    assert after == before
    assert revlog_count(collection) == log_before
    assert len(collection.find_notes("")) == len(load_folder(cards_dir).notes())


def test_every_image_is_in_the_package_and_every_occlusion_note_parses(
    cards_dir: Path, tmp_path: Path, collection: Collection
) -> None:
    package = _build(cards_dir, tmp_path / "out")
    with zipfile.ZipFile(package) as archive:
        shipped = set(json.loads(archive.read("media")).values())
    import_package(collection, package)
    referenced: set[str] = set()
    for note_id in collection.find_notes(""):
        for value in collection.get_note(note_id).fields:
            referenced |= set(re.findall(r'<img src="([^"]+)"', value))
    assert referenced, "the deck shows no images"
    assert referenced <= shipped
    media = Path(collection.media.dir())
    assert all((media / name).is_file() for name in referenced)

    occlusions = collection.find_notes("tag:deckgen::occlusion")
    per_diagram = Counter(c["name"] for c in yaml_diagrams(cards_dir))
    # One per diagram with three points or more (deck.yaml's `occlusion_min_points`).
    assert len(occlusions) == sum(1 for count in per_diagram.values() if count >= 3) > 0
    for note_id in occlusions:
        parsed = collection.get_image_occlusion_note(note_id).note
        note = collection.get_note(note_id)
        assert parsed.image_file_name in referenced
        ordinals = sorted(o.ordinal for o in parsed.occlusions)
        assert len(ordinals) == len(note.cards())
        # Each point's mask: one box over its label and dot, or one over each.
        assert all(1 <= len(o.shapes) <= 2 for o in parsed.occlusions)
        assert all(shape.shape == "rect" for o in parsed.occlusions for shape in o.shapes)


def test_new_cards_come_in_the_order_authored(
    cards_dir: Path, tmp_path: Path, collection: Collection
) -> None:
    import_package(collection, _build(cards_dir, tmp_path / "out"))
    specs = load_folder(cards_dir).notes()
    position = {spec.guid: index for index, spec in enumerate(specs)}
    cards = [collection.get_card(card_id) for card_id in collection.find_cards("is:new")]
    by_due = sorted(cards, key=lambda card: (card.due, card.ord))
    authored = [position[card.note().guid] for card in by_due]
    assert authored == sorted(authored)


def yaml_diagrams(cards_dir: Path) -> list[dict[str, object]]:
    """The diagram placements of the shipped points."""
    placements = []
    for path in sorted((cards_dir / "points").glob("*.yaml")):
        diagram = yaml.safe_load(path.read_text(encoding="utf-8")).get("diagram")
        if diagram:
            placements.append(diagram)
    return placements
