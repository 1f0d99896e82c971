"""The genanki adapter: genanki writes what the collection holds besides notes and cards.
(Imported only when a package is written: a rebuild with nothing changed never loads it.)"""

from __future__ import annotations

import itertools
import sqlite3
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import genanki

from deckgen.kinds.notetypes import NoteType

if TYPE_CHECKING:
    from deckgen.anki.package import PackagedDeck

# The genanki adapter
# -------------------
# genanki writes what the collection holds besides notes and cards: the schema, the `col`
# row (configuration), the decks and the note types' JSON, which includes the legacy `req`
# (required fields per template) that genanki works out from the templates. Anki 2.1.28 and
# later ignore `req` and generate cards by the templates, the rule `card_ordinals` follows.
# Only genanki's public API is used: Model(...) and its FRONT_BACK / CLOZE, Model.to_json
# (overridden below, called by Deck.write_to_db), Deck(...), Deck.add_model and
# Package.write_to_db. tests/test_cards.py pins what this relies on.


def write_skeleton(
    connection: sqlite3.Connection,
    *,
    notetypes: Sequence[tuple[NoteType, int]],
    decks: Sequence[PackagedDeck],
) -> None:
    """Write the schema, the `col` row, the `decks` and the note types (each with its
    modification time) into the empty database of `connection`: no note, no card.

    The skeleton depends on nothing else (the note types' templates are read once per
    process), so it is made once, in memory, and copied page for page into each new
    collection: a watch rebuilding after every save does not make it again."""
    key = (tuple(notetypes), tuple(decks))
    made = _skeletons()  # this thread's: SQLite connections stay in their thread
    skeleton = made.pop(key, None)
    if skeleton is None:
        skeleton = sqlite3.connect(":memory:")
        _write_skeleton(skeleton, notetypes=notetypes, decks=decks)
        skeleton.commit()
    made[key] = skeleton  # the most recently used last
    while len(made) > _KEEP_SKELETONS:
        made.pop(next(iter(made))).close()
    skeleton.backup(connection)


#: Skeletons made in each thread (a watch builds in one, a test or server in others), by
#: note types and decks, least recently used first.
_THREAD = threading.local()
_KEEP_SKELETONS = 4


def _skeletons() -> dict[tuple[object, ...], sqlite3.Connection]:
    made: dict[tuple[object, ...], sqlite3.Connection] | None = getattr(_THREAD, "made", None)
    if made is None:
        made = _THREAD.made = {}
    return made


def _write_skeleton(
    connection: sqlite3.Connection,
    *,
    notetypes: Sequence[tuple[NoteType, int]],
    decks: Sequence[PackagedDeck],
) -> None:
    by_name = {deck.name: genanki.Deck(deck.deck_id, deck.name, deck.description) for deck in decks}
    parent = next(iter(by_name.values()))  # genanki writes the note types with a deck
    for notetype, mod in notetypes:
        parent.add_model(_Model(notetype, mod))
    genanki.Package(list(by_name.values())).write_to_db(connection.cursor(), 0, itertools.count(1))


class _Model(genanki.Model):  # type: ignore[misc]
    """A genanki model whose modification time is its own, not the build's. Our attributes
    are prefixed: no name genanki may add can clash with them."""

    def __init__(self, notetype: NoteType, mod: int) -> None:
        self.deckgen_mod = mod
        self.deckgen_stock_kind = notetype.stock_kind
        tags = dict(notetype.field_tags)
        fields: list[dict[str, Any]] = []
        for name in notetype.fields:
            field: dict[str, Any] = {"name": name, "id": notetype.field_id(name)}
            if name in tags:  # image occlusion: Anki finds its fields by these tags
                field |= {"tag": tags[name], "preventDeletion": tags[name] < 4}
            fields.append(field)
        templates = [
            {"name": name, "qfmt": front, "afmt": back, "id": notetype.template_id(name)}
            for name, front, back in notetype.template_texts()
        ]
        super().__init__(
            model_id=notetype.model_id,
            name=notetype.name,
            fields=fields,
            templates=templates,
            css=notetype.css_text(),
            model_type=genanki.Model.CLOZE if notetype.cloze else genanki.Model.FRONT_BACK,
        )

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        data: dict[str, Any] = super().to_json(self.deckgen_mod, deck_id)
        if self.deckgen_stock_kind is not None:
            data["originalStockKind"] = self.deckgen_stock_kind
        return data
