r"""YAML text -> safe card HTML. Authors may use Markdown emphasis, links and lists;
raw HTML is escaped and the result is sanitised, so no script, iframe, event handler
or javascript: URL from YAML ever reaches a field.

Anki reads more than HTML in a field: `{{...}}` (cloze deletions, and template syntax in
a reader's own templates), `[sound:...]` and `[anki:...]` tags, and MathJax between
`\(` `\)` or `\[` `\]`. Text from YAML is made inert to all of them (`inert`), so that
Anki shows it as written: braces and the brackets of such tags become character
references, and a MathJax delimiter is split by an empty element. Only the cloze markup
of a cloze field's text is kept as markup (`inline(..., cloze=True)`)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import unquote

import nh3

from deckgen.kinds.cloze import CLOZE

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_TAGS = {
    *("b", "strong", "i", "em", "code", "sub", "sup", "a", "ul", "ol", "li", "p", "br", "span"),
    *("img", "hr", "blockquote", "pre"),
}
_ATTRIBUTES = {"a": {"href"}, "span": {"class"}, "img": {"src", "alt"}}

#: Turns the path of an image in Markdown text (relative to the cards folder, as
#: written) into the name of its media file; set while a record's notes are made (see
#: `deckgen.kinds.textimages`). Without it, or for a path it does not know, the image
#: keeps no `src`: card text never points outside the package.
_IMAGE_NAME: ContextVar[Callable[[str], str | None] | None] = ContextVar(
    "_IMAGE_NAME", default=None
)


@contextmanager
def image_names(name_of: Callable[[str], str | None]) -> Iterator[None]:
    """Within the block, images in rendered text get their media names from `name_of`."""
    token = _IMAGE_NAME.set(name_of)
    try:
        yield
    finally:
        _IMAGE_NAME.reset(token)


def _attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src":
        name_of = _IMAGE_NAME.get()
        return name_of(unquote(value)) if name_of is not None else None
    return value


def sanitise(markup: str, *, images: bool = True) -> str:
    """Only formatting, links and (with `images`) images with their media names are kept."""
    return nh3.clean(
        markup,
        tags=_TAGS if images else _TAGS - {"img"},
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https"},
        attribute_filter=_attribute,
    )


#: Characters that can make Markdown or HTML: text without them is escaped, not parsed
#: (the same result, found about fifty times faster; most card text is plain).
_MARKUP = re.compile(r"[\\`*_\[\]<&]")


def literal(text: str) -> str:
    """Text to put inside Markdown and see as written: its Markdown punctuation escaped."""
    return _LITERAL.sub(r"\\\g<0>", text)


_LITERAL = re.compile(r"[\\`*_\[\]<&!]")


@cache
def _markdown() -> MarkdownIt:
    """The Markdown parser, imported when first needed: most card text is plain, and the
    import costs a tenth of a second of every run otherwise."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "typographer": False})


def image_paths(text: str) -> list[str]:
    """The paths of the Markdown images (`![alt](path)`) in `text`, as written."""
    if "![" not in text:
        return []
    return [
        unquote(str(child.attrGet("src")))
        for token in _markdown().parse(text)
        for child in token.children or ()
        if child.type == "image"
    ]


def inline(text: str, *, cloze: bool = False) -> str:
    """One line or paragraph of Markdown as inline HTML (no surrounding <p>), inert to
    Anki's own syntax; with `cloze`, its `{{c1::...}}` markup is kept as cloze markup."""
    stripped = text.strip()
    if stripped.isprintable() and not _MARKUP.search(stripped):
        rendered = html.escape(stripped, quote=False)
    elif "\n\n" in text.strip() or any(
        line.lstrip().startswith(("- ", "* ")) for line in text.splitlines()
    ):
        rendered = sanitise(_markdown().render(text)).strip()
    else:
        rendered = sanitise(_markdown().renderInline(text.strip()))
    return inert_cloze(rendered) if cloze else inert(rendered)


#: What Anki would read as its own syntax in a field: braces (cloze, templates), the
#: bracket opening a sound or `anki:` tag, and a backslash opening or closing MathJax;
#: and, so that the backslash is found outside them, whole HTML tags (left as they are).
_ANKI_SYNTAX = re.compile(r"<[^<>]*>|[{}]|\[(?=(?:sound|/?anki):)|\\(?=[()\[\]])", re.IGNORECASE)
#: The same inside an attribute value, where MathJax never looks.
_ATTRIBUTE_SYNTAX = re.compile(r"[{}]|\[(?=(?:sound|/?anki):)", re.IGNORECASE)
_INERT = {"{": "&#123;", "}": "&#125;", "[": "&#91;", "\\": "\\<span></span>"}


def inert(markup: str, *, syntax: re.Pattern[str] = _ANKI_SYNTAX) -> str:
    """HTML `markup` with nothing left that Anki would read as cloze, template, sound,
    `anki:` or MathJax syntax; it looks the same."""
    if "{" not in markup and "}" not in markup and "[" not in markup and "\\" not in markup:
        return markup  # most text (tested with `in`: quicker than a pattern)
    return syntax.sub(lambda found: _INERT.get(found.group(), found.group()), markup)


def inert_cloze(markup: str) -> str:
    """`inert`, but for the cloze deletions `{{c1::text::hint}}`, whose markup is kept
    (their text and hint are made inert)."""
    parts: list[str] = []
    last = 0
    for found in CLOZE.finditer(markup):
        number, hidden, hint = found.groups()
        parts.append(inert(markup[last : found.start()]))
        shown_hint = "" if hint is None else f"::{inert(hint)}"
        parts.append(f"{{{{c{number}::{inert(hidden)}{shown_hint}}}}}")
        last = found.end()
    parts.append(inert(markup[last:]))
    return "".join(parts)


def bullet_list(items: Iterable[str]) -> str:
    """A list of Markdown items as one <ul>; empty input gives an empty field."""
    return html_list(inline(item) for item in items)


def html_list(items: Iterable[str]) -> str:
    """A list of items already made HTML as one <ul>; empty input gives an empty field."""
    rendered = [f"<li>{item}</li>" for item in items]
    return f"<ul>{''.join(rendered)}</ul>" if rendered else ""


def attribute(text: str) -> str:
    """Text for an HTML attribute value: quotes escaped too, so it cannot end the value."""
    return inert(html.escape(text, quote=True), syntax=_ATTRIBUTE_SYNTAX)


def plain(text: str | None) -> str:
    """Text shown verbatim (codes, names): escaped, never interpreted."""
    return inert(html.escape(text or "", quote=False))
