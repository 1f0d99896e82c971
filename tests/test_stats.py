from __future__ import annotations

from pathlib import Path

import pytest

from ankitest import Collection, import_package
from deckgen.authoring.stats import card_count, collect, format_stats
from deckgen.build import build
from deckgen.build.load import load_folder
from deckgen.kinds.kind import Tally


@pytest.mark.slow
def test_card_counts_match_what_anki_makes(
    mini_cards: Path, tmp_path: Path, collection: Collection
) -> None:
    specs = load_folder(mini_cards).notes()
    import_package(collection, build(cards_dir=mini_cards, out_dir=tmp_path).output)
    by_guid = {spec.guid: card_count(spec) for spec in specs}
    for note_id in collection.find_notes(""):
        note = collection.get_note(note_id)
        assert len(note.cards()) == by_guid[note.guid], note.fields[0]


def test_stats_of_the_mini_deck(mini_cards: Path) -> None:
    loaded = load_folder(mini_cards)
    stats = collect(loaded.cards, loaded.notes())
    assert stats.notes_per_kind["point"] == 3
    channels = {"Gallbladder": 1, "Large intestine": 1, "Stomach": 1}
    assert stats.tallies == (
        Tally("Channels (points)", channels),
        Tally("Points without a diagram", names=("LI4",)),
    )
    assert stats.notes_per_tag["region::face"] == 4  # GB14, ST2 and their location clozes
    text = format_stats(stats)
    assert "Points without a diagram: LI4" in text
    assert "Mini Deck::Points" in text
