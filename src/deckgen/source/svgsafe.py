"""Whether a user's SVG diagram is safe to ship: a still drawing that runs no code and
refers to nothing outside itself.

A deck carries its diagrams to every device it is studied on, so an SVG that ran a script
or loaded a URL would do so there. The check is an allowlist: drawing elements and
references inside the file ('#id', url(#id), embedded raster images) pass, and everything
else is reported at its line and column. A refused drawing is never rewritten: the user
removes what is named. Parsing goes through defusedxml, so entity declarations (expansion
bombs, external entities) stop the check at once; the DTD that a DOCTYPE names is never read.
"""

from __future__ import annotations

import io
import re
from typing import Any
from xml.sax import SAXParseException, handler
from xml.sax.xmlreader import AttributesNSImpl, Locator

from defusedxml import DefusedXmlException
from defusedxml.expatreader import create_parser

SVG = "http://www.w3.org/2000/svg"
XHTML = "http://www.w3.org/1999/xhtml"
_XML = "http://www.w3.org/XML/1998/namespace"
_NAMES = (
    "svg g defs symbol use title desc metadata path rect circle ellipse line polyline polygon "
    "text tspan textPath linearGradient radialGradient stop pattern clipPath mask marker filter "
    "style image a switch feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix "
    "feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB "
    "feFuncG feFuncR feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset "
    "fePointLight feSpecularLighting feSpotLight feTile feTurbulence"
)
#: The SVG elements a diagram may use: static drawing only (and <image>, <feImage> and <a>
#: must keep their references inside the file). Script, foreignObject, animation... are refused.
ALLOWED = frozenset(_NAMES.split())
_WHY = {"script": "it could run code", "foreignObject": "it could embed a web page"}
_RASTER = tuple(f"data:image/{kind};base64," for kind in ("png", "jpeg", "gif", "webp"))
_SPACE = "".join(map(chr, range(0x21)))  # what a URL parser strips from either end
_CONTROLS = re.compile(r"[\x00-\x20\x7f]+")
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(.))", re.DOTALL)
_URL = re.compile(r"""url\(\s*["']?([^"')]*)""", re.IGNORECASE)
_BANNED = re.compile(r"@import|expression\(|(?<![\w-])(?:-webkit-)?image(?:-set)?\(", re.I)
_BANNED_WHY = {"@import": "it loads another style sheet", "expression(": "it could run code"}


def svg_problems(data: bytes) -> list[tuple[int, int, str]]:
    """Each reason the SVG `data` may not be shipped, as (line, column, message), 1-based,
    in document order; empty when the drawing is safe to ship."""
    checker = _Checker()
    # Entity declarations are refused. The external DTD of a DOCTYPE (SVG 1.1's, say) is
    # skipped unread, not refused: SAX's external_ges stays off.
    parser = create_parser(bufsize=len(data) + 1, forbid_external=False)  # one feed: faster
    parser.setFeature(handler.feature_namespaces, True)
    parser.setFeature(handler.feature_external_ges, False)
    parser.setContentHandler(checker)
    try:
        parser.parse(io.BytesIO(data))
    except SAXParseException as error:
        line, column = error.getLineNumber() or 1, (error.getColumnNumber() or 0) + 1
        return [(line, column, f"not well-formed XML: {error.getMessage()}")]
    except DefusedXmlException:
        return [(*checker.here(), "the SVG declares entities (a DOCTYPE with ENTITY); remove it")]
    return sorted(checker.problems, key=lambda problem: problem[:2])


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _css_problems(css: str, culprit: str, sheet: bool) -> list[tuple[int, str]]:
    """What is wrong with CSS text (a style sheet when `sheet`, else a value that may hold
    url()), each with its offset in `css`. Escapes are decoded first: u\\72l( is url(."""
    if "(" not in css and "@" not in css:  # neither escaped may start url( or @import
        return []
    text, done = "", 0
    where: list[int] = []  # the offset in `css` of each character of `text`
    for match in _CSS_ESCAPE.finditer(css):
        code = int(match[1], 16) if match[1] else ord(match[2])
        valid = 0 < code < 0xD800 or 0xDFFF < code <= 0x10FFFF
        text += css[done : match.start()] + (chr(code) if valid else "\ufffd")
        where += [*range(done, match.start()), match.start()]
        done = match.end()
    text, where = text + css[done:], [*where, *range(done, len(css))]
    found: list[tuple[int, str]] = []
    for match in _URL.finditer(text):
        if not (target := match[1].strip(_SPACE)).startswith("#"):
            message = f"{culprit} uses url({_short(target)}) outside the image"
            found.append((where[match.start()], message + "; only url(#id) is allowed"))
    for match in _BANNED.finditer(text) if sheet else ():
        why = _BANNED_WHY.get(match[0].lower(), "it could load an outside image")
        message = f"{culprit} uses '{match[0]}', which is not allowed in a diagram: {why}"
        found.append((where[match.start()], message))
    return sorted(found)


