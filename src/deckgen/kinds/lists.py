"""Lists as answers: at most three facts on a card. A longer list is asked one item per
card, as a cloze of the whole list (the other items show, the one asked is hidden), each
item's own sources cited inside its cloze."""

from __future__ import annotations

from collections.abc import Sequence

from deckgen.kinds.fields import Cited, entry_sources
from deckgen.kinds.html import html_list
from deckgen.kinds.kind import NoteContext

#: The most facts one answer holds: a longer list is asked one item per card.
MAX_FACTS = 3


def list_cloze(heading: str, entries: Sequence[str | Cited], context: NoteContext) -> str:
    """`heading` (HTML) and the items as one list, item N hidden on card N."""
    items = []
    for number, entry in enumerate(entries, start=1):
        # "::" inside a cloze would start its hint: keep it as text.
        text = context.entry(entry).replace("::", ":&#58;")
        items.append(f"{{{{c{number}::{text}}}}}")
    return heading + html_list(items)


def list_sources(entries: Sequence[str | Cited], sources: Sequence[str]) -> tuple[str, ...]:
    """The sources of a list's facts: each item's own, and `sources` (the note's) for the
    items that have none, each once, in order."""
    found: dict[str, None] = {}
    for entry in entries:
        found.update(dict.fromkeys(entry_sources(entry) or sources))
    return tuple(found)
