"""The SVG check: hostile drawings are refused at the right lines, safe ones pass."""

from __future__ import annotations

from pathlib import Path

import pytest

import deckgen.kinds.diagrams
from deckgen.source.svgsafe import ALLOWED, SVG, svg_problems

HEAD = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    ' viewBox="0 0 100 100">\n'
)
XHTML = 'xmlns="http://www.w3.org/1999/xhtml"'


def _svg(body: str) -> str:
    """A drawing whose body starts on line 2."""
    return f"{HEAD}{body}\n</svg>\n"


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">\n'
        for n in range(1, 10)
    )
    + ']>\n<svg xmlns="http://www.w3.org/2000/svg"><text>&lol9;</text></svg>\n'
)

#: (drawing, [(line, words the message must contain)]): every problem, in document order.
HOSTILE = [
    pytest.param(_svg("<script>alert(1)</script>"), [(2, "<script>")], id="script"),
    pytest.param(
        "<svg>\n<g>\n<script>alert(1)</script>\n</g>\n</svg>", [(3, "<script>")], id="bare-script"
    ),
    pytest.param(
        _svg(
            '<foreignObject width="10" height="10">\n'
            f"<div {XHTML}>\n"
            '<iframe src="https://evil.example/"/>\n'
            "</div>\n</foreignObject>"
        ),
        [(2, "<foreignObject>"), (3, "<div>"), (4, "<iframe>"), (4, "'src'")],
        id="foreignObject-xhtml",
    ),
    pytest.param(
        HEAD.replace("viewBox", 'onload="alert(1)" viewBox') + "</svg>",
        [(1, "'onload'")],
        id="onload-root",
    ),
    pytest.param(
        _svg('<g>\n<rect width="5" height="5" onclick="steal()"/>\n</g>'),
        [(3, "'onclick'")],
        id="onclick",
    ),
    pytest.param(
        _svg('<circle r="4" ONMOUSEOVER="steal()"/>'), [(2, "'ONMOUSEOVER'")], id="ONMOUSEOVER"
    ),
    pytest.param(
        _svg('<a href="javascript:alert(1)">\n<rect width="5" height="5"/>\n</a>'),
        [(2, "'href' contains 'javascript:'")],
        id="javascript-href",
    ),
    pytest.param(
        _svg('<a xlink:href="javascript:alert(1)"><text>x</text></a>'),
        [(2, "'xlink:href' contains 'javascript:'")],
        id="javascript-xlink-href",
    ),
    pytest.param(
        _svg('<a xlink:href="java&#x09;script:alert(1)"><text>x</text></a>'),
        [(2, "'xlink:href' contains 'javascript:'")],
        id="javascript-char-reference",
    ),
    pytest.param(
        _svg('<a href=" &#13;JaVa&#10;Scr ipt:alert(1)"><text>x</text></a>'),
        [(2, "'href' contains 'javascript:'")],
        id="javascript-whitespace-controls",
    ),
    pytest.param(
        _svg('<a href="vbscript:msgbox(1)"><text>x</text></a>'),
        [(2, "'vbscript:'")],
        id="vbscript",
    ),
    pytest.param(
        _svg('<a href="data:text/html;base64,PHNjcmlwdD4="><text>x</text></a>'),
        [(2, "'data:text/html'")],
        id="data-text-html",
    ),
    pytest.param(
        _svg('<use href="http://evil.example/sprite.svg#icon"/>'),
        [(2, "'href' refers to 'http://evil.example/sprite.svg#icon'")],
        id="use-http",
    ),
    pytest.param(
        _svg('<use xlink:href="other.svg#x"/>'),
        [(2, "'xlink:href' refers to 'other.svg#x'")],
        id="use-relative",
    ),
    pytest.param(
        _svg('<image width="5" height="5"\n xlink:href="file:///etc/passwd"/>'),
        [(2, "'file:///etc/passwd'")],
        id="image-file",
    ),
    pytest.param(
        _svg('<image href="photo.png"/>'),
        [(2, "'href' refers to 'photo.png'")],
        id="image-relative",
    ),
    pytest.param(
        _svg('<image href="data:image/svg+xml;base64,PHN2Zz4="/>'),
        [(2, "'data:image/svg+xml;base64,PHN2Zz4='")],
        id="image-svg-data-uri",
    ),
    pytest.param(
        _svg('<use href="data:image/png;base64,iVBORw0KGgo="/>'),
        [(2, "'href' refers to 'data:image/png")],
        id="use-data-uri",
    ),
    pytest.param(
        _svg('<a href="https://evil.example/">\n<text>click</text></a>'),
        [(2, "'https://evil.example/'")],
        id="a-external",
    ),
    pytest.param(
        _svg(
            '<defs>\n<filter id="f">\n<feImage href="http://evil.example/x.png"/>\n</filter></defs>'
        ),
        [(4, "'href' refers to 'http://evil.example/x.png'")],
        id="feImage-http",
    ),
    pytest.param(
        _svg('<path d="M0 0h5v5z">\n<textPath href="other.svg#p">x</textPath></path>'),
        [(3, "'other.svg#p'")],
        id="textPath-relative",
    ),
    pytest.param(_svg('<use href="&#xA0;#x"/>'), [(2, "'href' refers to")], id="nbsp-before-hash"),
    pytest.param(
        _svg('<rect width="5" height="5"\n fill="url(http://evil.example/p.svg#g)"/>'),
        [(2, "'fill' uses url(http://evil.example/p.svg#g)")],
        id="fill-url-http",
    ),
    pytest.param(
        _svg('<rect fill="url(http://evil.example/unclosed"/>'),
        [(2, "'fill' uses url(http://evil.example/unclosed)")],
        id="fill-url-unclosed",
    ),
    pytest.param(
        _svg("<rect style=\"fill: URL( 'https://evil.example/x' )\"/>"),
        [(2, "'style' uses url(https://evil.example/x)")],
        id="style-attribute-url",
    ),
    pytest.param(
        _svg('<rect style="width: expression(alert(1))"/>'),
        [(2, "'style' uses 'expression('")],
        id="style-attribute-expression",
    ),
    pytest.param(
        _svg(
            "<style>\n  .a { fill: red }\n"
            '  .b { fill: url("//evil.example/x.svg#p") }\n</style>\n<rect class="b"/>'
        ),
        [(4, "<style> uses url(//evil.example/x.svg#p)")],
        id="style-element-url",
    ),
    pytest.param(
        _svg('<style>@import "https://evil.example/a.css";</style>'),
        [(2, "<style> uses '@import'")],
        id="style-import",
    ),
    pytest.param(
        _svg("<style><![CDATA[\n@IMPORT url(https://evil.example/a.css);\n]]></style>"),
        [(3, "'@IMPORT'"), (3, "url(https://evil.example/a.css)")],
        id="style-import-url-cdata",
    ),
    pytest.param(
        _svg(r"<style>.a { fill: u\72 l(http://evil.example/#g) }</style>"),
        [(2, "<style> uses url(http://evil.example/#g)")],
        id="style-css-escape",
    ),
    pytest.param(
        _svg('<style>.a { fill: image-set("https://evil.example/a.png" 1x) }</style>'),
        [(2, "'image-set('")],
        id="style-image-set",
    ),
    pytest.param(
        _svg('<a href="#ok">\n<animate attributeName="href" to="javascript:alert(1)"/></a>'),
        [(3, "<animate>"), (3, "'to' contains 'javascript:'")],
        id="animate-href",
    ),
    pytest.param(
        _svg('<a xlink:href="#ok"><set attributeName="xlink:href" to="https://evil.example"/></a>'),
        [(2, "<set>")],
        id="set-href",
    ),
    pytest.param(
        _svg('<rect>\n<animateTransform attributeName="transform"/>\n<animateMotion/>\n</rect>'),
        [(3, "<animateTransform>"), (4, "<animateMotion>")],
        id="animations",
    ),
    pytest.param(
        _svg('<handler type="application/ecmascript">alert(1)</handler>\n<discard/>'),
        [(2, "<handler>"), (3, "<discard>")],
        id="handler-discard",
    ),
    pytest.param(
        _svg('<iframe/>\n<video src="clip.mp4"/>\n<audio/>'),
        [(2, "<iframe>"), (3, "<video>"), (3, "'src' refers to 'clip.mp4'"), (4, "<audio>")],
        id="svg-namespace-media",
    ),
    pytest.param(
        '<?xml version="1.0"?>\n'
        '<?xml-stylesheet type="text/css" href="https://evil.example/a.css"?>\n' + _svg("<rect/>"),
        [(2, "<?xml-stylesheet?>")],
        id="xml-stylesheet",
    ),
    pytest.param(_svg("<g>\n<?php echo 1 ?>\n</g>"), [(3, "<?php?>")], id="processing-instruction"),
    pytest.param(
        '<!DOCTYPE svg [\n<!ENTITY name "value">\n]>\n' + _svg("<text>&name;</text>"),
        [(2, "ENTITY")],
        id="doctype-entity",
    ),
    pytest.param(BILLION_LAUGHS, [(3, "ENTITY")], id="billion-laughs"),
    pytest.param(
        '<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
        + _svg("<text>&xxe;</text>"),
        [(3, "ENTITY")],
        id="external-entity",
    ),
    pytest.param(
        '<!DOCTYPE svg [\n<!ENTITY % remote SYSTEM "http://evil.example/x.dtd">\n%remote;\n]>\n'
        + _svg("<rect/>"),
        [(2, "ENTITY")],
        id="parameter-entity",
    ),
    pytest.param(
        '<!DOCTYPE svg [\n<!ATTLIST svg onload CDATA "alert(1)">\n]>\n' + _svg("<rect/>"),
        [(4, "'onload'")],
        id="default-attribute-from-dtd",
    ),
    pytest.param(_svg("<g>\n<rect>\n</g>"), [(4, "not well-formed XML")], id="mismatched-tag"),
    pytest.param(HEAD + "<g>\n", [(3, "not well-formed XML")], id="unclosed"),
    pytest.param(_svg("<text>&nbsp;</text>"), [(2, "undefined entity")], id="undefined-entity"),
    pytest.param(
        f"<html {XHTML}>\n<body/>\n</html>", [(1, "<html>"), (2, "<body>")], id="xhtml-root"
    ),
    pytest.param('<svg xmlns="urn:not-svg"/>', [(1, "'urn:not-svg'")], id="svg-wrong-namespace"),
    pytest.param(
        _svg(
            '<g><g><g>\n<metadata>\n<x:any xmlns:x="urn:x">\n'
            '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>\n'
            "</x:any></metadata></g></g></g>"
        ),
        [(5, "XHTML element <script>")],
        id="xhtml-script-deep",
    ),
    pytest.param(
        _svg('<g xml:base="https://evil.example/">\n<use href="#a"/></g>'),
        [(2, "'xml:base'")],
        id="xml-base",
    ),
    pytest.param(
        _svg('<x:thing xmlns:x="urn:x"\n x:src="http://evil.example/x"/>'),
        [(2, "'x:src' refers to 'http://evil.example/x'")],
        id="foreign-src",
    ),
]


