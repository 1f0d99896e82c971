"""A cards folder -> the notes of every kind, in the deck's order.

Each kind makes the notes of each of its records (see `Kind.notes`), then any notes drawn
from all its files at once (a diagram's image-occlusion note). A record whose notes the
last build made from the same file and the same facts (see the cache contract in
`deckgen.kinds.kind`) is not made again: its notes are `Kept`.
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from deckgen.kinds import registry
from deckgen.kinds.drawing import Diagram, load_diagrams
from deckgen.kinds.folder import Cards
from deckgen.kinds.html import image_names
from deckgen.kinds.kind import Index, Kind, NoteContext
from deckgen.kinds.notefile import NoteFile
from deckgen.kinds.spec import Kept, KeptNote, NoteSpec
from deckgen.kinds.textimages import TextImages


def note_context(
    cards: Cards, *, deck_id: str, occlusion: Mapping[str, Mapping[str, int]]
) -> NoteContext:
    """What every note of `cards` may read besides its record (diagrams drawn on demand)."""

    @cache
    def diagram(name: str) -> Diagram:
        return load_diagrams(cards.root, cards.deck, {name})[name]

    return NoteContext(cards.deck, cards.sources, deck_id, diagram, occlusion)


def index_of(cards: Cards) -> Index:
    """The summaries of every note file, by kind (what `Kind.reads` sees)."""
    return Index.of(
        {
            kind.name: [file.summary for file in cards.of_kind(kind.name)]
            for kind in registry.kinds()
        }
    )


def reads_digest(reads: Mapping[str, str]) -> str:
    """A digest of what a record's notes read of other files (see `Kind.reads`)."""
    if not reads:
        return ""
    return hashlib.sha256(marshal.dumps(sorted(reads.items()))).hexdigest()


def facts_read(cards: Cards, index: Index | None = None) -> dict[str, str]:
    """The `reads_digest` of every record, by record key (only those that read anything)."""
    index = index or index_of(cards)
    found = {}
    for file in cards.files:
        digest = reads_digest(file.kind.reads(file.summary, index))
        if digest:
            found[file.key] = digest
    return found


def occlusion_numbers(
    cards: Cards, previous: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, int]]:
    """Each diagram's cloze number per point: kept from `previous`, new points numbered
    after every number ever used, so an occlusion card always asks for the same point."""
    numbers = {name: dict(codes) for name, codes in previous.items()}
    for file in cards.files:
        diagram = file.kind.diagram_of(file.summary)
        if diagram:
            codes = numbers.setdefault(diagram, {})
            if file.note_id not in codes:
                codes[file.note_id] = max(codes.values(), default=0) + 1
    return numbers


def build_notes(
    cards: Cards,
    *,
    deck_id: str,
    occlusion: Mapping[str, Mapping[str, int]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[NoteSpec]:
    """All notes of the cards folder, in authored order.

    `occlusion` gives each point's cloze number on its diagram's occlusion note (from the
    lock); without it, points are numbered in order. `progress(done, total)` is told how
    many records have been turned into notes.
    """
    notes = notes_reusing(cards, {}, deck_id=deck_id, occlusion=occlusion, progress=progress)
    return [note for note in notes if isinstance(note, NoteSpec)]


def notes_reusing(
    cards: Cards,
    kept: Mapping[str, tuple[KeptNote, ...]],
    *,
    deck_id: str,
    occlusion: Mapping[str, Mapping[str, int]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    release: bool = False,
) -> list[NoteSpec | Kept]:
    """`build_notes`, but a record whose key is in `kept` gives those notes, unmade. With
    `release`, each file lets go of its record once its notes are made (see
    `NoteFile.release`): a large deck's records are then never all held with its notes."""
    numbers = occlusion or occlusion_numbers(cards, {})
    context = note_context(cards, deck_id=deck_id, occlusion=numbers)
    index = index_of(cards)
    total = len(cards.files)
    notes: list[NoteSpec | Kept] = []
    done = 0
    for kind in registry.kinds():
        files = _ordered(cards, cards.of_kind(kind.name))
        for file in files:
            notes.extend(_notes_of(kind, file, kept, index, context))
            if release:
                file.release()
            done += 1
            if progress is not None:
                progress(done, total)
        notes.extend(kind.combined_notes([file.summary for file in files], context))
    return notes


def _notes_of(
    kind: Kind[Any, Any],
    file: NoteFile,
    kept: Mapping[str, tuple[KeptNote, ...]],
    index: Index,
    context: NoteContext,
) -> Iterator[NoteSpec | Kept]:
    """The file's notes as the last build made them, if they are kept; else new ones."""
    reused = kept.get(file.key)
    images = TextImages(file.root)
    if reused is None:
        with image_names(images.name_of):  # made in full here: the names are set only here
            made = [
                images.with_media(note)
                for note in kind.notes(file.record, kind.reads(file.summary, index), context)
            ]
        yield from made
    else:  # its media from its summary and data: no need to validate the record for it
        media = kind.media(file.summary, context) + images.of_data(file.data)
        yield Kept(file.key, reused, media)


def _ordered(cards: Cards, files: Sequence[NoteFile]) -> list[NoteFile]:
    """Files in the deck's `order`, then the rest in file-name order (a stable sort)."""
    rank = {note_id: index for index, note_id in enumerate(cards.deck.order)}
    last = len(rank)
    return sorted(files, key=lambda file: rank.get(file.note_id, last))
