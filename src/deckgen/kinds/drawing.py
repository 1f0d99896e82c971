"""Diagrams: a base drawing plus a point's x/y -> a marked SVG image for the cards.

Marked images are SVG whatever the base: an SVG base gets the marker appended; a PNG or
JPEG base is embedded (as a data URI, since images inside an <img>-loaded SVG may not load
external files) under the marker. Media file names are flat and derived from content, so
identical images share a file and a changed image gets a new name.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from deckgen.kinds.deck import DeckConfig
from deckgen.kinds.diagrams import BUILTIN, SYMMETRIC, builtin_svg
from deckgen.source.files import read_regular
from deckgen.source.imageformat import jpeg_size, svg_viewbox, xml_root

_SVG_CLOSE = re.compile(rb"</svg>\s*$")


#: (left, top, width, height), as fractions of an image's size.
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Label:
    """A point's label on an occlusion image, centred on (x + dx, y + shift): fractions of
    the image size, where (x, y) is the point (possibly mirrored to the other side)."""

    x: float
    y: float
    text: str
    shift: float = 0.0
    dx: float = 0.0


@dataclass(frozen=True)
class MediaFile:
    name: str
    data: bytes


@dataclass(frozen=True)
class Diagram:
    """A base image and its size in its own units (SVG viewBox or pixels)."""

    name: str
    title: str
    data: bytes
    mime: str  # image/svg+xml, image/png or image/jpeg
    width: float
    height: float
    origin: tuple[float, float] = (0.0, 0.0)
    symmetric: bool = False  # a point at x may equally be drawn at 1 - x

    def marked(self, stem: str, x: float, y: float, label: str | None = None) -> MediaFile:
        """This diagram with a dot at (x, y), fractions of its size; the label beside it."""
        return self._with_overlay(
            stem, self._dot(x, y) + (self._text(x, y, label, beside=True) if label else "")
        )

    def labelled(self, stem: str, labels: Sequence[Label]) -> MediaFile:
        """This diagram with each label drawn over its point: the image under occlusion masks."""
        return self._with_overlay(stem, "".join(self._label(label) for label in labels))

    def spread(self, marks: Sequence[tuple[float, float, str]]) -> list[Label]:
        """A label for each (x, y, text), placed so that labels overlap as little as possible:
        shifted (never so far that the point leaves its label's box) and, on a symmetric
        view, moved to the other side (a bilateral point is the same on both sides).
        Two passes, each label placed against all the others; the input order is kept."""
        labels = [Label(x, y, text) for x, y, text in marks]
        boxes = [self.label_box(label) for label in labels]
        grid = _Grid(boxes)
        for _ in range(2):
            for index, label in enumerate(labels):
                best: tuple[float, Label, Box] | None = None
                for option in self._placements(label):  # least moved first
                    box = self.label_box(option)
                    near = grid.near(box, but=index)  # in index order: the same sum as all
                    score = sum(_overlap(box, boxes[i]) for i in near)
                    if best is None or score < best[0]:
                        best = (score, option, box)
                    if score == 0:
                        break
                assert best is not None
                grid.move(index, boxes[index], best[2])
                _, labels[index], boxes[index] = best
        return labels

    def _placements(self, label: Label) -> list[Label]:
        """Where a label may go, least moved first: centred on the point on either side
        before shifted off it."""
        width, height = self._label_size(label.text)
        dx, dy = width / self.width * 0.35, height / self.height * 0.4
        x, y = label.x, label.y  # the point itself
        sides = [x, 1.0 - x] if self.symmetric and abs(x - 0.5) > 0.02 else [x]
        shifts = [(0.0, 0.0), (0.0, -dy), (0.0, dy), (-dx, 0.0), (dx, 0.0)]
        shifts += [(sx, sy) for sx in (-dx, dx) for sy in (-dy, dy)]
        return [Label(side, y, label.text, shift=sy, dx=sx) for side in sides for sx, sy in shifts]

    def _label_size(self, text: str) -> tuple[float, float]:
        return self._font_size * (0.62 * len(text) + 0.6), self._font_size * 1.35

    def label_box(self, label: Label) -> tuple[float, float, float, float]:
        """The box a label covers, as (left, top, width, height) fractions: its mask."""
        width, height = self._label_size(label.text)
        centre_y = (label.y + label.shift) * self.height
        left = min(max((label.x + label.dx) * self.width - width / 2, 0.0), self.width - width)
        top = min(max(centre_y - height / 2, 0.0), self.height - height)
        return (left / self.width, top / self.height, width / self.width, height / self.height)

    @property
    def _font_size(self) -> float:
        return max(self.width, self.height) * 0.024

    def _position(self, x: float, y: float) -> tuple[float, float]:
        return self.origin[0] + x * self.width, self.origin[1] + y * self.height

    def _dot(self, x: float, y: float) -> str:
        cx, cy = self._position(x, y)
        radius = max(self.width, self.height) * 0.012
        return (
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" fill="#d62828" '
            f'stroke="#fff" stroke-width="{radius * 0.45:.1f}"/>'
        )

    def _label(self, label: Label) -> str:
        return self._text(label.x + label.dx, label.y + label.shift, label.text, beside=False)

    def _text(self, x: float, y: float, label: str, *, beside: bool) -> str:
        cx, cy = self._position(x, y)
        size = self._font_size
        if beside:
            cx += max(self.width, self.height) * 0.022
        anchor = "start" if beside else "middle"
        return (
            f'<text x="{cx:.1f}" y="{cy + size * 0.35:.1f}" text-anchor="{anchor}" '
            f'font-family="Helvetica, Arial, sans-serif" font-size="{size:.1f}" '
            f'font-weight="bold" fill="#9b1c1c" stroke="#fff" stroke-width="{size * 0.2:.1f}" '
            f'paint-order="stroke">{escape(label)}</text>'
        )

    def _with_overlay(self, stem: str, overlay: str) -> MediaFile:
        marked = f'<g class="deckgen-overlay">{overlay}</g>'
        if self.mime == "image/svg+xml":
            svg = _SVG_CLOSE.sub(b"", self.data.rstrip()) + marked.encode() + b"</svg>\n"
        else:
            embedded = base64.b64encode(self.data).decode()
            svg = (
                f'<svg xmlns="http://www.w3.org/2000/svg" '
                f'viewBox="0 0 {self.width:g} {self.height:g}" '
                f'width="{self.width:g}" height="{self.height:g}">'
                f'<image href="data:{self.mime};base64,{embedded}" '
                f'width="{self.width:g}" height="{self.height:g}"/>{marked}</svg>\n'
            ).encode()
        return media_file(stem, svg, "svg")


class _Grid:
    """The label boxes by the cells of a grid at least as large as any box, so that the
    boxes a box may overlap are found without looking at all of them."""

    def __init__(self, boxes: Sequence[Box]) -> None:
        self.width = max((box[2] for box in boxes), default=1.0) or 1.0
        self.height = max((box[3] for box in boxes), default=1.0) or 1.0
        self.cells: dict[tuple[int, int], set[int]] = {}
        for index, box in enumerate(boxes):
            for cell in self._cells(box):
                self.cells.setdefault(cell, set()).add(index)

    def _cells(self, box: Box) -> list[tuple[int, int]]:
        left, top, width, height = box
        columns = range(int(left // self.width), int((left + width) // self.width) + 1)
        rows = range(int(top // self.height), int((top + height) // self.height) + 1)
        return [(column, row) for column in columns for row in rows]

    def near(self, box: Box, *, but: int) -> list[int]:
        """The indexes of the boxes in the cells `box` touches, except `but`, in order."""
        found: set[int] = set()
        for cell in self._cells(box):
            found |= self.cells.get(cell, set())
        found.discard(but)
        return sorted(found)

    def move(self, index: int, old: Box, new: Box) -> None:
        for cell in self._cells(old):
            self.cells[cell].discard(index)
        for cell in self._cells(new):
            self.cells.setdefault(cell, set()).add(index)


def _overlap(a: Box, b: Box) -> float:
    """The area two (left, top, width, height) boxes share."""
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(width, 0.0) * max(height, 0.0)


def media_file(stem: str, data: bytes, extension: str) -> MediaFile:
    """A media file named from a readable stem and its content hash."""
    digest = hashlib.sha256(data).hexdigest()[:12]
    safe = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower()
    return MediaFile(f"deckgen-{safe}-{digest}.{extension}", data)


def load_diagrams(cards_root: Path, config: DeckConfig, names: set[str]) -> dict[str, Diagram]:
    """The named diagrams: the deck's own images first, else the built-in drawings."""
    diagrams = {}
    for name in sorted(names):
        source = config.diagrams.get(name)
        if source is not None:
            data = read_regular(cards_root / source.image, root=cards_root)
            diagrams[name] = _from_bytes(name, source.title, data)
        else:
            builtin = _from_bytes(name, BUILTIN[name], builtin_svg(name))
            diagrams[name] = dataclasses.replace(builtin, symmetric=name in SYMMETRIC)
    return diagrams


def _from_bytes(name: str, title: str, data: bytes) -> Diagram:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        width, height = struct.unpack(">II", data[16:24])
        return Diagram(name, title, data, "image/png", width, height)
    if data.startswith(b"\xff\xd8"):
        size = jpeg_size(data)
        if size is None:
            raise ValueError(f"diagram '{name}': the JPEG has no size (SOF) segment")
        return Diagram(name, title, data, "image/jpeg", *size)
    root = xml_root(data)
    box = svg_viewbox(root[1]) if root else None
    if box is None:
        raise ValueError(f"diagram '{name}': an SVG needs a viewBox")
    left, top, width, height = box
    return Diagram(name, title, data, "image/svg+xml", width, height, (left, top))
