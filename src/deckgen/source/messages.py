"""Pydantic's validation errors -> located, plain-English problems.

Each message names the key path, what was expected and what was found, e.g.
`needling.depth: expected text, found a list`. Unknown keys are warnings (with a
"did you mean"): `validate` splits them off and validates again without them.
"""

from __future__ import annotations

import datetime
import difflib
import re
import types
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from deckgen.source.errors import Findings, Problem
from deckgen.source.yamldoc import Document, KeyPath

#: Human descriptions of the schema's patterns, for "expected ..." messages: each is
#: registered where the pattern is defined (see `deckgen.kinds.fields`).
PATTERNS: dict[str, str] = {}


def describe_pattern(pattern: str, described: str) -> None:
    """Say in words what text matching `pattern` looks like, for messages."""
    PATTERNS[pattern] = described


_PLAIN_KEY = re.compile(r"[\w-]+")

_EXPECTED = {
    "string_type": "text",
    "list_type": "a list",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
    "dict_type": "a mapping of keys",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
}


def validate(doc: Document, target: Any, findings: Findings) -> Any | None:
    """Validate `doc.data` against a model or type; an unknown key is an error too (its
    text would be left out of the deck).

    Returns the validated value, or None when there were errors (all recorded).
    """
    adapter = _adapter(target)
    lossy = _lossy_numbers(doc, target, findings) if doc.numbers else False
    try:
        value = adapter.validate_python(doc.data)
    except ValidationError as exc:
        errors = exc.errors()
    else:
        return None if lossy else value
    if doc.unstorable:  # reported as such: the schema would only say it again, less clearly
        errors = [e for e in errors if _loc(e) not in doc.unstorable]
    extra = [e for e in errors if e["type"] == "extra_forbidden"]
    other = [e for e in errors if e["type"] != "extra_forbidden"]
    for error in extra:
        findings.error(describe(doc, error, target))
    missing: dict[KeyPath, list[str]] = {}
    for error in other:
        if error["type"] == "missing":
            loc = _loc(error)
            missing.setdefault(loc[:-1], []).append(f"'{dotted(loc)}'")
        else:
            findings.error(describe(doc, error, target))
    for parent, names in missing.items():
        if len(names) == 1:
            message = f"missing required key {names[0]}"
        else:
            message = f"missing required keys {', '.join(names[:-1])} and {names[-1]}"
        findings.error(doc.problem(parent, message))
    return None


@cache
def _adapter(target: Any) -> TypeAdapter[Any]:
    return TypeAdapter(target)


def _loc(error: ErrorDetails) -> KeyPath:
    return tuple(part for part in error["loc"] if not str(part).startswith("function-"))


def dotted(path: KeyPath) -> str:
    """`('needling', 'cautions', 0)` -> `needling.cautions[0]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        name = part if _PLAIN_KEY.fullmatch(part) else f'"{part}"'
        text += f".{name}" if text else name
    return text


def found(value: Any) -> str:
    """What the author wrote, in words."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int | float):
        return f"{value} (a number)"
    if isinstance(value, datetime.date):
        return f"{value.isoformat()} (a date)"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"'{shown}'" if value.strip() else "empty text"
    return type(value).__name__