@pytest.mark.parametrize(("svg", "expected"), HOSTILE)
def test_hostile_drawings_are_refused_where_the_culprit_is(
    svg: str, expected: list[tuple[int, str]]
) -> None:
    problems = svg_problems(svg.encode())
    assert [line for line, _, _ in problems] == [line for line, _ in expected], problems
    for (_, column, message), (_, culprit) in zip(problems, expected, strict=True):
        assert culprit in message, problems
        assert column >= 1


PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"

SAFE = [
    pytest.param(
        _svg('<rect x="1" y="1" width="8" height="8" fill="#c00" stroke="black"/>'), id="plain"
    ),
    pytest.param(
        _svg(
            '<defs>\n<linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient>\n'
            '<clipPath id="c"><circle r="5"/></clipPath>\n'
            '<marker id="m"><path d="M0 0L5 5"/></marker>\n'
            '<symbol id="s"><rect width="3" height="3"/></symbol>\n</defs>\n'
            '<style>.a { fill: url(#g) } .b { clip-path: url( "#c" ) }</style>\n'
            '<use href="#s"/><use xlink:href=" #s "/>\n'
            '<path d="M0 0L9 9" fill="url(#g)" clip-path="url(#c)" marker-end="url(\'#m\')"'
            ' style="stroke: url(#g)"/>\n<a href="#s"><text>top</text></a>'
        ),
        id="internal-references",
    ),
    pytest.param(
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        "<!-- Created with Inkscape (http://www.inkscape.org/) -->\n"
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:svg="http://www.w3.org/2000/svg"\n'
        ' xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"\n'
        ' xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"\n'
        ' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        ' xmlns:cc="http://creativecommons.org/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        ' width="210mm" height="297mm" viewBox="0 0 210 297" version="1.1" id="svg8"\n'
        ' inkscape:version="1.0 (4035a4fb49, 2020-05-01)" sodipodi:docname="arm.svg"\n'
        ' inkscape:export-filename="/home/me/arm.png">\n'
        '<sodipodi:namedview id="base" pagecolor="#ffffff" inkscape:zoom="0.35"'
        ' inkscape:current-layer="layer1" showgrid="false"/>\n'
        '<metadata id="metadata5"><rdf:RDF><cc:Work rdf:about="">'
        "<dc:format>image/svg+xml</dc:format>"
        '<dc:type rdf:resource="http://purl.org/dc/dcmitype/StillImage"/>'
        "<dc:title>Arm</dc:title></cc:Work></rdf:RDF></metadata>\n"
        '<g inkscape:label="Layer 1" inkscape:groupmode="layer" id="layer1">\n'
        '<path sodipodi:type="arc" sodipodi:open="true" sodipodi:cx="5" d="M 0,0 5,5"'
        ' inkscape:connector-curvature="0" style="fill:#000000;stroke-width:0.26"/>\n'
        "</g>\n</svg>\n",
        id="inkscape",
    ),
    pytest.param(
        _svg(f'<image width="10" height="10" xlink:href="\n  {PNG}\n  AAAA=="/>'),
        id="embedded-png",
    ),
    pytest.param(
        _svg(
            '<image href="data:image/JPEG;base64,/9j/4AAQ"/>\n'
            '<filter id="f"><feImage href="data:image/webp;base64,UklGR"/>\n'
            '<feImage href="#s"/><feGaussianBlur stdDeviation="2"/><feOffset dx="1"/>\n'
            "<feMerge><feMergeNode/><feMergeNode in='SourceGraphic'/></feMerge></filter>"
        ),
        id="filters-and-raster-data",
    ),
    pytest.param(
        '<?xml version="1.0" standalone="no"?>\n'
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"'
        ' "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + _svg("<rect/>"),
        id="doctype-public",
    ),
    pytest.param(
        "<!DOCTYPE svg [\n<!ELEMENT svg ANY>\n<!ATTLIST svg version CDATA '1.1'>\n]>\n"
        + _svg("<rect/>"),
        id="doctype-internal-without-entities",
    ),
    pytest.param(
        '<?xml version="1.0"?>\n<!-- <script>alert(1)</script> url(http://x/) -->\n'
        + _svg("<!-- onload='x()' -->\n<circle r='3'/>"),
        id="declaration-and-comments",
    ),
    pytest.param(
        _svg(
            '<defs><path id="p" d="M0 50H100"/></defs>\n'
            '<text x="5" y="20" font-family="sans-serif">Radial <tspan font-weight="bold">'
            "nerve</tspan> &amp; &#x2192; artery</text>\n"
            '<text><textPath href="#p">along the line</textPath></text>'
        ),
        id="text",
    ),
    pytest.param(
        _svg(
            "<switch><g><title>A title</title><desc>Reach https://example.org for more</desc>"
            "</g></switch>\n<style><![CDATA[ text > tspan { font: 12px sans-serif } ]]></style>"
        ),
        id="switch-title-desc",
    ),
    pytest.param('<svg>\n<g><rect width="1" height="1"/></g>\n</svg>', id="no-namespace"),
    pytest.param(
        _svg('<x:note xmlns:x="urn:x" x:href="#a" x:open="true"><y xmlns="">z</y></x:note>'),
        id="foreign-elements",
    ),
]


