"""yamlfast: every file the fast path (yaml-rs) accepts reads exactly as the careful path
(PyYAML, `read_yaml(fast=False)`) reads it: the same data, type for type and key for key,
no problem, nothing in `Document.numbers` or `Document.unstorable`; every other file is
left to the careful path.

Differential: YAML texts drawn from a grammar of note-like documents (block and flow
mappings and lists; plain, quoted, literal and folded scalars; the scalars on which YAML
1.1, YAML 1.2 and deckgen part; comments, empty values, duplicate keys, anchors, aliases,
tags, document markers, line endings), some of them then damaged a character or a line at
a time; and every YAML file of the shipped deck, the bad-input corpus and a synthetic deck.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from benchmarks.synth import generate
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from deckgen.source import yamlfast
from deckgen.source.yamldoc import Document, KeyPath, Loaded, read_yaml
from deckgen.source.yamllimits import MAX_NODES

REPO = Path(__file__).resolve().parent.parent


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 is not 1.0 nor True; key order
    counts; a float is compared by its text, so that NaN equals NaN and -0.0 is not 0.0)."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    if type(a) is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is float:
        return repr(a) == repr(b) or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


def key_paths(data: Any, path: KeyPath = ()) -> list[KeyPath]:
    found = [path]
    if type(data) is dict:
        for key, value in data.items():
            found += key_paths(value, (*path, key))
    elif type(data) is list:
        for index, value in enumerate(data):
            found += key_paths(value, (*path, index))
    return found


def assert_same_document(fast: Document, careful: Document) -> None:
    assert same(fast.data, careful.data)
    assert (fast.path, fast.root, fast.digest) == (careful.path, careful.root, careful.digest)
    assert (fast.numbers, fast.unstorable) == (careful.numbers, careful.unstorable)
    for path in [*key_paths(careful.data), ("no such key",)]:
        assert fast.position(path) == careful.position(path), path
        assert fast.position(path, at_key=True) == careful.position(path, at_key=True), path


def assert_same_loaded(fast: Loaded, careful: Loaded) -> None:
    assert [str(p) for p in fast.errors] == [str(p) for p in careful.errors]
    assert [str(p) for p in fast.warnings] == [str(p) for p in careful.warnings]
    assert (fast.doc is None) == (careful.doc is None)
    if fast.doc is not None and careful.doc is not None:
        assert_same_document(fast.doc, careful.doc)


def check_agrees(path: Path, text: str) -> bool:
    """Whether the fast path accepts `text`; if it does, the careful path reads the file
    (which holds `text`) alike and finds nothing wrong."""
    data = yamlfast.parse(text)
    if data is None:
        return False
    path.write_bytes(text.encode("utf-8"))
    careful = read_yaml(path, fast=False)
    assert careful.errors == [], (text, careful.errors)
    assert careful.doc is not None
    assert same(data, careful.doc.data), (text, data, careful.doc.data)
    assert careful.doc.numbers == {}, (text, careful.doc.numbers)
    assert careful.doc.unstorable == set()
    return True


# --- Every file at hand --------------------------------------------------------------


def _corpus() -> list[Path]:
    found = sorted((REPO / "cards").rglob("*.yaml"))
    found += sorted((REPO / "tests" / "bad_inputs").rglob("*.yaml"))
    found += sorted((REPO / "tests" / "data").rglob("*.yaml"))
    found += sorted((REPO / "src" / "deckgen" / "authoring" / "starter_deck").rglob("*.yaml"))
    return found


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_yaml_file_here_reads_the_same_both_ways(path: Path) -> None:
    root = path.parent
    assert_same_loaded(read_yaml(path, root=root), read_yaml(path, root=root, fast=False))


def test_the_fast_path_reads_every_card_of_the_shipped_deck() -> None:
    """The shipped deck, and so decks like it, never needs the careful path."""
    refused = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / "cards").rglob("*.yaml"))
        if yamlfast.parse(path.read_text(encoding="utf-8")) is None
    ]
    assert refused == []


def test_a_synthetic_deck_reads_the_same_and_fast(tmp_path: Path) -> None:
    synthetic = generate(tmp_path / "cards", 300)
    for path in sorted(synthetic.cards.rglob("*.yaml")):
        assert check_agrees(tmp_path / "copy.yaml", path.read_text(encoding="utf-8")), path


# --- Example-based: what the fast path refuses, and why -------------------------------

REFUSED = {
    "an alias": "base: &b x\ncopy: *b\n",
    "an anchor defined twice (PyYAML refuses it)": "a: &x 1\nb: &x 2\n",
    "an anchor": "a: &x text\n",
    "a merge key": "base: {a: 1}\nnote:\n  <<: {b: 2}\n",
    "a quoted merge key": "'<<': x\n",
    "a tag": "a: !!str 1\n",
    "a local tag": "a: !local x\n",
    "a binary tag": "a: !!binary aGVsbG8=\n",
    "a tag on a list item": "- !!int 3\n",
    "a directive": "%YAML 1.2\n---\na: 1\n",
    "a second document": "a: 1\n---\nb: 2\n",
    "a document end": "a: 1\n...\n",
    "a duplicate key": "a: 1\nb: 2\na: 3\n",
    "a duplicate key in a flow mapping": "n: {a: 1, a: 2}\n",
    "keys equal once made text": "1: one\n'1': uno\n",
    "a number key": "1: one\n",
    "a null key": "~: nothing\n",
    "a boolean key": "true: yes\n",
    "a list as a key": "? [a, b]\n: c\n",
    "a number YAML 1.2 reads that deckgen keeps as text": "a: 1_000\n",
    "a binary number": "a: 0b101\n",
    "a number led by an underscore (yaml-rs reads 1)": "a: [_1, 1]\n",
    "an upper-case hexadecimal prefix": "a: 0X1F\n",
    "a signed hexadecimal number": "a: +0x1f\n",
    "an infinity in mixed case": "a: .iNf\n",
    "a number whose text is lost (Document.numbers)": "version: 1.10\n",
    "an octal number": "a: 0o17\n",
    "a leading zero": "a: 012\n",
    "an exponent": "a: 1e3\n",
    "an infinity": "a: .inf\n",
    "not a number": "a: .nan\n",
    "a negative zero": "a: -0\n",
    "an escaped control character": 'a: "bell \\x07"\n',
    "an escaped unit separator": 'a: "\\x1f"\n',
    "an escaped surrogate": 'a: "\\ud83d\\ude00"\n',
    "an escaped NEL": 'a: "\\N"\n',
    "a noncharacter": "a: \ufdd0\n",
    "a control character": "a: b\x01c\n",
    "a C1 control character": "a: b\x80c\n",
    "a NEL": "a: b\x85c\n",
    "a line separator": "a: b\u2028c\n",
    "a byte-order mark": "\ufeffa: 1\n",
    "a tab": "a:\tb\n",
    "a carriage return": "a: b\r\nc: d\r\n",
    "a syntax error": "a: b: c\n",
    "an unclosed quote": "a: 'b\n",
    "an empty file": "",
    "only a comment": "# nothing\n",
    "a null document": "~\n",
    "a text document": "just text\n",
    "a number document": "3\n",
    "a merge key as a value (PyYAML has no constructor for it)": "a: <<\n",
    "a question mark in a flow list (PyYAML reads a key)": "a: [what?]\n",
    "a flow item starting with an indicator (PyYAML refuses it)": "a: [>x]\n",
    "a nested flow collection": "a: [[b]]\n",
    "a flow collection over lines": "a: [b,\n  c]\n",
    "an empty block scalar at the end (yaml-rs reads a line break)": "a: |\n",
    "a block scalar at the end without a line break": "a: |\n  text",
    "an empty block scalar as the last key": "? |\n",
    "deep nesting": "a: " + "[" * (yamlfast.MAX_DEPTH + 1) + "]" * (yamlfast.MAX_DEPTH + 1) + "\n",
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=list(REFUSED))
def test_what_the_fast_path_leaves_to_the_careful_path(text: str) -> None:
    assert yamlfast.parse(text) is None


ACCEPTED: dict[str, tuple[str, Any]] = {
    "YAML 1.1 booleans stay text": (
        "a: [yes, No, on, OFF, y]\n",
        {"a": ["yes", "No", "on", "OFF", "y"]},
    ),
    "dates stay text": (
        "a: 2024-01-01\nb: 2024-01-01 10:00:00\n",
        {"a": "2024-01-01", "b": "2024-01-01 10:00:00"},
    ),
    "sexagesimal stays text": ("a: 1:20\n", {"a": "1:20"}),
    "nulls": ("a: ~\nb: null\nc: NULL\nd:\n", {"a": None, "b": None, "c": None, "d": None}),
    "numbers as Python writes them": (
        "a: [3, -4, 1.5, -0.5, 1e+16, 0.0]\nb: {x: 0.354}\n",
        {"a": [3, -4, 1.5, -0.5, 1e16, 0.0], "b": {"x": 0.354}},
    ),
    "a big integer": ("a: 123456789012345678901234567890\n", {"a": 123456789012345678901234567890}),
    "numbers in text": (
        "a: Seed 004, 1.10 or 1_000 cun\nb: who-2008\n",
        {"a": "Seed 004, 1.10 or 1_000 cun", "b": "who-2008"},
    ),
    "quoted numbers": ("a: '1.10'\nb: \"012\"\n", {"a": "1.10", "b": "012"}),
    "Markdown emphasis": (
        "a: some *emphasis* and **bold**\n",
        {"a": "some *emphasis* and **bold**"},
    ),
    "an ampersand and a bang in text": ("a: Q & A, R&D! ok\n", {"a": "Q & A, R&D! ok"}),
    "a literal block": ("a: |\n  one\n  two\n", {"a": "one\ntwo\n"}),
    "a folded block": ("a: >-\n  one\n  two\n", {"a": "one two"}),
    "escapes": ('a: "caf\\u00e9 \\"q\\" \\\\"\n', {"a": 'café "q" \\'}),
    "a leading document start": ("---\na: 1\n", {"a": 1}),
    "a list at the top": ("- a\n- b: c\n", ["a", {"b": "c"}]),
    "an empty mapping": ("{}\n", {}),
    "flow collections as notes have them": (
        "tags: [topic::safety, 'b c', \"d\"]\ndiagram: {name: face-front, x: 0.5}\n",
        {"tags": ["topic::safety", "b c", "d"], "diagram": {"name": "face-front", "x": 0.5}},
    ),
    "Unicode": (
        "hanzi: 四白\npinyin: Sìbái\ndepth: 0.5–1 cun 😀\n",
        {"hanzi": "四白", "pinyin": "Sìbái", "depth": "0.5–1 cun 😀"},
    ),
}


@pytest.mark.parametrize(("text", "data"), ACCEPTED.values(), ids=list(ACCEPTED))
def test_what_the_fast_path_reads(text: str, data: Any, tmp_path: Path) -> None:
    assert same(yamlfast.parse(text), data)
    assert check_agrees(tmp_path / "doc.yaml", text)


def test_too_many_values_go_the_careful_way(tmp_path: Path) -> None:
    """The careful path refuses a file of more than MAX_NODES values: so does this one."""
    text = "[" + ", ".join(["x"] * MAX_NODES) + "]\n"
    assert yamlfast.parse(text) is None
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    assert [p.message for p in read_yaml(path).errors] == [
        f"YAML aliases expand to more than {MAX_NODES:,} values"
    ]
    fewer = "[" + ", ".join(["x"] * (MAX_NODES - 1)) + "]\n"
    assert check_agrees(path, fewer)


# --- Differential property ------------------------------------------------------------


def _each(words: str) -> list[str]:
    return words.split()


#: Scalars on which YAML 1.1, YAML 1.2, yaml-rs and deckgen part, and some that are fine.
TRICKY = [
    *_each("yes No on off y n Y ~ null Null NULL nULL true False TRUE tRUE"),
    *_each("0 00 3 -3 +3 42 -0 012 0o17 -0o17 0O17 0x1F 0X1F +0x1f 0x 0o 0b101 0b"),
    *_each("1_000 _1 1_ 1__0 0.1_0 1e1_0 0x_1f 1.10 1.5 -1.5 +1.5 0.354 1. -.5 +.5 .5"),
    *_each("1e3 1E3 1e+3 1.0e3 1.e3 .5e3 1e400 1e16 1e+16 1e-05 0.0001 0.0 -0.0 01.5 0e0"),
    *_each(".inf -.inf +.inf .Inf .INF .iNf .nan .NaN .NAN -.nan inf nan . .. .e3 e3"),
    *_each("99999999999999999999 -9223372036854775808 9223372036854775807 2024-01-01"),
    "2024-01-01T10:00:00Z", "2024-01-01 10:00:00", "2001-12-14 21:59:43.10 -5", "1:20",
    "12:30:00", "190:20:30", "- a", "-a", "--", "?", "? a", ":", ":a", "a:b", "a: b", "a #b",
    "a#b", "#", "'", '"', "[a]", "{a: b}", "*a", "&a", "!a", "!!str", "%x", "@x", "`x", "|",
    ">", "<<", "Q&A", "Hello!", "*emph*", "**bold**", "0.5–1 cun", "四白", "é", "😀",
    "a\tb", "\t", " ", "", "x\u2028y", "x\x85y", "\ufeff", "\x1f", "\x7f", "\x80", "\x9f",
    "\ufdd0", "\ufffe", "\U0001fffe", "\\", "a\\b", "seed 004", "per 100,000.", "[1, 2]",
    "<b>", "1.5 cun", "B-cun", "ST2", "LI4", "null null", "~ x", "true false",
]  # fmt: skip
#: Escapes for double-quoted text, valid and not.
ESCAPES = [
    *_each(r"\\ \" \/ \0 \a \b \t \n \v \f \r \e \N \_ \L \P \x41 \x1f \x85 \u00e9 \u2028"),
    *_each(r"\ud800 \udfff \ud83d\ude00 \U0001F600 \U0001FFFE \uFDD0 \uFFFE \q \x4 \' \xZZ"),
    "\\ ",
    "\\\t",
    "\\\n",
]
ALPHABET = "abAB019 :-#'\"\\,[]{}*&!%@`|>?.+_<~/=\té四–😀\xa0\r\x85\u2028\ufeff\x1f\x00\ufdd0\n"


#: Text such as notes hold.
CLEAN = "abcxyzAB é四–019.,:-()/'*"


def _words(wild: bool) -> st.SearchStrategy[str]:
    """Words such as notes hold, and the scalars on which readings part; anything at all
    in a wild document."""
    words = st.text(alphabet=CLEAN, min_size=1, max_size=16)
    if wild:
        return st.one_of(words, st.sampled_from(TRICKY), st.text(alphabet=ALPHABET, max_size=8))
    return st.one_of(words, st.sampled_from(TRICKY))


@st.composite
def _scalar(draw: st.DrawFn, indent: int, wild: bool) -> tuple[str, list[str]]:
    """A scalar: its text on the line, and lines after it (a block scalar's)."""
    text = draw(_words(wild))
    style = draw(st.sampled_from(["plain", "plain", "single", "double", "block", "lines"]))
    if style == "single":
        return "'" + text.replace("'", "''" if draw(st.integers(0, 9)) else "'") + "'", []
    if style == "double":
        parts = draw(st.lists(st.one_of(_words(wild), st.sampled_from(ESCAPES)), max_size=4))
        body = "".join(parts)
        return '"' + (body.replace('"', '\\"') if draw(st.integers(0, 9)) else body) + '"', []
    if style == "block":
        header = draw(st.sampled_from(["|", "|-", "|+", ">", ">-", ">+", "|2", ">1-", "| # c"]))
        pad = " " * (indent + draw(st.sampled_from([1, 2, 4])))
        lines = draw(st.lists(_words(wild), max_size=4))
        blank = draw(st.sampled_from(["", " ", "  "]))
        return header, [pad + line if line else blank for line in lines]
    if style == "lines":  # plain or quoted, over lines (folded into one)
        quote = draw(st.sampled_from(["", "", "'", '"']))
        pad = " " * (indent + draw(st.sampled_from([0, 1, 2])))
        lines = draw(st.lists(_words(wild), min_size=1, max_size=3))
        more = [pad + line if line else "" for line in lines]
        if quote:
            more[-1] += quote
        return quote + text, more
    if draw(st.integers(0, 49)) == 0:
        return text + "x" * draw(st.sampled_from([1020, 1030])), []  # past PyYAML's key limit
    return text, []


@st.composite
def _flow(draw: st.DrawFn, depth: int, wild: bool) -> str:
    inner: st.SearchStrategy[str] = _flow_scalar(wild)
    if depth > 0 and draw(st.integers(0, 3)) == 0:
        inner = st.one_of(_flow(depth - 1, wild), inner)
    if draw(st.booleans()):
        items = draw(st.lists(inner, max_size=4))
        return "[" + draw(st.sampled_from([", ", ", ", ",", " ,\n  "])).join(items) + "]"
    pairs = draw(st.lists(st.tuples(_key(wild), inner), max_size=3))
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"


@st.composite
def _flow_scalar(draw: st.DrawFn, wild: bool) -> str:
    text, _ = draw(_scalar(0, wild).filter(lambda scalar: not scalar[1]))
    return text


@st.composite
def _key(draw: st.DrawFn, wild: bool) -> str:
    names = ["a", "b", "c", "id", "text", "sources", "tags", "x", "四白", "a b", "'a'", '"b"']
    odd = ["1", "'1'", "~", "null", "true", "1.5", "<<", "'<<'", "? a", "[a, b]", "{a: b}"]
    if wild:
        return draw(st.one_of(st.sampled_from(names + odd), _words(wild)))
    return draw(st.sampled_from(names) if draw(st.integers(0, 9)) else st.sampled_from(odd))


@st.composite
def _block(draw: st.DrawFn, indent: int, depth: int, wild: bool) -> list[str]:
    """The lines of a block mapping or list at `indent`."""
    pad = " " * indent
    step = draw(st.sampled_from([1, 2, 2, 4]))
    lines: list[str] = []
    mapping = draw(st.booleans())
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        lead = f"{pad}{draw(_key(wild))}:" if mapping else f"{pad}-"
        prop = ""
        if draw(st.integers(0, 19 if wild else 99)) == 0:
            prop = draw(st.sampled_from(["&a ", "*a", "!!str ", "!x ", "&b "]))
        kind = draw(st.sampled_from(["scalar", "scalar", "scalar", "flow", "empty", "block"]))
        if kind == "block" and depth > 0:
            inner = indent + (0 if mapping and draw(st.booleans()) else step)
            lines.append(lead + (" " + prop.strip() if prop else ""))
            lines += draw(_block(inner, depth - 1, wild))
        elif kind == "flow":
            lines.append(f"{lead} {prop}{draw(_flow(2, wild))}")
        elif kind == "empty":
            lines.append(lead)
        else:
            text, more = draw(_scalar(indent, wild))
            lines.append(f"{lead} {prop}{text}")
            lines += more
        if draw(st.integers(min_value=0, max_value=5)) == 0:
            lines[-1] += draw(st.sampled_from([" # note", "  #", " #: x", "# not a comment"]))
        if draw(st.integers(min_value=0, max_value=6)) == 0:
            lines.append(draw(st.sampled_from(["", "# comment", f"{pad}# comment", "  "])))
    return lines


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A YAML text: mostly note-like; one in four wild (any character, anchors, aliases,
    tags, document markers, carriage returns); some damaged a little."""
    wild = draw(st.integers(0, 3)) == 0
    text = "\n".join(draw(_block(0, 3, wild))) + "\n"
    if draw(st.integers(0, 4)) == 0:
        start = ["---\n", "# c\n", "--- ", "%YAML 1.2\n---\n", "...\n"]
        end = ["", "\n", "...\n", "---\nb: 2\n", "\n  # c\n", " "]
        text = draw(st.sampled_from(start)) + text + draw(st.sampled_from(end))
        if wild and draw(st.booleans()):
            text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\x85", "\u2028"])))
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):  # damage it a little
        at = draw(st.integers(min_value=0, max_value=len(text)))
        what = draw(st.sampled_from(["insert", "delete", "line"]))
        if what == "insert":
            text = text[:at] + draw(st.sampled_from(ALPHABET)) + text[at:]
        elif what == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            start_of_line = text.rfind("\n", 0, at) + 1
            text = text[:start_of_line] + text[start_of_line:at].strip(" ") + text[at:]
    return text


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=documents())
def test_whatever_the_fast_path_accepts_reads_as_the_careful_path_reads_it(
    text: str, tmp_path: Path
) -> None:
    accepted = check_agrees(tmp_path / "doc.yaml", text)
    event("accepted" if accepted else "left to the careful path")


@pytest.mark.slow
@settings(
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=documents())
def test_the_same_at_length(text: str, tmp_path: Path) -> None:
    check_agrees(tmp_path / "doc.yaml", text)


def test_every_tricky_scalar_in_every_place(tmp_path: Path) -> None:
    """Each scalar on which readings part, as a value and a key wherever one may stand,
    plain and quoted: the fast path reads it as the careful path does, or leaves it."""
    places = [
        "a: {}\n", "- {}\n", "a:\n  {}\n", "a: [{}]\n", "a: [x, {}]\n", "a: [{}, x]\n",
        "a: {{k: {}}}\n", "a: {} # c\n", "- - {}\n", "{}: a\n", "a: {{{}: v}}\n", "? {}\n",
    ]  # fmt: skip
    accepted = 0
    for scalar in TRICKY:
        for written in (scalar, f"'{scalar}'", f'"{scalar}"'):
            for place in places:
                accepted += check_agrees(tmp_path / "doc.yaml", place.format(written))
    assert accepted > len(TRICKY) * len(places)  # most of them: the test tests something
