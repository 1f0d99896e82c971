"""Generated docs: docs/points.md lists every point with its location exactly as the deck
states it; `stale_pages` and `write_pages` keep generated pages current."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from deckgen.kinds.cloze import strip_cloze
from deckgen.kinds.fields import entry_text
from deckgen.kinds.folder import Cards
from deckgen.kinds.point import Point
from deckgen.state.commit import write_atomically


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
    for file in cards.of_kind("point"):
        point = cast(Point, file.record)
        code = point.code + (f" ({', '.join(point.aliases)})" if point.aliases else "")
        name = f"{point.pinyin} {point.hanzi} — {point.english}"
        cautions = "; ".join(entry_text(c) for c in point.needling.cautions) or "—"
        sources = ", ".join(cards.sources[key].short for key in point.sources)
        cells = (code, name, point.channel.label, strip_cloze(point.location), cautions, sources)
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def stale_pages(pages: dict[Path, str]) -> list[Path]:
    """The generated pages whose file is missing or differs from what it should say."""
    return [
        path
        for path, text in pages.items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def write_pages(pages: dict[Path, str], paths: list[Path]) -> list[Path]:
    """Write the given pages; return their paths."""
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, pages[path])
    return paths
