"""YAML text -> safe card HTML. Authors may use Markdown emphasis, links and lists;
raw HTML is escaped and the result is sanitised, so no script, iframe, event handler
or javascript: URL from YAML ever reaches a field."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

import nh3

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_TAGS = {"b", "strong", "i", "em", "code", "sub", "sup", "a", "ul", "ol", "li", "p", "br", "span"}
_ATTRIBUTES = {"a": {"href"}, "span": {"class"}}


def sanitise(markup: str) -> str:
    return nh3.clean(markup, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https"})


#: Characters that can make Markdown or HTML: text without them is escaped, not parsed
#: (the same result, found about fifty times faster; most card text is plain).
_MARKUP = re.compile(r"[\\`*_\[\]<&]")


@cache
def _markdown() -> MarkdownIt:
    """The Markdown parser, imported when first needed: most card text is plain, and the
    import costs a tenth of a second of every run otherwise."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "typographer": False})


def inline(text: str) -> str:
    """One line or paragraph of Markdown as inline HTML (no surrounding <p>)."""
    stripped = text.strip()
    if stripped.isprintable() and not _MARKUP.search(stripped):
        return html.escape(stripped, quote=False)
    if "\n\n" in text.strip() or any(
        line.lstrip().startswith(("- ", "* ")) for line in text.splitlines()
    ):
        return sanitise(_markdown().render(text)).strip()
    return sanitise(_markdown().renderInline(text.strip()))


def bullet_list(items: Iterable[str]) -> str:
    """A list of Markdown items as one <ul>; empty input gives an empty field."""
    return html_list(inline(item) for item in items)


def html_list(items: Iterable[str]) -> str:
    """A list of items already made HTML as one <ul>; empty input gives an empty field."""
    rendered = [f"<li>{item}</li>" for item in items]
    return f"<ul>{''.join(rendered)}</ul>" if rendered else ""


def attribute(text: str) -> str:
    """Text for an HTML attribute value: quotes escaped too, so it cannot end the value."""
    return html.escape(text, quote=True)


def plain(text: str | None) -> str:
    """Text shown verbatim (codes, names): escaped, never interpreted."""
    return html.escape(text or "", quote=False)
