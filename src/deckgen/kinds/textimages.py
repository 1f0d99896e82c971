"""Images in card text: `![alt](images/ear.svg)` in any text field of a note.

The path is relative to the cards folder, as a diagram's image in deck.yaml is. `check`
holds each image to the rules of diagram images (inside the cards folder, a regular
file, a real SVG, PNG or JPEG); a build ships it as a media file named from its content
and points the card's `<img>` at that name.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from deckgen.kinds.checks import strings
from deckgen.kinds.drawing import MediaFile, media_file
from deckgen.kinds.html import image_paths
from deckgen.kinds.spec import NoteSpec
from deckgen.source.errors import DeckgenError, Findings
from deckgen.source.files import Refused, read_regular
from deckgen.source.images import MAX_IMAGE_BYTES, check_image, lexical, sniff_image
from deckgen.source.yamldoc import Document, KeyPath


def images_in(
    data: Any, texts: Iterable[tuple[KeyPath, str]] | None = None
) -> Iterator[tuple[KeyPath, str]]:
    """Every Markdown image in parsed YAML data (or in its `texts`, its `strings`, if the
    caller has them): its key path and its path as written."""
    for path, text in strings(data) if texts is None else texts:
        for image in image_paths(text):
            yield path, image


def check_text_images(
    root: Path,
    doc: Document,
    media: Sequence[str],
    findings: Findings,
    texts: Iterable[tuple[KeyPath, str]] | None = None,
) -> set[Path]:
    """Check every image a note's text names; return the files they use."""
    used: set[Path] = set()
    for path, image in images_in(doc.data, texts):
        used |= check_image(root, image.strip(), doc, path, media, findings)
    return used


def files_used(root: Path, data: bytes) -> set[Path]:
    """The files that the images of a note's text (its data, marshalled) use."""
    if b"![" not in data:
        return set()
    used = set()
    for _, image in images_in(marshal.loads(data)):
        candidate = lexical(root / image.strip())
        used |= {candidate, candidate.resolve()}
    return used


class TextImages:
    """The media files of the images in one record's text, as its notes are made."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._taken: dict[str, MediaFile] = {}
        self._new: dict[str, MediaFile] = {}

    def name_of(self, image: str) -> str:
        """The media name of `image` (a path as written), reading the file once."""
        found = self._taken.get(image)
        if found is None:
            found = self._taken[image] = self._media(image.strip())
        self._new[found.name] = found
        return found.name

    def with_media(self, note: NoteSpec) -> NoteSpec:
        """`note` with the media of the images named since the last note."""
        new, self._new = tuple(self._new.values()), {}
        return replace(note, media=note.media + new) if new else note

    def of_data(self, data: bytes) -> tuple[MediaFile, ...]:
        """The media files of every image in a note's text (its data, marshalled)."""
        if b"![" not in data:
            return ()
        for _, image in images_in(marshal.loads(data)):
            self.name_of(image)
        new, self._new = tuple(self._new.values()), {}
        return new

    def _media(self, image: str) -> MediaFile:
        path = lexical(self.root / image)
        try:
            data = read_regular(path, MAX_IMAGE_BYTES, root=lexical(self.root))
        except Refused as exc:  # checked when the note was read: it changed since
            raise DeckgenError(f"{path}: {exc}; build again") from exc
        kind, _ = sniff_image(data)
        return media_file(path.stem, data, _EXTENSIONS.get(kind or "", "bin"))


_EXTENSIONS = {"png": "png", "jpeg": "jpg", "svg": "svg"}
