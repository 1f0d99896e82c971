from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from deckgen.authoring.scaffold import kind_names, new_note
from deckgen.kinds import registry
from deckgen.kinds.folder import load_cards
from deckgen.source.errors import DeckgenError, InvalidCards


@pytest.mark.parametrize("kind", kind_names())
def test_skeleton_lists_every_field_of_its_kind(kind: str, mini_cards: Path) -> None:
    note_id = "ST7" if kind == "point" else "new-note"
    path, *_ = new_note(cards_dir=mini_cards, kind=kind, note_id=note_id)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"# yaml-language-server: $schema=../../schemas/{kind}.schema.json\n")
    data = yaml.safe_load(text)
    model = registry.by_name(kind).model
    assert list(data) == list(model.model_fields)


def test_a_fresh_skeleton_fails_check_at_its_blanks(mini_cards: Path) -> None:
    path, *_ = new_note(cards_dir=mini_cards, kind="point", note_id="ST7")
    with pytest.raises(InvalidCards) as caught:
        load_cards(mini_cards)
    assert all(problem.path.endswith("ST7.yaml") for problem in caught.value.problems)
    assert len(caught.value.problems) >= 5
    assert path.exists()


def test_new_never_overwrites(mini_cards: Path) -> None:
    existing = mini_cards / "points" / "ST2.yaml"
    before = existing.read_bytes()
    with pytest.raises(DeckgenError, match="already exists"):
        new_note(cards_dir=mini_cards, kind="point", note_id="ST2")
    assert existing.read_bytes() == before


def test_new_rejects_a_bad_id(mini_cards: Path) -> None:
    with pytest.raises(DeckgenError, match="not a valid concept id"):
        new_note(cards_dir=mini_cards, kind="concept", note_id="Liver Wind")


def test_new_writes_the_schema_its_note_names_when_it_is_missing(mini_cards: Path) -> None:
    schemas = mini_cards.parent / "schemas"
    assert not schemas.exists()
    path, *written = new_note(cards_dir=mini_cards, kind="concept", note_id="liver-wind")
    assert schemas / "concept.schema.json" in written
    named = path.read_text(encoding="utf-8").splitlines()[0].partition("$schema=")[2]
    assert (path.parent / named).resolve() == (schemas / "concept.schema.json").resolve()
    # A second note finds its schema there and writes nothing else.
    assert new_note(cards_dir=mini_cards, kind="fact", note_id="one")[1:] == []
