"""Which cards a note has: the one rule behind the package's card rows (`package`), the
preview (`deckgen preview`) and the statistics (`deckgen stats`).

It is Anki's own rule (rslib `notetype/cardgen.rs`), so the cards written are the ones Anki
would generate for the note; tests check it against the real backend.
"""

from __future__ import annotations

from collections.abc import Mapping

from deckgen.anki.templates import cloze_numbers, field_is_empty, renders_with_fields
from deckgen.kinds.notetypes import NoteType

#: Anki makes at most this many cards of a cloze note: a higher cloze number is card 500.
_MAX_CLOZE_ORDINAL = 499


def card_ordinals(notetype: NoteType, fields: Mapping[str, str]) -> list[int]:
    """The cards a note has (their `ord`), ascending, as Anki generates them: for a cloze
    type, one per cloze number in any field; otherwise one per template whose front shows
    a non-empty field."""
    if notetype.cloze:
        numbers = set().union(*(cloze_numbers(value) for value in fields.values()))
        return sorted({min(number - 1, _MAX_CLOZE_ORDINAL) for number in numbers})
    nonempty = {name for name, value in fields.items() if not field_is_empty(value)}
    return [
        index
        for index, (_, front, _) in enumerate(notetype.template_texts())
        if renders_with_fields(front, nonempty)
    ]
