"""Integrity of the shipped deck (issue 4): what every student relies on."""

from __future__ import annotations

from conftest import SHIPPED_CARDS
from deckgen.kinds.fields import entry_text
from deckgen.kinds.folder import load_cards
from deckgen.kinds.registry import POINTS

REQUIRED_POINTS = {
    "GB14", "EX-HN4", "EX-HN3", "BL2", "TE23", "GB1", "EX-HN5", "ST2", "ST3", "LI20", "SI18",
    "ST4", "ST6", "ST7", "GB2", "TE17", "Qianzheng", "GB20", "ST36", "LI4", "LR3", "TE5", "TE6",
}  # fmt: skip


def test_the_shipped_deck_is_valid_without_warnings() -> None:
    cards = load_cards(SHIPPED_CARDS)  # not strict: that would raise before the assert
    assert [str(warning) for warning in cards.warnings] == []


def test_every_required_point_is_there_with_diagram_coordinates() -> None:
    cards = load_cards(SHIPPED_CARDS)
    codes = {point.code for point in cards.records_of(POINTS)}
    assert codes >= REQUIRED_POINTS
    assert [p.code for p in cards.records_of(POINTS) if p.diagram is None] == []


def test_the_safety_cautions_are_on_their_points() -> None:
    points = {point.code: point for point in load_cards(SHIPPED_CARDS).records_of(POINTS)}

    def cautions(code: str) -> str:
        return " ".join(entry_text(c) for c in points[code].needling.cautions).lower()

    assert "pregnan" in cautions("LI4")
    assert "infraorbital" in cautions("ST2")
    assert "artery" in cautions("LR3")
    assert "artery" in cautions("ST4")
    assert "nose" in cautions("GB20") or "medulla" in cautions("GB20")
    assert "palsy" in cautions("TE17") or "facial nerve" in cautions("TE17")


def test_dubious_seed_claims_are_only_given_as_claims() -> None:
    cards = load_cards(SHIPPED_CARDS)
    te6 = next(point for point in cards.records_of(POINTS) if point.code == "TE6")
    assert not any("blood" in entry_text(action).lower() for action in te6.actions)
    assert any("claimed" in entry_text(note).lower() for note in te6.notes)
    for point in cards.records_of(POINTS):
        assert "inch" not in point.location.lower(), point.code
