from __future__ import annotations

from pathlib import Path

from ankitest import Collection, import_package
from deckgen.authoring.stats import card_count, collect, format_stats
from deckgen.build.core import build
from deckgen.kinds.folder import load_cards
from deckgen.kinds.notes import build_notes


def test_card_counts_match_what_anki_makes(
    mini_cards: Path, tmp_path: Path, collection: Collection
) -> None:
    specs = build_notes(load_cards(mini_cards))
    import_package(collection, build(cards_dir=mini_cards, out_dir=tmp_path).output)
    by_guid = {spec.guid: card_count(spec) for spec in specs}
    for note_id in collection.find_notes(""):
        note = collection.get_note(note_id)
        assert len(note.cards()) == by_guid[note.guid], note.fields[0]


def test_stats_of_the_mini_deck(mini_cards: Path) -> None:
    cards = load_cards(mini_cards)
    stats = collect(cards, build_notes(cards))
    assert stats.notes_per_kind["point"] == 3
    assert stats.points_without_diagram == ("LI4",)
    assert stats.notes_without_sources == ()
    assert stats.points_per_channel == {"Gallbladder": 1, "Large intestine": 1, "Stomach": 1}
    assert stats.notes_per_tag["region::face"] == 4  # GB14, ST2 and their location clozes
    text = format_stats(stats)
    assert "Points without a diagram: LI4" in text
    assert "Mini Deck::Points" in text
