"""Media files: every image that deck.yaml or a note names must be a readable SVG, PNG or
JPEG inside the cards folder; media files under the cards folder that nothing uses are
reported."""

from __future__ import annotations

import difflib
import os
import re
import struct
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath

from deckgen.source.errors import Findings, problem_at
from deckgen.source.files import CANNOT_READ, Listing, Refused, read_regular
from deckgen.source.imageformat import MAX_COORDINATE, jpeg_size, svg_viewbox, xml_root
from deckgen.source.svgsafe import svg_problems
from deckgen.source.yamldoc import UNSTORABLE, Document, KeyPath

#: File endings treated as media: such a file that nothing uses gets a warning.
MEDIA_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".svg", ".gif", ".webp", ".bmp", ".mp3", ".ogg", ".wav", ".mp4"}
)
#: Largest image read, in bytes.
MAX_IMAGE_BYTES = 20_000_000
#: A PNG or JPEG base is embedded in each marked image (two per point, one per diagram).
LARGE_RASTER_BYTES = 1_000_000

#: A URL rather than a path: 'https://…', 'data:…', 'file:…' (a drive, 'C:', is one letter).
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")
_SUFFIXES = {"png": (".png",), "jpeg": (".jpg", ".jpeg"), "svg": (".svg",)}
_NAMES = {"png": "a PNG image", "jpeg": "a JPEG image", "svg": "an SVG image"}


def check_diagram_images(
    root: Path, deck: Document, media: Sequence[str], findings: Findings
) -> set[Path]:
    """Check each `diagrams: {name: {image: ...}}` entry of deck.yaml against the folder's
    `media` files (see `media_names`); return the files used.

    Works on the raw data, so images are checked even when deck.yaml has other errors.
    """
    used: set[Path] = set()
    diagrams = deck.data.get("diagrams") if isinstance(deck.data, dict) else None
    if not isinstance(diagrams, dict):
        return used
    for name, entry in diagrams.items():
        image = entry.get("image") if isinstance(entry, dict) else None
        if isinstance(image, str) and image.strip() and not UNSTORABLE.search(image):
            path: KeyPath = ("diagrams", name, "image")
            found = check_image(root, image.strip(), deck, path, media, findings)
            used.update(found)
    return used


def check_image(
    root: Path,
    image: str,
    doc: Document,
    path: KeyPath,
    media: Sequence[str],
    findings: Findings,
) -> set[Path]:
    """Check that `image` (named at `path` of `doc`, relative to `root`) is a usable SVG,
    PNG or JPEG file inside `root`, recording what is wrong; return the paths it uses.
    `media` names the folder's media files, for a suggestion when the file is missing."""
    where = ".".join(str(part) for part in path)

    def error(message: str) -> set[Path]:
        findings.error(doc.problem(path, f"{where}: {message}"))
        return set()

    if _URL.match(image):
        return error(
            f"'{image}' is not a file in the cards folder; deckgen ships only images kept "
            "beside the cards (download it into the cards folder and name its path)"
        )
    if PurePosixPath(image).is_absolute() or PureWindowsPath(image).drive:
        return error(f"'{image}' is an absolute path; give a path inside the cards folder")
    base = lexical(root)
    candidate = lexical(base / image)
    if not candidate.is_relative_to(base):
        return error(f"'{image}' is outside the cards folder; keep images inside it")
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError, ValueError):
        error(f"'{image}' is a link that cannot be followed")
        return {candidate}
    if not resolved.is_relative_to(base.resolve()):
        error(f"'{image}' is a link to a file outside the cards folder")
        return {candidate}
    used = {candidate, resolved}
    if not os.path.lexists(candidate):
        message = f"file '{image}' not found"
        close = difflib.get_close_matches(image, media, n=1)
        error(message + (f" (did you mean '{close[0]}'?)" if close else ""))
        return used
    if candidate.is_dir():
        error(f"'{image}' is a folder, not an image file")
        return used
    try:
        data = read_regular(candidate, MAX_IMAGE_BYTES, root=base)
    except Refused as exc:
        reason = str(exc)
        if reason.startswith(CANNOT_READ):
            error(f"cannot read '{image}': {reason.removeprefix(CANNOT_READ)}")
        else:
            error(f"'{image}' {reason}")
        return used
    if len(data) > MAX_IMAGE_BYTES:
        error(f"'{image}' is larger than {MAX_IMAGE_BYTES:,} bytes")
        return used
    kind, trouble = sniff_image(data)
    if kind == "svg" and not trouble:
        for line, column, message in svg_problems(data):
            findings.error(problem_at(candidate, line, column, message))
    if kind is None:
        error(f"'{image}' is not an SVG, PNG or JPEG image (found {trouble})")
    elif trouble:
        error(f"'{image}' is {_NAMES[kind]} but {trouble}")
    elif candidate.suffix.lower() not in _SUFFIXES[kind]:
        message = f"{where}: '{image}' holds {_NAMES[kind]}; name it with {_SUFFIXES[kind][0]}"
        findings.warn(doc.problem(path, message))
    if kind in ("png", "jpeg") and len(data) > LARGE_RASTER_BYTES:
        message = (
            f"{where}: '{image}' is {len(data) / 1e6:.1f} MB and is copied into every marked "
            f"image of its points; keep PNG and JPEG diagrams under "
            f"{LARGE_RASTER_BYTES / 1e6:.0f} MB, or use SVG"
        )
        findings.warn(doc.problem(path, message))
    return used