def describe(doc: Document, error: ErrorDetails, target: Any) -> Problem:
    """Turn one pydantic error into a located, plain-English problem."""
    loc = _loc(error)
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx", {})
    if loc and loc[-1] == "[key]":  # a mapping key that does not fit its pattern
        key_path = loc[:-1]
        prefix = f"{dotted(key_path[:-1])}: " if key_path[:-1] else ""
        if kind == "string_too_long":
            limit = ctx.get("max_length")
            message = f"expected a key of at most {limit} characters, found {found(value)}"
        else:
            pattern = ctx.get("pattern", "")
            expected = PATTERNS.get(pattern, f"text matching {pattern}")
            example = "who-2008" if not key_path[:-1] else "face-front"
            expected = expected.replace("'hemifacial-spasm'", f"'{example}'")
            message = f"expected a key of {expected}, found {found(value)}"
        return doc.problem(key_path, prefix + message, at_key=True)
    where = dotted(loc)
    prefix = f"{where}: " if where else ""
    if kind == "missing":
        return doc.problem(loc[:-1], f"missing required key '{where}'")
    if kind == "extra_forbidden":
        message = f"unknown key '{where}'"
        close = difflib.get_close_matches(str(loc[-1]), fields_at(target, loc[:-1]), n=1)
        if close:
            message += f" (did you mean '{close[0]}'?)"
        return doc.problem(loc, message, at_key=True)
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
        hint = ""
        if kind == "string_type" and isinstance(value, bool | datetime.date):
            hint = "; put it in quotes to keep it as text"
        return doc.problem(loc, f"{prefix}expected {expected}, found {found(value)}{hint}")
    if kind == "string_too_short":
        return doc.problem(loc, f"{prefix}expected text, found empty text")
    if kind == "string_too_long":
        limit = ctx.get("max_length")
        length = len(value) if isinstance(value, str) else "more"
        return doc.problem(
            loc, f"{prefix}expected at most {limit} characters, found {length} ({found(value)})"
        )
    if kind == "too_short":
        return doc.problem(loc, f"{prefix}expected at least one item, found none")
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        expected = PATTERNS.get(pattern, f"text matching {pattern}")
        return doc.problem(loc, f"{prefix}expected {expected}, found {found(value)}")
    if kind == "enum":
        message = f"{prefix}expected one of {ctx.get('expected', '')}, found {found(value)}"
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        close = difflib.get_close_matches(str(value), options, n=1)
        if close:
            message += f" (did you mean '{close[0]}'?)"
        return doc.problem(loc, message)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return doc.problem(loc, f"{prefix}expected {_range(target, loc)}, found {found(value)}")
    message = error["msg"][0].lower() + error["msg"][1:]
    return doc.problem(loc, f"{prefix}{message}, found {found(value)}")


def _range(target: Any, loc: KeyPath) -> str:
    """'a number from 0 to 1', from the field's own bounds."""
    info = _field_at(target, loc)
    low = high = None
    for item in info.metadata if info else ():
        low = getattr(item, "ge", getattr(item, "gt", low))
        high = getattr(item, "le", getattr(item, "lt", high))
    if low is not None and high is not None:
        return f"a number from {low:g} to {high:g}"
    if low is not None:
        return f"a number of at least {low:g}"
    if high is not None:
        return f"a number of at most {high:g}"
    return "a number in range"


def _unwrap(annotation: Any) -> list[Any]:
    """The types an annotation may hold: `X | None` -> [X]; `Annotated[X, ...]` -> [X]."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [t for arg in get_args(annotation) for t in _unwrap(arg) if t is not type(None)]
    return [annotation]


def _step(annotation: Any, part: str | int) -> tuple[Any, FieldInfo | None] | None:
    """The type found one key or index below `annotation`, and its field info if a model field."""
    for candidate in _unwrap(annotation):
        origin = get_origin(candidate)
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            info = candidate.model_fields.get(str(part))
            if info is not None and not isinstance(part, int):
                return info.annotation, info
        elif origin is list and isinstance(part, int):
            return get_args(candidate)[0], None
        elif origin is dict and not isinstance(part, int):
            return get_args(candidate)[1], None
    return None


def _lossy_numbers(doc: Document, target: Any, findings: Findings) -> bool:
    """An error for each number, written where the schema wants text, that YAML does not
    read as written (`version: 1.10` would become '1.1', `code: 010` '10'); whether any."""
    found = False
    for path, written in doc.numbers.items():
        if str in _type_at(target, path):
            value = _value_at(doc.data, path)
            message = (
                f"{dotted(path)}: YAML reads {written} as the number {value}; "
                f'write it in quotes ("{written}") to keep it as written'
            )
            findings.error(doc.problem(path, message))
            found = True
    return found


def _type_at(target: Any, path: KeyPath) -> list[Any]:
    """The types the schema allows at `path` (empty when it allows nothing there)."""
    current: Any = target
    for part in path:
        stepped = _step(current, part)
        if stepped is None:
            return []
        current = stepped[0]
    return _unwrap(current)


def _value_at(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _field_at(target: Any, path: KeyPath) -> FieldInfo | None:
    current: Any = target
    info = None
    for part in path:
        stepped = _step(current, part)
        if stepped is None:
            return None
        current, info = stepped
    return info


def fields_at(target: Any, path: KeyPath) -> list[str]:
    """The keys allowed at `path` inside `target` (for "did you mean")."""
    for candidate in _type_at(target, path):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return list(candidate.model_fields)
    return []
