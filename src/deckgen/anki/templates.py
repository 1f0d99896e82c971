"""Render cards as Anki does, for the subset of its template language deckgen uses.

Supported: `{{Field}}`, sections `{{#Field}}…{{/Field}}`, inverted sections
`{{^Field}}…{{/Field}}`, `{{FrontSide}}`, HTML comments (left untouched) and the `cloze`
filter, for text clozes (`{{c1::text::hint}}`) and image-occlusion masks
(`{{c1::image-occlusion:rect:left=…:top=…:width=…:height=…:oi=1}}`). The output is the
HTML Anki's own renderer (rslib `template.rs`, `cloze.rs`) gives for the same note, so
the preview shows what a reviewer sees; `tests/test_preview.py` checks that against the
real backend. Anything else (other filters, unknown fields) raises `TemplateError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TypeAlias

_HANDLE = re.compile(r"<!--.*?-->|\{\{(.*?)\}\}", re.DOTALL)
_EMPTY_FIELD = re.compile(r"^(?:[ \t\n\r\f\v]|</?(?:br|div) ?/?>)*$", re.IGNORECASE)
_CLOZE_MARK = re.compile(r"\{\{c([\d,]*)::|\}\}")
_CLOZE_KEY = re.compile(r"c\d+")
_MATHJAX = re.compile(r"(\\[(\[])(.*?)(\\[)\]])", re.DOTALL)
_TAG = re.compile(r"<!--.*?-->|<.*?>", re.DOTALL)
_SHAPE_PROPERTY = re.compile(r":([^=]+)=((?:[^\\:]|\\[\\:])+)")
#: Shape properties Anki passes to its reviewer script, as data-* attribute names.
_SHAPE_PROPERTIES = {
    **dict.fromkeys(("left", "top", "angle", "fill", "width", "height"), ""),
    **dict.fromkeys(("rx", "ry", "points", "text", "scale"), ""),
    "oi": "occludeInactive",
    "fs": "font-size",
}
_NONZERO_PROPERTIES = {"width", "height", "rx", "ry", "scale"}
#: Anki keeps at most this many clozes open at once; deeper openings are ignored.
_MAX_OPEN_CLOZES = 10


class TemplateError(ValueError):
    """A template this renderer cannot render the way Anki would."""


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Replacement:
    key: str
    filters: tuple[str, ...]  # in the order they apply


@dataclass(frozen=True)
class Section:
    key: str
    negated: bool
    children: tuple[Node, ...]


Node: TypeAlias = Text | Replacement | Section


# Templates
# ---------


@cache
def parse(template: str) -> tuple[Node, ...]:
    """The template as a tree of nodes; raise `TemplateError` on unbalanced sections."""
    tokens = iter(_tokens(template))
    return _parse_inner(tokens, None)


def _tokens(template: str) -> Iterator[tuple[str, str]]:
    """("text", ...), ("field", key), ("open", key), ("invert", key), ("close", key)."""
    position = 0
    for match in _HANDLE.finditer(template):
        if match.group(1) is None:  # a comment: text, but nothing in it is a handle
            continue
        if match.start() > position:
            yield "text", template[position : match.start()]
        position = match.end()
        handle = match.group(1).lstrip("{").strip()
        kinds = {"#": "open", "^": "invert", "/": "close"}
        if len(handle) >= 2 and handle[0] in kinds:
            yield kinds[handle[0]], handle[1:].lstrip()
        else:
            yield "field", handle
    if position < len(template):
        yield "text", template[position:]


def _parse_inner(tokens: Iterator[tuple[str, str]], open_key: str | None) -> tuple[Node, ...]:
    nodes: list[Node] = []
    for kind, value in tokens:
        if kind == "text":
            nodes.append(Text(value))
        elif kind == "field":
            key, *filters = reversed(value.split(":"))
            nodes.append(Replacement(key, tuple(filters)))
        elif kind in ("open", "invert"):
            children = _parse_inner(tokens, value)
            nodes.append(Section(value, kind == "invert", children))
        elif value == open_key:
            return tuple(nodes)
        else:
            raise TemplateError(f"{{{{/{value}}}}} closes a section that is not open")
    if open_key is not None:
        raise TemplateError(f"{{{{#{open_key}}}}} is never closed")
    return tuple(nodes)


def field_is_empty(text: str) -> bool:
    """Anki's rule: only whitespace and empty <br>/<div> tags."""
    return _EMPTY_FIELD.match(text) is not None