def lexical(path: Path) -> Path:
    """`path` made absolute and normalised ('..' removed) without following links."""
    return Path(os.path.normpath(Path.cwd() / path))


def media_names(listing: Listing) -> list[str]:
    """The media files of a listed cards folder, relative to it."""
    return [name for name in listing.files if is_media(name)]


def is_media(name: str) -> bool:
    """Whether a file name has a media suffix (strings, not paths: called per file; most
    are YAML, turned away by the first test)."""
    return (
        name.lower().endswith(_MEDIA_ENDINGS)
        and os.path.splitext(name)[1].lower() in MEDIA_SUFFIXES  # noqa: PTH122
    )


_MEDIA_ENDINGS = tuple(MEDIA_SUFFIXES)


def sniff_image(data: bytes) -> tuple[str | None, str | None]:
    """('png' | 'jpeg' | 'svg', None) for a usable image; else the kind (if known) and
    what is wrong, or (None, what the bytes are instead)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        if len(data) < 24 or data[12:16] != b"IHDR":
            return "png", "its header is damaged"
        width, height = struct.unpack(">II", data[16:24])
        if not (width and height):
            return "png", "it has no size"
        if max(width, height) > MAX_COORDINATE:
            return "png", f"it claims {width}×{height} pixels (at most {MAX_COORDINATE:,.0f})"
        if not data.rstrip(b"\0").endswith(b"IEND\xaeB`\x82"):
            return "png", "it is cut short (it does not end with an IEND chunk)"
        return "png", None
    if data.startswith(b"\xff\xd8\xff"):
        return ("jpeg", None) if jpeg_size(data) else ("jpeg", "it has no size (SOF) segment")
    root = xml_root(data)
    if root is not None:
        name, start_tag = root
        if name.rsplit(":", 1)[-1] != "svg":
            return None, f"XML whose root element is <{name}>"
        if svg_viewbox(start_tag) is not None:
            return "svg", None
        if "viewbox" in start_tag.lower():
            return "svg", (
                f"its viewBox must be four numbers of at most {MAX_COORDINATE:,.0f}, "
                'with a positive width and height, e.g. viewBox="0 0 800 600"'
            )
        return "svg", 'its <svg> element needs a viewBox, e.g. viewBox="0 0 800 600"'
    return None, _what(data)


def _what(data: bytes) -> str:
    if not data:
        return "an empty file"
    for magic, name in (
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF document"),
        (b"PK\x03\x04", "a zip archive"),
    ):
        if data.startswith(magic):
            return name
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "a WebP image"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "binary data"
    return "text"


def unused_media(files: Iterable[Path], used: set[Path], findings: Findings) -> None:
    """A warning for each media file that nothing refers to."""
    for path in files:
        if path.suffix.lower() not in MEDIA_SUFFIXES:
            continue
        absolute = lexical(path)
        if absolute in used:
            continue
        message = "unused media file: nothing in the cards refers to it"
        findings.warn(problem_at(path, 1, 1, message))
