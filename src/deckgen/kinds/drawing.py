"""Diagrams: a base drawing plus a point's x/y -> a marked SVG image for the cards.

Marked images are SVG whatever the base: an SVG base gets the marker appended; a PNG or
JPEG base is embedded (as a data URI, since images inside an <img>-loaded SVG may not load
external files) under the marker. Media file names are flat and derived from content, so
identical images share a file and a changed image gets a new name.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from deckgen.kinds import layouts
from deckgen.kinds.deck import DeckConfig
from deckgen.kinds.diagrams import BUILTIN, SYMMETRIC, builtin_svg
from deckgen.source.files import read_regular
from deckgen.source.imageformat import jpeg_size, svg_viewbox, xml_root

_SVG_CLOSE = re.compile(rb"</svg>\s*$")


#: (left, top, width, height), as fractions of an image's size.
Box = tuple[float, float, float, float]
#: Diagrams of up to this many points are laid out in several orders where one leaves an
#: overlap (a hand-made deck's); a synthetic one of thousands is laid out once.
_RETRY_UP_TO = 60


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
        """This diagram with each point as a dot at its place and its label beside it (a
        short leader line where the label had to move away): the image under occlusion
        masks. Dots first, then lines, then labels, so that no label is hidden."""
        dots = "".join(self._dot(label.x, label.y) for label in labels)
        leaders = "".join(self._leader(label) for label in labels)
        texts = "".join(self._label(label) for label in labels)
        return self._with_overlay(stem, dots + leaders + texts)

    def _dot_box(self, x: float, y: float, margin: float = 1.3) -> Box:
        """The box a dot at (x, y) covers, with a margin, as fractions."""
        radius = self._radius * margin
        return (
            x - radius / self.width,
            y - radius / self.height,
            2 * radius / self.width,
            2 * radius / self.height,
        )

    def mask_boxes(self, label: Label) -> tuple[Box, ...]:
        """The boxes an occlusion mask covers, as (left, top, width, height) fractions:
        one over the label and its point's dot where the label is beside the dot; else one
        over each (the leader line between them tells nothing without the label)."""
        box = self.label_box(label)
        dot = self._dot_box(label.x, label.y)
        union = _union(box, dot)
        if union[2] * union[3] <= (box[2] * box[3] + dot[2] * dot[3]) * 1.6:
            return (union,)
        return (box, _clipped(dot))

    def spread(self, marks: Sequence[tuple[float, float, str]]) -> list[Label]:
        """A label for each (x, y, text), placed beside its point's dot so that the masks
        (each label with its dot, `mask_box`) overlap each other and the other dots as
        little as possible, moving further only where they must and, on a symmetric view,
        to the other side (a bilateral point is the same on both sides). Labels are placed
        one by one against all the others, in passes; where that leaves an overlap on a
        diagram of a few dozen points, in other orders too, keeping the best. The layout
        depends on nothing else, so a watch rebuilding after each save works it out once
        for a diagram whose points stay where they are, and a build finds what the last
        build worked out in its cache (see `layouts`)."""
        if not layouts.remembering():
            return list(_spread(self, tuple(marks)))
        layout = layouts.remembered(
            self._layout_key(marks),
            lambda: tuple(dataclasses.astuple(label) for label in _spread(self, tuple(marks))),
            lambda found: [label[2] for label in found] == [mark[2] for mark in marks],
        )
        return [Label(*fields) for fields in layout]

    def _layout_key(self, marks: Sequence[tuple[float, float, str]]) -> str:
        """What decides the layout of `marks` on this diagram (its size and symmetry, the
        marks): the same key, the same labels."""
        what = repr((self.width, self.height, self.origin, self.symmetric, tuple(marks)))
        return hashlib.sha256(what.encode("utf-8", "surrogateescape")).hexdigest()

    def _layout(self, marks: tuple[tuple[float, float, str], ...]) -> tuple[Label, ...]:
        orders = [list(range(len(marks)))]
        if len(marks) <= _RETRY_UP_TO:
            orders += [orders[0][::-1], sorted(orders[0], key=lambda i: (marks[i][1], marks[i][0]))]
        best: tuple[float, list[Label]] | None = None
        for order in orders:
            labels, overlap = self._spread_in(marks, order)
            if best is None or overlap < best[0]:
                best = (overlap, labels)
            if overlap == 0:
                break
        assert best is not None
        return tuple(best[1])

    def _spread_in(
        self, marks: Sequence[tuple[float, float, str]], order: Sequence[int]
    ) -> tuple[list[Label], float]:
        """`spread`, placing the labels in `order`: the labels (in the marks' order) and
        the overlap left."""
        labels = [Label(x, y, text) for x, y, text in marks]
        # Each label's mask is one box or two (`mask_boxes`): shape 2i and 2i + 1.
        shapes: list[Box] = []
        for label in labels:
            shapes += _two(self.mask_boxes(label))
        grid = _Grid(shapes)
        # A label covering another point's dot hides it: the dots count as boxes to keep
        # clear of, too (a label moved to the other side of a symmetric view takes its dot).
        dots = [self._dot_box(x, y, margin=1.6) for x, y, _ in marks]
        dot_grid = _Grid(dots)
        left = 0.0
        for _ in range(2):
            left = 0.0
            for index in order:
                best: tuple[float, Label, tuple[Box, Box]] | None = None
                for option in self._placements(labels[index]):  # least moved first
                    boxes = _two(self.mask_boxes(option))
                    overlap = 0.0
                    for box in boxes:
                        if box[2] <= 0:
                            continue
                        near = grid.near(box, but=2 * index)  # in index order
                        overlap += _overlaps(box, [shapes[i] for i in near if i // 2 != index])
                        overlap += _overlaps(box, [dots[i] for i in dot_grid.near(box, but=index)])
                    if best is None or overlap < best[0]:  # the least moved of the least overlap
                        best = (overlap, option, boxes)
                    if overlap == 0:
                        break
                assert best is not None
                for k in (0, 1):
                    grid.move(2 * index + k, shapes[2 * index + k], best[2][k])
                    shapes[2 * index + k] = best[2][k]
                left += best[0]
                labels[index] = best[1]
        return labels, left

    def _placements(self, label: Label) -> list[Label]:
        """Where a label may go, least moved first: beside its point's dot (right, left,
        above, below) on either side of a symmetric view, then further away."""
        width, height = self._label_size(label.text)
        gap = self._radius * 1.4
        beside_x = (width / 2 + gap) / self.width
        beside_y = (height / 2 + gap) / self.height
        x, y = label.x, label.y  # the point itself
        sides = [x, 1.0 - x] if self.symmetric and abs(x - 0.5) > 0.02 else [x]
        near = [(beside_x, 0.0), (-beside_x, 0.0), (0.0, -beside_y), (0.0, beside_y)]
        near += [(sx, sy) for sx in (-beside_x, beside_x) for sy in (-beside_y, beside_y)]
        near += [(sx, sy / 2) for sx in (beside_x, -beside_x) for sy in (-beside_y, beside_y)]
        rings = [near, *([(sx * k, sy * k) for sx, sy in near] for k in (1.8, 2.6))]
        return [
            Label(side, y, label.text, shift=sy, dx=sx)
            for ring in rings
            for side in sides
            for sx, sy in ring
        ]

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

    @property
    def _radius(self) -> float:
        """A dot's radius, in the image's own units."""
        return max(self.width, self.height) * 0.012

    def _leader(self, label: Label) -> str:
        """A thin line from a point's dot to its label, where the label is not beside it."""
        if len(self.mask_boxes(label)) == 1:
            return ""
        x1, y1 = self._position(label.x, label.y)
        x2, y2 = self._position(label.x + label.dx, label.y + label.shift)
        return (
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#9b1c1c" '
            f'stroke-width="{self._radius * 0.3:.1f}"/>'
        )

    def _dot(self, x: float, y: float) -> str:
        cx, cy = self._position(x, y)
        radius = self._radius
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