@pytest.mark.parametrize("svg", SAFE)
def test_safe_drawings_pass(svg: str) -> None:
    assert svg_problems(svg.encode()) == []


def test_other_encodings_are_read() -> None:
    svg = '<?xml version="1.0" encoding="UTF-16"?>\n' + _svg("<text>Ünterarm</text>")
    assert svg_problems(svg.encode("utf-16")) == []
    assert svg_problems(_svg("<script/>").encode("utf-16"))[0][:2] == (2, 1)


def test_the_builtin_diagrams_pass() -> None:
    files = sorted(Path(deckgen.kinds.diagrams.__file__).parent.glob("*.svg"))
    assert files
    for path in files:
        assert svg_problems(path.read_bytes()) == [], path.name


def test_problem_columns() -> None:
    # Elements and their attributes: where the start tag begins.
    assert [p[:2] for p in svg_problems(_svg('<g>\n    <rect onclick="x()"/></g>').encode())] == [
        (3, 5)
    ]
    # Inside a <style>: where url( begins.
    style = _svg("<style>\n  .a {\n    fill: url(http://x/); }\n</style>").encode()
    assert [p[:2] for p in svg_problems(style)] == [(4, 11)]
    # Malformed XML: expat's own position (here the end tag's name), made 1-based.
    assert svg_problems(b"<svg>\n  <g></svg>") == [(2, 8, "not well-formed XML: mismatched tag")]