def renders_with_fields(template: str, nonempty: set[str]) -> bool:
    """Whether a front template shows any non-empty field: Anki's rule for a card to exist."""
    return not _is_empty(parse(template), nonempty)


def _is_empty(nodes: tuple[Node, ...], nonempty: set[str]) -> bool:
    for node in nodes:
        if isinstance(node, Replacement) and node.key in nonempty:
            return False
        if (
            isinstance(node, Section)
            and (node.key in nonempty) != node.negated
            and not _is_empty(node.children, nonempty)
        ):
            return False
    return True


def render(
    template: str, fields: Mapping[str, str], *, ordinal: int, front_side: str | None = None
) -> str:
    """One side of a card: the question when `front_side` is None, else the answer."""
    fields = {f"c{ordinal + 1}": "1", **fields}  # Anki's `{{#c2}}`: true on card 2
    nonempty = {name for name, value in fields.items() if not field_is_empty(value)}
    return "".join(_render(parse(template), fields, nonempty, ordinal, front_side))


def _render(
    nodes: tuple[Node, ...],
    fields: Mapping[str, str],
    nonempty: set[str],
    ordinal: int,
    front_side: str | None,
) -> Iterator[str]:
    for node in nodes:
        if isinstance(node, Text):
            yield node.text
        elif isinstance(node, Section):
            if node.key not in fields and not _CLOZE_KEY.fullmatch(node.key):
                raise TemplateError(f"no field '{node.key}' for a section")
            if (node.key in nonempty) != node.negated:
                yield from _render(node.children, fields, nonempty, ordinal, front_side)
        elif node.key == "FrontSide":
            yield front_side or ""
        elif node.key not in fields:
            raise TemplateError(f"no field '{node.key}'")
        else:
            text = fields[node.key]
            for name in node.filters:
                if name == "cloze":
                    text = strip_html_inside_mathjax(
                        reveal_cloze(text, ordinal + 1, question=front_side is None)
                    )
                elif name:  # Anki ignores an empty filter name
                    raise TemplateError(f"the '{name}' filter is not supported")
            yield text


# Clozes
# ------


@dataclass
class _Cloze:
    ordinals: tuple[int, ...]
    nodes: list[str | _Cloze] = field(default_factory=list)
    hint: str | None = None

    @property
    def occlusion(self) -> str | None:
        first = self.nodes[0] if self.nodes else None
        if isinstance(first, str) and first.startswith("image-occlusion:"):
            return first.removeprefix("image-occlusion:")
        return None


def _cloze_tokens(text: str) -> Iterator[tuple[int, ...] | str | None]:
    """Ordinals for an opening `{{cN::`, None for a closing `}}`, else the text between."""
    start = position = 0
    while (match := _CLOZE_MARK.search(text, position)) is not None:
        token: tuple[int, ...] | None = None
        if match.group(0) != "}}":
            numbers = {int(n) for n in match.group(1).split(",") if n and int(n) < 65536}
            token = tuple(sorted(numbers))
            if not token:  # `{{c,::` is text
                position = match.start() + 1
                continue
        if match.start() > start:
            yield text[start : match.start()]
        yield token
        start = position = match.end()
    if start < len(text):
        yield text[start:]


def _parse_clozes(text: str) -> list[str | _Cloze]:
    output: list[str | _Cloze] = []
    open_clozes: list[_Cloze] = []
    for token in _cloze_tokens(text):
        if isinstance(token, tuple):
            if len(open_clozes) < _MAX_OPEN_CLOZES:
                open_clozes.append(_Cloze(token))
        elif isinstance(token, str):
            if not open_clozes:
                output.append(token)
                continue
            cloze = open_clozes[-1]
            if not token.startswith("image-occlusion:") and "::" in token:
                token, cloze.hint = token.split("::", 1)
            cloze.nodes.append(token)
        elif open_clozes:
            closed = open_clozes.pop()
            (open_clozes[-1].nodes if open_clozes else output).append(closed)
        else:
            output.append("}}")
    return output  # clozes never closed are dropped, as Anki does


