from __future__ import annotations

import os
import re
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deckgen.build.load import load_folder
from deckgen.kinds.deck import DeckConfig
from deckgen.kinds.diagrams import BUILTIN, builtin_svg
from deckgen.kinds.drawing import Label, _from_bytes, _overlaps, load_diagrams, media_file
from deckgen.kinds.folder import load_cards

BOX = r"left=([\d.]+):top=([\d.]+):width=([\d.]+):height=([\d.]+)"


def _png(width: int, height: int, *, noise: bool = False) -> bytes:
    """A real PNG: white, or random pixels (which do not compress)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    white = b"\xff\xff\xff" * width
    rows = b"".join(b"\x00" + (os.urandom(3 * width) if noise else white) for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_marker_lands_on_the_fraction_of_the_viewbox() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 500"><g/></svg>'
    marked = _from_bytes("test", "Test", svg).marked("test-st2", 0.25, 0.5, "ST2")
    text = marked.data.decode()
    assert '<circle cx="100.0" cy="250.0"' in text
    assert ">ST2</text>" in text
    assert text.rstrip().endswith("</svg>")
    assert re.fullmatch(r"deckgen-test-st2-[0-9a-f]{12}\.svg", marked.name)


def test_png_and_jpeg_bases_are_embedded_at_their_pixel_size() -> None:
    png = _from_bytes("photo", "Photo", _png(30, 20))
    assert (png.mime, png.width, png.height) == ("image/png", 30, 20)
    assert b"data:image/png;base64," in png.marked("p", 0.5, 0.5).data
    jpeg = b"\xff\xd8\xff\xe0\x00\x04ab\xff\xc0\x00\x11\x08\x00\x14\x00\x1e\x03" + b"\x00" * 12
    photo = _from_bytes("jpeg", "JPEG", jpeg)
    assert (photo.mime, photo.width, photo.height) == ("image/jpeg", 30, 20)


def test_media_names_are_flat_and_follow_the_content() -> None:
    first = media_file("Face Front/ST2", b"one", "svg")
    assert first.name.startswith("deckgen-face-front-st2-") and "/" not in first.name
    assert media_file("Face Front/ST2", b"one", "svg") == first
    assert media_file("Face Front/ST2", b"two", "svg").name != first.name


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_every_builtin_drawing_is_a_clean_svg(name: str) -> None:
    svg = builtin_svg(name).decode()
    assert svg.lstrip().startswith("<svg") and "viewBox=" in svg
    assert "<script" not in svg and "href=" not in svg and "<path" in svg
    assert len(svg) < 15_000


def test_spread_keeps_each_point_and_its_label_inside_its_mask() -> None:
    config = DeckConfig(name="x", description="y")
    face = load_diagrams(Path(), config, {"face-front"})["face-front"]
    marks = [(0.435, 0.449, "BL2"), (0.5, 0.449, "EX-HN3"), (0.354, 0.429, "EX-HN4")]
    for (x, y, _), label in zip(marks, face.spread(marks), strict=True):
        assert label.x in (x, pytest.approx(1 - x))
        boxes = face.mask_boxes(label)
        assert any(b[0] <= label.x <= b[0] + b[2] and b[1] <= y <= b[1] + b[3] for b in boxes)
        inner = face.label_box(label)
        assert any(
            b[0] <= inner[0]
            and inner[0] + inner[2] <= b[0] + b[2] + 1e-9
            and b[1] <= inner[1]
            and inner[1] + inner[3] <= b[1] + b[3] + 1e-9
            for b in boxes
        )
    assert face.label_box(Label(0.5, 0.5, "ST2"))[2] > 0


def test_occlusion_masks_of_the_shipped_deck_never_overlap(cards_dir: Path) -> None:
    compared = 0
    for spec in load_folder(cards_dir).notes():
        if spec.kind != "occlusion":
            continue
        boxes = [tuple(map(float, m)) for m in re.findall(BOX, spec.field("Occlusion"))]
        # Every mask is read: one the pattern missed would never be compared.
        assert len(boxes) == spec.field("Occlusion").count("{{c"), spec.note_id
        compared += len(boxes) * (len(boxes) - 1) // 2
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
                height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
                assert width <= 0 or height <= 0, f"{spec.note_id}: masks {a} and {b} overlap"
    assert compared > 0, "the shipped deck has no occlusion note with two masks to compare"


def test_a_diagram_title_cannot_inject_an_attribute(mini_cards: Path) -> None:
    deck = mini_cards / "deck.yaml"
    deck.write_text(
        deck.read_text().replace('title: "Test face"', "title: 'Face\" onerror=\"alert(1)'")
    )
    specs = load_folder(mini_cards).notes()
    images = [re.findall(r"<img [^>]*>", field) for spec in specs for field in spec.fields]
    tags = [tag for found in images for tag in found]
    assert tags and all(' onerror="' not in tag for tag in tags)
    assert any('alt="Face&quot; onerror=&quot;alert(1)"' in tag for tag in tags)


def test_names_on_the_occlusion_back_are_shown_verbatim(mini_cards: Path) -> None:
    """As on the point's own note: a name is text, never Markdown or HTML."""
    point = mini_cards / "points" / "ST2.yaml"
    point.write_text(point.read_text().replace("english: Four Whites", "english: Four *<b>W"))
    (occlusion,) = [spec for spec in load_folder(mini_cards).notes() if spec.kind == "occlusion"]
    back = occlusion.field("Back Extra")
    assert "<li><strong>ST2</strong> Sìbái 四白 (Four *&lt;b&gt;W)</li>" in back


def test_the_build_reads_a_viewbox_wherever_the_check_accepts_it() -> None:
    from deckgen.source.images import sniff_image

    prolog = b"<?xml version='1.0'?>\n<!-- " + b"x" * 5000 + b" -->\n"
    svg = prolog + b"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 4e2 500'></svg>"
    assert sniff_image(svg) == ("svg", None)
    diagram = _from_bytes("long", "Long", svg)
    assert (diagram.width, diagram.height) == (400.0, 500.0)
    broken = b'<svg viewBox="0 0 4.0.0 500"></svg>'
    assert sniff_image(broken)[1] is not None  # reported by the check, never a crash


def test_a_large_raster_diagram_is_warned_about(mini_cards: Path) -> None:
    big = _png(640, 640, noise=True)
    assert len(big) > 1_000_000
    (mini_cards / "images" / "photo.png").write_bytes(big)
    deck = mini_cards / "deck.yaml"
    deck.write_text(deck.read_text() + '  photo: {image: images/photo.png, title: "Photo"}\n')
    warnings = [str(w) for w in load_cards(mini_cards).warnings]
    assert any("is 1.2 MB and is copied into every marked image" in w for w in warnings), warnings


A_BOX = st.tuples(*[st.floats(-0.5, 1.5, allow_nan=False)] * 2, *[st.floats(0.0, 0.6)] * 2)


@settings(max_examples=300, deadline=None)
@given(A_BOX, st.lists(A_BOX, max_size=12))
def test_the_layouts_overlap_sum_is_the_plain_sum_of_areas(
    box: tuple[float, float, float, float], others: list[tuple[float, float, float, float]]
) -> None:
    """The label layout's inner loop, written out, gives the very float that summing each
    pair's shared area gives: the layout (and so the package's bytes) does not change."""

    def shared(a: tuple[float, ...], b: tuple[float, ...]) -> float:
        width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
        height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
        return max(width, 0.0) * max(height, 0.0)

    assert _overlaps(box, others) == sum(shared(box, other) for other in others)