def test_entity_bombs_are_refused_before_they_expand() -> None:
    lines = BILLION_LAUGHS.splitlines()
    declared = next(n for n, line in enumerate(lines, start=1) if line.startswith("<!ENTITY"))
    used = next(n for n, line in enumerate(lines, start=1) if "&lol9;" in line)
    problems = svg_problems(BILLION_LAUGHS.encode())
    # Refused where the first entity is declared, lines before any is used: the parser
    # stops there, and expands nothing.
    assert declared < used
    assert problems == [
        (declared, problems[0][1], "the SVG declares entities (a DOCTYPE with ENTITY); remove it")
    ]


def test_problems_come_in_document_order() -> None:
    svg = _svg(
        "<style>.a { fill: url(http://x/) }</style>\n<script/>\n"
        '<rect fill="url(http://y/)" onclick="z()"/>'
    )
    problems = svg_problems(svg.encode())
    assert problems == sorted(problems, key=lambda p: p[:2])
    assert [message.split()[0] for _, _, message in problems] == [
        "<style>",
        "<script>",
        "attribute",
        "attribute",
    ]


def test_the_allowlist_holds_only_static_elements() -> None:
    assert {"script", "foreignObject", "animate", "set", "handler", "iframe"}.isdisjoint(ALLOWED)
    assert {"feImage", "image", "a", "use", "style", "feDropShadow"} <= ALLOWED