@functools.lru_cache(maxsize=64)
def _spread(diagram: Diagram, marks: tuple[tuple[float, float, str], ...]) -> tuple[Label, ...]:
    """`Diagram.spread`, remembered (labels are frozen: sharing them is safe)."""
    return diagram._layout(marks)


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
        cells = self.cells
        for cell in self._cells(box):
            if cell in cells:
                found |= cells[cell]
        found.discard(but)
        return sorted(found)

    def move(self, index: int, old: Box, new: Box) -> None:
        for cell in self._cells(old):
            self.cells[cell].discard(index)
        for cell in self._cells(new):
            self.cells.setdefault(cell, set()).add(index)


def _union(a: Box, b: Box) -> Box:
    """The smallest box around both, inside the image."""
    x0, y0 = max(min(a[0], b[0]), 0.0), max(min(a[1], b[1]), 0.0)
    x1, y1 = min(max(a[0] + a[2], b[0] + b[2]), 1.0), min(max(a[1] + a[3], b[1] + b[3]), 1.0)
    return (x0, y0, x1 - x0, y1 - y0)


def _clipped(box: Box) -> Box:
    """The part of a box inside the image."""
    return _union(box, box)


#: No box: the second shape of a mask that has one.
_NONE: Box = (0.0, 0.0, 0.0, 0.0)


def _two(boxes: tuple[Box, ...]) -> tuple[Box, Box]:
    return (boxes[0], boxes[1] if len(boxes) > 1 else _NONE)


def _overlaps(box: Box, others: Sequence[Box]) -> float:
    """The area `box` shares with each of `others` (all (left, top, width, height)), summed
    in order: the layout's inner loop, so written out (no call per pair)."""
    left, top, width, height = box
    right, bottom = left + width, top + height
    total = 0.0
    for other_left, other_top, other_width, other_height in others:
        other_right = other_left + other_width
        across = (right if right <= other_right else other_right) - (
            left if left >= other_left else other_left
        )
        if across > 0.0:
            other_bottom = other_top + other_height
            down = (bottom if bottom <= other_bottom else other_bottom) - (
                top if top >= other_top else other_top
            )
            if down > 0.0:
                total += across * down
    return total


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
