"""Load a cards folder: parse every file, validate it, and check references across files.

Every problem is collected, none raised early; `load_cards` raises one `InvalidCards`
listing them all, or returns the validated, frozen collection.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from deckgen.errors import DeckgenError, InvalidCards, Problem, display_path, problem_at
from deckgen.schema import (
    NOTE_FOLDERS,
    Concept,
    Condition,
    DeckConfig,
    Fact,
    Point,
    Source,
)
from deckgen.yamldoc import Document, KeyPath, load_document

DECK_FILE = "deck.yaml"
SOURCES_FILE = "sources.yaml"
_SOURCES = TypeAdapter(dict[str, Source])

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Located:
    """A validated record and the document it came from (for later messages)."""

    record: Any
    doc: Document


@dataclass(frozen=True)
class Cards:
    """A whole, valid cards folder."""

    root: Path
    deck: DeckConfig
    sources: dict[str, Source]
    points: tuple[Point, ...]
    concepts: tuple[Concept, ...]
    conditions: tuple[Condition, ...]
    facts: tuple[Fact, ...]

    @property
    def records(self) -> tuple[Point | Concept | Condition | Fact, ...]:
        """Every note record, in build order."""
        return (*self.points, *self.concepts, *self.conditions, *self.facts)


def note_files(root: Path, folder: str) -> list[Path]:
    """The YAML files of one note folder, in authored (file name) order."""
    directory = root / folder
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in (".yaml", ".yml") and not p.name.startswith(".")
    )


def load_cards(root: Path) -> Cards:
    """Parse and validate everything under `root`, or raise `InvalidCards`."""
    if not root.is_dir():
        raise DeckgenError(f"cards folder '{display_path(root)}' does not exist")
    problems: list[Problem] = []

    deck = _load_one(root / DECK_FILE, DeckConfig, problems)
    sources = _load_sources(root / SOURCES_FILE, problems)
    loaded: dict[str, list[Located]] = {}
    for folder, model in NOTE_FOLDERS.items():
        loaded[folder] = []
        for path in note_files(root, folder):
            doc, found = load_document(path)
            problems += found
            if doc is not None:
                record = _validate(doc, model, problems)
                if record is not None:
                    loaded[folder].append(Located(record, doc))

    if not any(loaded.values()) and not problems:
        problems.append(
            problem_at(
                root,
                1,
                1,
                "no notes found: add YAML files under points/, concepts/, conditions/ or facts/",
            )
        )
    problems += _cross_check(loaded, sources)
    if problems or deck is None:
        raise InvalidCards(problems)
    return Cards(
        root=root,
        deck=deck,
        sources=sources or {},
        points=tuple(item.record for item in loaded["points"]),
        concepts=tuple(item.record for item in loaded["concepts"]),
        conditions=tuple(item.record for item in loaded["conditions"]),
        facts=tuple(item.record for item in loaded["facts"]),
    )


def _load_one(path: Path, model: type[M], problems: list[Problem]) -> M | None:
    if not path.is_file():
        problems.append(problem_at(path, 1, 1, "required file is missing"))
        return None
    doc, found = load_document(path)
    problems += found
    return None if doc is None else _validate(doc, model, problems)


def _load_sources(path: Path, problems: list[Problem]) -> dict[str, Source] | None:
    if not path.is_file():
        problems.append(problem_at(path, 1, 1, "required file is missing"))
        return None
    doc, found = load_document(path)
    problems += found
    if doc is None:
        return None
    try:
        return _SOURCES.validate_python(doc.data)
    except ValidationError as exc:
        problems += [_describe(doc, error, Source) for error in exc.errors()]
        return None


def _validate(doc: Document, model: type[M], problems: list[Problem]) -> M | None:
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        problems += [_describe(doc, error, model) for error in exc.errors()]
        return None


def _dotted(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _found(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int | float):
        return f"{value} (a number)"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"'{shown}'" if value.strip() else "empty text"
    return type(value).__name__


def _fields_at(model: type[BaseModel], path: KeyPath) -> list[str]:
    """The field names allowed at `path` inside `model` (for "did you mean")."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _model_in(field.annotation)
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


_EXPECTED = {
    "string_type": "text",
    "list_type": "a list",
    "model_type": "a mapping of keys",
    "dict_type": "a mapping of keys",
    "float_type": "a number",
    "float_parsing": "a number",
}


def _describe(doc: Document, error: ErrorDetails, model: type[BaseModel]) -> Problem:
    """Turn one pydantic error into a located, plain-English problem."""
    loc: KeyPath = tuple(part for part in error["loc"] if not str(part).startswith("function-"))
    kind = error["type"]
    where = _dotted(loc)
    if kind == "missing":
        return doc.problem(loc[:-1], f"missing required key '{where}'")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        message = f"unknown key '{where}'"
        close = difflib.get_close_matches(key, _fields_at(model, loc[:-1]), n=1)
        if close:
            message += f" (did you mean '{close[0]}'?)"
        return doc.problem(loc, message, at_key=True)
    found = _found(error.get("input"))
    if kind in _EXPECTED:
        return doc.problem(loc, f"{where}: expected {_EXPECTED[kind]}, found {found}")
    if kind == "string_too_short":
        return doc.problem(loc, f"{where}: expected text, found empty text")
    if kind == "too_short":
        return doc.problem(loc, f"{where}: expected at least one item, found none")
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        return doc.problem(loc, f"{where}: {found} does not match the pattern {pattern}")
    message = error["msg"][0].lower() + error["msg"][1:]
    return doc.problem(loc, f"{where}: {message}, found {found}")


def _cross_check(
    loaded: dict[str, list[Located]], sources: dict[str, Source] | None
) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, Located] = {}
    for folder, items in loaded.items():
        key = "code" if folder == "points" else "id"
        for item in items:
            note_id = getattr(item.record, key)
            identity = f"{folder}:{note_id}"
            if identity in seen:
                first = seen[identity].doc
                line, _ = first.value_marks.get((key,), (1, 1))
                problems.append(
                    item.doc.problem(
                        (key,),
                        f"duplicate {key} '{note_id}' (also in {display_path(first.path)}:{line})",
                    )
                )
            else:
                seen[identity] = item

    point_codes = {item.record.code for item in loaded["points"]}
    condition_ids = {item.record.id for item in loaded["conditions"]}
    for item in loaded["concepts"]:
        for i, code in enumerate(item.record.related_points):
            if code not in point_codes:
                problems.append(
                    item.doc.problem(("related_points", i), _unknown("point", code, point_codes))
                )
    for item in loaded["conditions"]:
        for i, other in enumerate(item.record.distinguish_from):
            if other.condition not in condition_ids:
                path: KeyPath = ("distinguish_from", i, "condition")
                problems.append(
                    item.doc.problem(path, _unknown("condition", other.condition, condition_ids))
                )
    if sources is not None:
        for item in (entry for items in loaded.values() for entry in items):
            for i, key in enumerate(item.record.sources):
                if key not in sources:
                    problems.append(
                        item.doc.problem(("sources", i), _unknown("source", key, set(sources)))
                    )
    return problems


def _unknown(kind: str, name: str, known: set[str]) -> str:
    message = f"unknown {kind} '{name}'"
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return message + (f" (did you mean '{close[0]}'?)" if close else "")
