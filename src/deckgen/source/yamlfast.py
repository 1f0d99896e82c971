"""The fast path for parsing a YAML note file: yaml-rs (a Rust parser), for the common case.

`parse` gives the data exactly as `yamldoc.read_yaml` builds it (same types, same values,
same key order) for a file it accepts, and None for a file it leaves to the careful path:
PyYAML, which reports duplicate keys, expands aliases within a budget, resolves merge keys
and says where any problem is. It accepts only what yaml-rs and deckgen's reading of YAML
agree on (each rule below is a difference found, or one that could not be ruled out):

- on the text, cheaply: no character PyYAML's reader refuses; no tag, anchor, directive,
  second document or merge key; no tab, carriage return, byte-order mark, NEL, line or
  paragraph separator (the scanners of YAML 1.1 and 1.2 part on them); no escaped
  surrogate (yaml-rs pairs them); no block scalar in a text without a final line break
  (yaml-rs adds one); flow collections only on one line, not nested, of plain text that
  no indicator starts and no `?` is in, or of quoted text (PyYAML refuses some that
  yaml-rs reads, and reads `?` as a key);
- of yaml-rs: no alias (its replay limit is 0), no duplicate key (an error), no timestamp
  (kept as text), and no error at all: the careful path words errors with a line and
  column;
- on the data: a mapping or a list at the top, text keys, no more values than the
  careful path builds nor deeper nesting than it reaches, no unstorable character (the
  careful path reports it), no empty block scalar at the end (yaml-rs reads a line break),
  and every number written as Python writes it: yaml-rs reads `1_000`, `0b11` and
  `+0x1f` as numbers where deckgen keeps the text, and a number such as `1.10` goes into
  `Document.numbers`.

`tests/test_yamlfast.py` checks, against the careful path, every file it accepts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml_rs

from deckgen.source.yamllimits import MAX_NODES, MAY_HOLD_UNSTORABLE, UNSTORABLE

#: Deeper than any note, and far from where the careful path's recursion gives up.
MAX_DEPTH = 50

#: No alias is replayed: one is an error, and the file goes the careful way.
_NO_ALIASES = yaml_rs.AliasLimits(max_total_replayed_events=0)

#: Characters PyYAML's reader refuses (its `Reader.NON_PRINTABLE`); yaml-rs takes them.
_NON_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: The bytes of the UTF-8 text that need a closer look: ASCII controls but line feed, `!`
#: and `&` (tags, anchors), `\\` (escapes), and the lead bytes of U+0080-U+00BF (C1
#: controls and NEL), U+2000-U+2FFF (line and paragraph separators), U+F000-U+FFFF
#: (noncharacters, byte-order mark, specials) and the astral planes (noncharacters).
_LOOK_BYTES = bytes([*range(0x0A), *range(0x0B, 0x20), 0x7F, 0xC2, 0xE2, 0xEF, *range(0xF0, 0x100)])
_NOT_LOOK = bytes(b for b in range(0x100) if b not in _LOOK_BYTES and b not in b"!&\\")
#: In UTF-8: U+0080-U+009F (C1 controls, NEL), U+2028 and U+2029 (line and paragraph).
_C1 = re.compile(b"\xc2[\x80-\x9f]")
_SEPARATORS = re.compile(b"\xe2\x80[\xa8\xa9]")
#: In UTF-8: U+FDD0-U+FDEF, U+FEFF, U+FFFE and U+FFFF.
_SPECIALS = re.compile(b"\xef(?:\xb7[\x90-\xaf]|\xbb\xbf|\xbf[\xbe\xbf])")
#: Where the scanners of YAML 1.1 (PyYAML) and 1.2 (yaml-rs) part, or that yaml-rs reads
#: as text where PyYAML drops it: tabs, carriage returns, NEL, the line and paragraph
#: separators, and a byte-order mark within the text.
_SCANNERS_DIFFER = re.compile("[\t\r\x85\u2028\u2029\ufeff]")
#: An escaped surrogate: PyYAML reads `\\ud83d\\ude00` as two (unstorable) halves, yaml-rs as
#: one character.
_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")
#: A tag (`!`, `!!int`, `!local`) or an anchor (`&name`, which PyYAML may not define
#: twice) where a value can start: at a line's indentation or after an indicator. Also
#: matches `!` and `&` in some text; that text goes the careful way too. (An alias is an
#: error for yaml-rs, with no alias replayed.)
_PROPERTY = re.compile(r"(?:^[ \t]*|[-?:,\[{][ \t]*)[!&]", re.MULTILINE)
#: What starts a flow collection where a value can start, as its line has it before the
#: `[` or `{`: indentation and indicators, or a key. Also matches some texts. (Flow
#: collections are checked on the UTF-8 bytes, which the patterns read alike.)
_VALUE_START = re.compile(rb"[ \t]*(?:[-?][ \t]+)*|.*:[ \t]+")
#: A flow collection on which the parsers agree: on one line, not nested, of plain text
#: that no indicator starts and no `?`, `#` or `: ` is in (PyYAML refuses some that yaml-rs
#: reads, and reads `?` as a key), or quoted text without escapes; then the line's end.
_FLOW_PLAIN = (
    rb"(?:[^\s\-?:,\[\]{}#&*!|>'\"%@`]|-(?=[^\s,\[\]{}?]))"
    rb"(?:[^\s,\[\]{}#:?]|:(?=[^\s,\[\]{}?])|[ \t]+(?=[^\s,\[\]{}#:?]))*"
)
_FLOW_SCALAR = rb"(?:" + _FLOW_PLAIN + rb"|'(?:[^'\n]|'')*'|\"[^\"\\\n]*\")"
_FLOW_PAIR = _FLOW_SCALAR + rb":[ \t]+" + _FLOW_SCALAR
_SAFE_FLOW = re.compile(
    rb"(?:\[[ \t]*(?:" + _FLOW_SCALAR + rb"(?:[ \t]*,[ \t]*" + _FLOW_SCALAR + rb")*[ \t]*)?\]"
    rb"|\{[ \t]*(?:" + _FLOW_PAIR + rb"(?:[ \t]*,[ \t]*" + _FLOW_PAIR + rb")*[ \t]*)?\})"
    rb"(?:[ \t]+#[^\n]*)?[ \t]*(?:\n|\Z)"
)
#: A directive or a document marker, but at the start (`---` may start the one document).
_MARKER = re.compile(rb"\n(?:---|\.\.\.|%)")
#: What may be a plain scalar starting as a number may for yaml-rs (`_1` is 1): after where
#: a value can start (a line's indentation, an indicator, an anchor) and before where it
#: can end (the line's end, a comment, a flow indicator or `:`). Also matches some words in
#: texts; a file with such a word that is not a number written as Python writes it goes
#: the careful way too.
_NUMBERISH = re.compile(
    r"(?:^|[-?:][ \t]|[\"'\]}]:|[\[{,]|&\S+[ \t])[ \t]*"
    r"([-+._0-9][^\s,\[\]{}:]*)[ \t]*(?=$|[#,\]}:])",
    re.MULTILINE,
)
#: A superset of what yaml-rs reads as a number, without the sign (see `_yaml_rs_number`).
_RS_PREFIXED = re.compile(r"0[xXoObB][0-9a-fA-F_]*")
_RS_DECIMAL = re.compile(r"[0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9_]*)?")
#: The only integers whose text Python writes back the same.
_CANONICAL_INT = re.compile(r"0|-?[1-9][0-9]*")
#: deckgen's YAML 1.2 core schema (`yamlloader`): an integer wins over a float.
_CORE_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_CORE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")


class _Refused(Exception):
    """The data holds something the careful path reads differently or reports."""


def parse(text: str) -> dict[str, Any] | list[Any] | None:
    """The data of a file's decoded text (without its byte-order mark) as the careful path
    builds it, or None when the careful path must read it."""
    check_text = _check_text(text)
    if check_text is None:
        return None
    try:
        data = yaml_rs.loads(text, parse_datetime=False, alias_limits=_NO_ALIASES)
    except Exception:  # any error, in any words: the careful path says where it is
        return None
    if type(data) is not dict and type(data) is not list:  # an empty file, or one value
        return None
    numbers: list[int | float] = []
    try:
        nodes = 1 + _children(data, 1, numbers, UNSTORABLE.search if check_text else None)
    except (_Refused, RecursionError):
        return None
    if nodes > MAX_NODES or (numbers and not _numbers_as_written(text, numbers)):
        return None
    if _ends_in_empty_block(data):
        return None
    return data


def _check_text(text: str) -> bool | None:
    """None if the text has a character or construct on which the parsers part (see the
    module's doc), else whether its values may hold an unstorable character."""
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return None
    if (
        raw.startswith((b"...", b"%"))
        or (raw.startswith(b"---") and not raw.startswith(b"---\n"))
        or _MARKER.search(raw)
        or b"<<" in raw  # a merge key; as a value, PyYAML has no constructor for it
        or (not raw.endswith(b"\n") and (b"|" in raw or b">" in raw))
    ):  # yaml-rs ends a block scalar at the end of the text with a line break
        return None
    if (b"[" in raw or b"{" in raw) and not _flows_agree(raw):
        return None
    look = raw.translate(None, _NOT_LOOK)
    if not look or not (
        look.translate(None, b"\xc2\xe2\xef")
        or (b"\xc2" in look and _C1.search(raw))
        or (b"\xe2" in look and _SEPARATORS.search(raw))
        or (b"\xef" in look and _SPECIALS.search(raw))
    ):
        return False  # the common case, checked in C at a few bytes per nanosecond
    if (
        _NON_PRINTABLE.search(text)
        or _SCANNERS_DIFFER.search(text)
        or _PROPERTY.search(text)
        or ("\\" in text and _SURROGATE_ESCAPE.search(text))
    ):
        return None
    return MAY_HOLD_UNSTORABLE.search(text) is not None


def _flows_agree(raw: bytes) -> bool:
    """Whether every flow collection in the UTF-8 text `raw` is one on which the parsers
    agree."""
    for opener in b"[{":
        at = raw.find(opener)
        while at >= 0:
            before = raw[raw.rfind(b"\n", 0, at) + 1 : at]
            if _VALUE_START.fullmatch(before) and not _SAFE_FLOW.match(raw, at):
                return False
            at = raw.find(opener, at + 1)
    return True


def _ends_in_empty_block(data: dict[str, Any] | list[Any]) -> bool:
    """Whether the last value, or a last key on the way to it, is only line breaks: what
    yaml-rs reads for a literal or folded block scalar with no text at the end of the
    file, where PyYAML reads ''."""
    value: Any = data
    while (type(value) is dict or type(value) is list) and value:
        if type(value) is dict:
            key, value = next(reversed(value.items()))
            if _only_line_breaks(key):
                return True
        else:
            value = value[-1]
    return type(value) is str and _only_line_breaks(value)


def _only_line_breaks(text: str) -> bool:
    return text != "" and not text.strip("\n")


def _children(
    value: dict[Any, Any] | list[Any],
    depth: int,
    numbers: list[int | float],
    unstorable: Callable[[str], object] | None,
) -> int:
    """How many values `value` holds at any depth; raises `_Refused` at anything the careful
    path reads differently or reports. Collects the numbers. Its loops are written out:
    it visits every value of every file."""
    if depth > MAX_DEPTH:
        raise _Refused
    count = len(value)
    items = value.values() if type(value) is dict else value
    if type(value) is dict:
        for key in value:
            if type(key) is not str or (unstorable and unstorable(key)):
                raise _Refused
    for item in items:
        kind = type(item)
        if kind is str:
            if unstorable and unstorable(item):
                raise _Refused
        elif kind is dict or kind is list:
            count += _children(item, depth + 1, numbers, unstorable)
        elif kind is int or kind is float:
            numbers.append(item)
        elif item is not None and kind is not bool:
            raise _Refused
    return count


def _numbers_as_written(text: str, numbers: list[int | float]) -> bool:
    """Whether every number in the text is written as Python writes it, so that the careful
    path reads it alike and records none in `Document.numbers`, and yaml-rs's numbers
    are those numbers. Text that merely looks like a number may refuse a file, never
    let one through."""
    written = set()
    for match in _NUMBERISH.finditer(text):
        token = match.group(1)
        if not _yaml_rs_number(token):
            continue
        if _CANONICAL_INT.fullmatch(token) or (
            _CORE_FLOAT.fullmatch(token)
            and not _CORE_INT.fullmatch(token)
            and repr(float(token)) == token
        ):
            written.add(token)
        else:
            return False
    return all(repr(number) in written for number in numbers)


def _yaml_rs_number(token: str) -> bool:
    """Whether yaml-rs 0.1.6 reads the plain scalar `token` as a number (its `is_float`
    and `is_int`, src/load/scalar.rs), or might: a superset is safe."""
    body = token[1:] if token[0] in "+-" else token
    if not body:
        return False
    if body[0] == "." and body[1:].lower() in ("inf", "nan"):
        return True
    if _RS_PREFIXED.fullmatch(body):
        return True
    return _RS_DECIMAL.fullmatch(body) is not None and any(c.isdigit() for c in body)