def _attribute_problems(
    key: tuple[str | None, str], label: str, value: str, image: bool
) -> list[str]:
    """What is wrong with one attribute, named `label`; `image`: it is on <image> or
    <feImage>, which may embed a raster image as a data URI."""
    if key[1].lower().startswith("on"):
        return [f"attribute '{label}' is not allowed in a diagram: it could run code"]
    if key == (_XML, "base"):
        return [f"attribute '{label}' is not allowed in a diagram: it could move references"]
    squashed = _CONTROLS.sub("", value).lower()
    for scheme in ("javascript:", "vbscript:", "data:text/html"):
        if scheme in squashed:
            return [f"attribute '{label}' contains '{scheme}': it could run code"]
    target = value.strip(_SPACE)
    inside = target.startswith("#") or (image and target.lower().startswith(_RASTER))
    if key[1] in ("href", "src") and not inside:
        return [
            f"'{label}' refers to '{_short(target)}' outside the image; "
            "only references inside it ('#id') are allowed"
        ]
    css = _css_problems(value, f"attribute '{label}'", sheet=key[1] == "style")
    return [message for _, message in css]


class _Checker(handler.ContentHandler):
    """Collects problems as the parser goes; a <style>'s text is checked at its end tag."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[tuple[int, int, str]] = []
        self.locator: Locator | None = None
        self.depth = 0
        self.bare = False  # the root has no namespace: unprefixed elements are SVG
        self.style_depth = 0  # that of the <style> being read, if any
        self.style: list[tuple[int, int, str]] = []  # its text: line, column, piece
        # <use> of an element that holds a <use> (or is one) multiplies on every level:
        # nine levels of ten make a billion shapes. Such references are refused.
        self.open: list[list[Any]] = []  # [id, holds a <use>] of each element open
        self.holders: set[str] = set()  # the ids of elements that hold a <use>
        self.uses: list[tuple[int, int, str]] = []  # each <use>: line, column, its target

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def here(self) -> tuple[int, int]:
        if self.locator is None:
            return 1, 1
        return self.locator.getLineNumber() or 1, (self.locator.getColumnNumber() or 0) + 1

    def startElementNS(
        self, name: tuple[str | None, str], qname: str | None, attrs: AttributesNSImpl
    ) -> None:
        uri, local = name
        line, column = self.here()
        self.depth += 1
        self.bare = uri is None if self.depth == 1 else self.bare
        drawing = uri == SVG or (uri is None and self.bare)
        problems: list[str] = []
        if self.depth == 1 and local != "svg":
            problems.append(f"the root element is <{local}>, not <svg>: this is not an SVG")
        elif self.depth == 1 and not drawing:
            problems.append(f"the root <svg> is not in the SVG namespace but in '{uri}'")
        elif uri == XHTML:
            problems.append(
                f"XHTML element <{local}> is not allowed in a diagram: web content could run code"
            )
        elif drawing and local not in ALLOWED:
            why = _WHY.get(local, "only static drawing elements are allowed")
            problems.append(f"<{local}> is not allowed in a diagram: {why}")
        image = drawing and local in ("image", "feImage")
        for key, value in attrs.items():
            problems += _attribute_problems(key, attrs.getQNameByName(key), value, image)
        self.problems += [(line, column, message) for message in problems]
        if drawing and local == "style":
            self.style_depth, self.style = self.depth, []
        self.open.append([attrs.get((None, "id")), False])
        if drawing and local == "use":
            for frame in self.open:
                frame[1] = True
            target = next((v for (_, n), v in attrs.items() if n == "href"), "")
            self.uses.append((line, column, target.strip(_SPACE).removeprefix("#")))

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        if self.depth == self.style_depth:
            text = "".join(piece for _, _, piece in self.style)
            for offset, message in _css_problems(text, "<style>", sheet=True):
                self.problems.append((*self._locate(offset), message))
            self.style_depth = 0
        element_id, holds_use = self.open.pop()
        if element_id and holds_use:
            self.holders.add(element_id)
        self.depth -= 1

    def endDocument(self) -> None:
        for line, column, target in self.uses:
            if target in self.holders:
                message = (
                    f"<use> refers to '#{_short(target)}', which holds a <use> itself: "
                    "references of references multiply; refer to drawing elements only"
                )
                self.problems.append((line, column, message))

    def characters(self, content: str) -> None:
        if self.depth == self.style_depth:
            self.style.append((*self.here(), content))

    def processingInstruction(self, target: str, data: str) -> None:
        message = f"<?{target}?> is not allowed in a diagram: it could load outside content"
        self.problems.append((*self.here(), message))

    def _locate(self, offset: int) -> tuple[int, int]:
        """The line and column of an offset in the <style>'s text."""
        for line, column, piece in self.style:
            if offset < len(piece):
                before = piece[:offset]
                if "\n" not in before:
                    return line, column + offset
                return line + before.count("\n"), len(before) - before.rindex("\n")
            offset -= len(piece)
        return self.here()
