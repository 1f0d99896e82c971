"""docs/points.md: every point with its location exactly as the deck states it."""

from __future__ import annotations

from deckgen.cards import Cards
from deckgen.cloze import strip_cloze


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def points_markdown(cards: Cards) -> str:
    """A Markdown table of the deck's points, generated from the YAML (do not edit by hand)."""
    lines = [
        f"# Points in *{cards.deck.name}*",
        "",
        "Generated from the YAML in `cards/points/` by `deckgen docs`; do not edit by hand.",
        "",
        "| Code | Name | Channel | Location | Cautions | Sources |",
        "|---|---|---|---|---|---|",
    ]
    for point in cards.points:
        code = point.code + (f" ({', '.join(point.aliases)})" if point.aliases else "")
        name = f"{point.pinyin} {point.hanzi} — {point.english}"
        cautions = "; ".join(point.needling.cautions) or "—"
        sources = ", ".join(cards.sources[key].short for key in point.sources)
        cells = (code, name, point.channel.label, strip_cloze(point.location), cautions, sources)
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"
