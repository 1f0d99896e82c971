"""A cards folder and its lock, read together: the notes, and what the last build made.

`check`, `build`, `preview` and `stats` all start here, so that they report the same
problems: every error in the notes and in the lock at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from deckgen.build.gcpause import gc_paused
from deckgen.kinds.folder import Cards, read_cards, valid
from deckgen.kinds.ids import slug
from deckgen.kinds.notefile import NoteFile
from deckgen.kinds.notes import build_notes, occlusion_numbers
from deckgen.kinds.spec import NoteSpec
from deckgen.source.files import Listing, scan
from deckgen.state.lock import LOCK_FILE, Lock, LockDamaged, read_lock


@dataclass(frozen=True)
class Loaded:
    """A valid cards folder and its lock as read (with what reading it repaired)."""

    cards: Cards
    lock: Lock

    @property
    def deck_id(self) -> str:
        return deck_id(self.cards, self.lock)

    def occlusion(self) -> dict[str, dict[str, int]]:
        """Each diagram's cloze number per point (see `occlusion_numbers`)."""
        return occlusion_numbers(self.cards, self.lock.occlusion)

    def notes(self) -> list[NoteSpec]:
        """Every note the next build would make of the cards, as the lock numbers them."""
        return build_notes(self.cards, deck_id=self.deck_id, occlusion=self.occlusion())


@gc_paused
def load_folder(
    root: Path,
    *,
    strict: bool = False,
    cached: Mapping[str, NoteFile] | None = None,
    listing: Listing | None = None,
    lock_digest: str | None = None,
) -> Loaded:
    """The cards folder at `root` and its lock, or `InvalidCards` listing every problem of
    both. With `cached` (the build cache's note files), the lock is trusted as the last
    build wrote it and not decoded in full; with `lock_digest` (its sha256), it is not read
    at all if this process wrote it (see `read_lock`)."""
    listing = listing or (scan(root) if root.is_dir() else None)
    cards, findings = read_cards(root, cached=cached, listing=listing)
    lock = Lock()
    if listing is not None and LOCK_FILE not in listing.refused:  # else reported already
        try:
            lock = read_lock(root / LOCK_FILE, root=root, decode=cached is None, digest=lock_digest)
        except LockDamaged as exc:
            findings.error(exc.problem)
    return Loaded(valid(cards, findings, strict=strict), lock)


def deck_id(cards: Cards, lock: Lock) -> str:
    """The deck's own id: as deck.yaml gives it; else (see `Lock.deck_id`) as its lock has
    it; for a lock written before it was kept, as its image-occlusion notes have it; else
    from its name."""
    if cards.deck.id is not None:
        return cards.deck.id
    if lock.deck_id is not None:
        return lock.deck_id
    for key in lock.notes:
        kind, _, rest = key.partition(":")
        if kind == "occlusion" and "/" in rest:
            return rest.rpartition("/")[0]
    return slug(cards.deck.name)
