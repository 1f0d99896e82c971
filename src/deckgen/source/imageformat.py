"""Image formats read without decoding: an SVG's root element and viewBox, a JPEG's size."""

from __future__ import annotations

import re
import struct

_NUMBER = r"\s*(-?[\d.]+(?:[eE][-+]?\d+)?)[\s,]*"
_VIEWBOX = re.compile(r"""\bviewBox\s*=\s*(["'])""" + _NUMBER * 4 + r"\1", re.IGNORECASE)


#: Largest coordinate of a viewBox: far beyond any drawing, and small enough that every
#: position worked out from it stays a finite number.
MAX_COORDINATE = 1e6


def svg_viewbox(start_tag: str) -> tuple[float, float, float, float] | None:
    """(min-x, min-y, width, height) from an <svg> start tag; None unless all four are
    numbers within `MAX_COORDINATE` and the size is positive."""
    match = _VIEWBOX.search(start_tag)
    if match is None:
        return None
    try:
        box = tuple(float(match[i]) for i in range(2, 6))
    except ValueError:  # e.g. "4.0.0"
        return None
    left, top, width, height = box
    if not all(abs(number) <= MAX_COORDINATE for number in box):  # inf and nan too
        return None
    return (left, top, width, height) if width > 0 and height > 0 else None


def xml_root(data: bytes) -> tuple[str, str] | None:
    """The root element's name and start tag, skipping the prolog, if `data` looks like XML."""
    text = data[:65536].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text.startswith("<"):
        return None
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        rest = text[position:]
        if rest.startswith("<?"):
            end = text.find("?>", position)
            position = end + 2
        elif rest.startswith("<!--"):
            end = text.find("-->", position)
            position = end + 3
        elif rest[:9].upper() == "<!DOCTYPE":
            bracket, close = text.find("[", position), text.find(">", position)
            if 0 <= bracket < close:
                close = text.find(">", max(text.find("]", bracket), bracket))
            end = close
            position = end + 1
        else:
            break
        if end < 0:
            return None
    match = re.match(r"<([A-Za-z_][\w.:-]*)", text[position:])
    if match is None:
        return None
    end = text.find(">", position)
    return match.group(1), text[position : end + 1 if end >= 0 else len(text)]


#: JPEG start-of-frame markers: the segments that carry the image size.
_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's start-of-frame segment; None if it has none."""
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            index += 1
            continue
        marker = data[index + 1]
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return (width, height) if width and height else None
        if marker in (0xD8, 0x01, 0xFF) or 0xD0 <= marker <= 0xD7:  # markers without length
            index += 1 if marker == 0xFF else 2
            continue
        (length,) = struct.unpack(">H", data[index + 2 : index + 4])
        index += 2 + max(length, 2)
    return None