def _use_levels(levels: int, fan_out: int) -> bytes:
    """Groups that each use the one before `fan_out` times: fan_out ** levels shapes."""
    groups = ['<g id="l0"><rect width="1" height="1"/></g>']
    for level in range(1, levels + 1):
        uses = "".join(f'<use href="#l{level - 1}"/>' for _ in range(fan_out))
        groups.append(f'<g id="l{level}">{uses}</g>')
    body = "".join(groups)
    top = f'<use href="#l{levels}"/>'
    return f'<svg xmlns="{SVG}" viewBox="0 0 9 9"><defs>{body}</defs>{top}</svg>'.encode()


def test_use_of_an_element_that_holds_a_use_is_refused() -> None:
    """Nine levels of ten <use> draw a billion shapes: references of references are
    refused, wherever the referenced element stands."""
    bomb = svg_problems(_use_levels(9, 10))
    assert bomb and all("holds a <use> itself" in message for _, _, message in bomb)
    assert [message for _, _, message in svg_problems(_use_levels(2, 1))] == [
        f"<use> refers to '#l{level}', which holds a <use> itself: references of references "
        "multiply; refer to drawing elements only"
        for level in (1, 2)
    ]
    reuse = '<defs><g id="a"><rect/></g></defs>' + '<use href="#a"/>' * 10
    plain = f'<svg xmlns="{SVG}" viewBox="0 0 9 9">{reuse}</svg>'.encode()
    assert svg_problems(plain) == []  # reusing a drawing is a plain drawing
