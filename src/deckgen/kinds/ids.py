"""Stable identities. Anki matches notes by guid and note types by id: neither may ever
depend on content, or an edit would create a second note instead of updating the first."""

from __future__ import annotations

import hashlib
import re


def has_empty_part(deck: str) -> bool:
    """Whether a deck name has an empty part between '::' (Anki would call it 'blank')."""
    return not all(part.strip() for part in deck.split("::"))


def stable_id(*names: str) -> int:
    """A positive id below 2**53 (exact in JavaScript, as AnkiDroid needs) from fixed names."""
    digest = hashlib.sha256("\x1f".join(("deckgen", *names)).encode()).digest()
    return int.from_bytes(digest[:6], "big") | (1 << 48)


def slug(name: str) -> str:
    """A file- and id-friendly form of a name: 'Acupuncture for Facial Spasm' ->
    'acupuncture-for-facial-spasm'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def note_guid(kind: str, note_id: str) -> str:
    """The guid of a note: its kind and author-visible id, nothing else."""
    from genanki import guid_for  # here: genanki is loaded only when notes are made

    return str(guid_for("deckgen", kind, note_id))