def cloze_numbers(text: str) -> set[int]:
    """The cloze numbers in a field (0 is not a card)."""
    numbers: set[int] = set()
    if "{{c" not in text:  # no cloze opens: most fields, and the quick answer for them
        return numbers
    _add_numbers(_parse_clozes(text), numbers)
    return numbers


def _add_numbers(nodes: list[str | _Cloze], numbers: set[int]) -> None:
    """Add the cloze numbers in `nodes` to `numbers`. (Not a closure: a recursive one is a
    reference cycle, kept until the build ends while its cyclic collector is paused.)"""
    for node in nodes:
        if isinstance(node, _Cloze):
            numbers.update(n for n in node.ordinals if n != 0)
            _add_numbers(node.nodes, numbers)


def reveal_cloze(text: str, number: int, *, question: bool) -> str:
    """The `cloze` filter: cloze `number` hidden (question) or shown (answer), the others as
    plain text; empty when the text has no cloze of that number."""
    found = False

    def show(cloze: _Cloze) -> str:
        nonlocal found
        active = number in cloze.ordinals
        found |= active
        if cloze.occlusion is not None:
            return _occlusion(cloze.occlusion, cloze.ordinals, active=active, question=question)
        ordinals = ",".join(str(n) for n in cloze.ordinals)
        inner = "".join(node if isinstance(node, str) else show(node) for node in cloze.nodes)
        if question and active:
            hidden = encode_attribute(inner)
            hint = cloze.hint if cloze.hint is not None else "..."
            attributes = f'class="cloze" data-cloze="{hidden}" data-ordinal="{ordinals}"'
            return f"<span {attributes}>[{hint}]</span>"
        css_class = "cloze" if active else "cloze-inactive"
        return f'<span class="{css_class}" data-ordinal="{ordinals}">{inner}</span>'

    html = "".join(node if isinstance(node, str) else show(node) for node in _parse_clozes(text))
    return html if found else ""


def _occlusion(shape: str, ordinals: tuple[int, ...], *, active: bool, question: bool) -> str:
    """An image-occlusion mask as the empty <div> Anki's reviewer script draws from."""
    if (question and active) or 0 in ordinals:
        css_class = "cloze"
    else:
        css_class = "cloze-highlight" if active else "cloze-inactive"
    numbers = ",".join(str(n) for n in ordinals)
    return f'<div class="{css_class}" data-ordinal="{numbers}" {shape_data(shape)}></div>'


def shape_data(text: str) -> str:
    """`rect:left=.2:top=.3:…` -> `data-shape="rect" data-left=".2" …` (trailing space)."""
    shape, colon, _ = text.partition(":")
    if not colon:
        return ""
    result = f'data-shape="{shape}" ' if shape in ("rect", "ellipse", "polygon", "text") else ""
    position = len(shape)
    while (match := _SHAPE_PROPERTY.match(text, position)) is not None:
        position = match.end()
        name, value = match.group(1), re.sub(r"\\([\\:])", r"\1", match.group(2))
        if name in _NONZERO_PROPERTIES and value == "0":
            continue
        if name == "points":
            value = " ".join(pair for pair in value.split(" ") if "," in pair)
        elif name == "text":
            value = encode_attribute(value)
        if name in _SHAPE_PROPERTIES and value:
            result += f'data-{_SHAPE_PROPERTIES[name] or name}="{value}" '
    return result


def encode_attribute(text: str) -> str:
    """Escape like Rust's htmlescape::encode_attribute: every character below U+0100 that is
    not an ASCII letter or digit becomes an entity."""
    named = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
    out = []
    for ch in text:
        if ch in named:
            out.append(named[ch])
        elif ord(ch) < 256 and not (ch.isascii() and ch.isalnum()):
            out.append(f"&#x{ord(ch):02X};")
        else:
            out.append(ch)
    return "".join(out)


def strip_html_inside_mathjax(text: str) -> str:
    """Anki removes HTML tags inside MathJax `\\(…\\)` and `\\[…\\]` after a cloze."""
    return _MATHJAX.sub(lambda m: m.group(1) + _TAG.sub("", m.group(2)) + m.group(3), text)
