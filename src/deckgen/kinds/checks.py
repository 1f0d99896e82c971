"""Checks beyond one file's schema: references across files, duplicate ids, cloze text,
diagram names, and HTML in text. Every problem is recorded, none raised."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

from deckgen.kinds.cloze import cloze_issues
from deckgen.kinds.ids import has_empty_part
from deckgen.kinds.models import Subdecks
from deckgen.kinds.notefile import ID_KEYS
from deckgen.source.errors import Findings, display_path
from deckgen.source.messages import dotted
from deckgen.source.yamldoc import Document, KeyPath

_DANGEROUS_TAG = re.compile(r"<\s*/?\s*(script|iframe)\b", re.IGNORECASE)
_EVENT_HANDLER = re.compile(r"<[a-z][^>]*?[\s/\"'](on[a-z]+)\s*=", re.IGNORECASE)
_SCRIPT_URL = re.compile(r"\bjavascript\s*:", re.IGNORECASE)
_PLAIN_ID = re.compile(r"[A-Za-z0-9-]{1,60}")
_ANKI_SYNTAX = re.compile(r"\{\{|\}\}|\[(?:sound|/?anki):", re.IGNORECASE)
_TAG = re.compile(r"</?([a-z][a-z0-9-]*)(?:\s[^<>]*)?/?>", re.IGNORECASE)


def check_file(
    folder: str,
    doc: Document,
    source_keys: set[str] | None,
    diagram_names: set[str],
    findings: Findings,
) -> None:
    """What one note file's schema cannot see but the file alone decides: cloze phrases,
    repeats within a list, a point's alias that is its own code, a condition compared with
    itself, the file name, and names from deck.yaml and sources.yaml.

    Works on the parsed data of a note file, valid or not, reading each value only when it
    has the right type (the schema reports the others), so one run reports every problem.
    """
    if folder == "points":
        _cloze(doc, "location", "location_cloze", findings)
        _repeated(doc, "aliases", findings)
        _own_alias(doc, findings)
        _diagram_name(doc, diagram_names, findings)
    elif folder == "concepts":
        _cloze(doc, "definition", "cloze", findings)
        _repeated(doc, "related_points", findings)
    elif folder == "conditions":
        _compared_twice(doc, findings)
    _file_name(folder, doc, findings)
    _repeated(doc, "sources", findings)
    _repeated(doc, "tags", findings, warn=True)
    if source_keys is not None:
        for i, key in _texts(doc, "sources"):
            if key not in source_keys:
                message = f"sources[{i}]: {_unknown('source', key, source_keys)}"
                findings.error(doc.problem(("sources", i), message))


def check_references(
    docs: dict[str, list[Document]],
    unreadable: dict[str, list[str]],
    findings: Findings,
    *,
    unusable: frozenset[str] = frozenset(),
) -> set[str]:
    """What only the notes together decide: duplicate ids, and that the points and
    conditions a note names exist. Returns every note id (for `check_order`).

    `docs` holds, per folder in file-name order, each note file's data: all of it for a file
    that could not be validated, else at least the ids and references (see
    `notefile.summarise`). `unreadable` holds, per folder, the file stems of files that
    could not be parsed or validated: references to them are not reported, since the
    file's own errors say enough. Nor are references into the note folders in `unusable`
    (a folder that could not be listed), whose notes cannot be known.
    """
    ids = {folder: _ids(folder, docs.get(folder, [])) for folder in ID_KEYS}
    for folder, found in ids.items():
        _duplicate_ids(folder, found, findings)
    point_codes = {code for code, _ in ids["points"]} | set(unreadable.get("points", []))
    condition_ids = {i for i, _ in ids["conditions"]} | set(unreadable.get("conditions", []))
    codes = {code: doc for code, doc in reversed(ids["points"])}
    for doc in docs.get("points", []):
        aliases = _texts(doc, "aliases")
        point_codes.update(alias for _, alias in aliases)
    for doc in docs.get("points", []):
        _alias_of_another(doc, codes, findings)
    for doc in docs.get("concepts", []):
        for i, code in _texts(doc, "related_points"):
            if code not in point_codes and "points" not in unusable:
                message = f"related_points[{i}]: {_unknown('point', code, point_codes)}"
                findings.error(doc.problem(("related_points", i), message))
    for doc in docs.get("conditions", []):
        own = _text(_field(doc, "id"))
        for path, other in _compared(doc):
            if other != own and other not in condition_ids and "conditions" not in unusable:
                message = f"{dotted(path)}: {_unknown('condition', other, condition_ids)}"
                findings.error(doc.problem(path, message))
    known = {note_id for found in ids.values() for note_id, _ in found}
    known.update(stem for stems in unreadable.values() for stem in stems)
    return known


def check_order(
    deck: Document, known: set[str], findings: Findings, *, complete: bool = True
) -> None:
    """deck.yaml's `order` names existing notes (`known`: ids and unreadable files' stems,
    `complete` unless a note folder could not be listed), each once."""
    first: dict[str, int] = {}
    for i, note_id in _texts(deck, "order"):
        path: KeyPath = ("order", i)
        if note_id not in known and complete:
            message = f"order[{i}]: {_unknown('note', note_id, known)}"
            findings.error(deck.problem(path, message))
        elif note_id in first:
            line, column = deck.position(("order", first[note_id]))
            message = (
                f"order[{i}]: '{note_id}' is listed twice (first at line {line}, column {column})"
            )
            findings.error(deck.problem(path, message))
        first.setdefault(note_id, i)


def check_deck_names(deck: Document, findings: Findings) -> None:
    """The deck's name and its subdecks' as Anki would keep them: no empty part between
    '::' (Anki would call it 'blank'), and four subdecks that Anki tells apart (it does
    not tell names apart by case)."""
    name = _text(_field(deck, "name"))
    if name and has_empty_part(name):
        findings.error(deck.problem(("name",), f"name: {_EMPTY_PART.format(name)}"))
    given = _field(deck, "subdecks")
    given = given if isinstance(given, dict) else {}
    seen: dict[str, str] = {}
    for key, field in Subdecks.model_fields.items():
        raw = given.get(key, field.default)
        sub = _text(raw)
        if not sub:
            continue
        path: KeyPath = ("subdecks", key)
        if has_empty_part(sub):
            findings.error(deck.problem(path, f"subdecks.{key}: {_EMPTY_PART.format(sub)}"))
        other = seen.setdefault(sub.casefold(), key)
        if other != key:
            message = f"subdecks.{key}: '{sub}' is also the {other} subdeck (Anki ignores case)"
            findings.error(deck.problem(path, message))


_EMPTY_PART = "'{}' has an empty part between '::'; Anki would name it 'blank'"


def _text(value: Any) -> str | None:
    """A value as the schema would read it as text, or None if it is not text."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _field(doc: Document, key: str) -> Any:
    return doc.data.get(key) if isinstance(doc.data, dict) else None


def _texts(doc: Document, key: str) -> list[tuple[int, str]]:
    """The text items of the list at `key`, with their indexes."""
    items = _field(doc, key)
    if not isinstance(items, list):
        return []
    return [(i, text) for i, item in enumerate(items) if (text := _text(item))]


def _ids(folder: str, docs: list[Document]) -> list[tuple[str, Document]]:
    found = []
    for doc in docs:
        note_id = _text(_field(doc, ID_KEYS[folder]))
        if note_id:
            found.append((note_id, doc))
    return found


def _duplicate_ids(folder: str, ids: list[tuple[str, Document]], findings: Findings) -> None:
    key = ID_KEYS[folder]
    seen: dict[str, tuple[str, Document]] = {}
    for note_id, doc in ids:
        first_id, first = seen.setdefault(note_id.casefold(), (note_id, doc))
        if first is doc:
            continue
        where = _place(first, (key,))
        if first_id == note_id:
            message = f"{key}: duplicate {key} '{note_id}' (also in {where})"
        else:  # two such files cannot both exist on macOS or Windows
            message = f"{key}: '{note_id}' differs only in case from '{first_id}' ({where})"
        findings.error(doc.problem((key,), message))


def _place(doc: Document, path: KeyPath) -> str:
    line, column = doc.position(path)
    return f"{display_path(doc.path)}:{line}:{column}"


def _own_alias(doc: Document, findings: Findings) -> None:
    own = _text(_field(doc, "code"))
    for i, alias in _texts(doc, "aliases"):
        if alias == own:
            findings.error(doc.problem(("aliases", i), f"aliases[{i}]: '{alias}' is the code"))


def _alias_of_another(doc: Document, codes: dict[str, Document], findings: Findings) -> None:
    own = _text(_field(doc, "code"))
    for i, alias in _texts(doc, "aliases"):
        if alias != own and alias in codes:
            where = _place(codes[alias], ("code",))
            message = f"aliases[{i}]: '{alias}' is the code of another point ({where})"
            findings.error(doc.problem(("aliases", i), message))


def _diagram_name(doc: Document, diagram_names: set[str], findings: Findings) -> None:
    diagram = _field(doc, "diagram")
    name = _text(diagram.get("name")) if isinstance(diagram, dict) else None
    if name and name not in diagram_names:
        message = _unknown("diagram", name, diagram_names)
        message += "; use a built-in diagram or add it under 'diagrams:' in deck.yaml"
        findings.error(doc.problem(("diagram", "name"), f"diagram.name: {message}"))


def _compared(doc: Document) -> list[tuple[KeyPath, str]]:
    """The conditions a condition is compared with, each with its key path."""
    items = _field(doc, "distinguish_from")
    found: list[tuple[KeyPath, str]] = []
    for i, item in enumerate(items if isinstance(items, list) else []):
        other = _text(item.get("condition")) if isinstance(item, dict) else None
        if other:
            found.append((("distinguish_from", i, "condition"), other))
    return found


def _compared_twice(doc: Document, findings: Findings) -> None:
    """A condition compared with itself, or with another twice."""
    own = _text(_field(doc, "id"))
    first: dict[str, KeyPath] = {}
    for path, other in _compared(doc):
        if other == own:
            findings.error(doc.problem(path, f"{dotted(path)}: '{other}' is this condition itself"))
        elif other in first:
            line, column = doc.position(first[other])
            message = (
                f"{dotted(path)}: '{other}' is listed twice (first at line {line}, column {column})"
            )
            findings.error(doc.problem(path, message))
        first.setdefault(other, path)


def _cloze(doc: Document, text_key: str, phrases_key: str, findings: Findings) -> None:
    text = _text(_field(doc, text_key))
    if text is None:
        return
    phrases = _field(doc, phrases_key)
    phrases = phrases if isinstance(phrases, list) else []
    if not all(_text(phrase) for phrase in phrases):
        return  # the schema reports the bad item
    for index, message in cloze_issues(text, [str(_text(phrase)) for phrase in phrases]):
        path: KeyPath = (text_key,) if index is None else (phrases_key, index)
        findings.error(doc.problem(path, f"{dotted(path)}: {message}"))


def _repeated(doc: Document, key: str, findings: Findings, *, warn: bool = False) -> None:
    """A value listed twice in one list: an error (a warning for harmless repeats)."""
    first: dict[str, int] = {}
    for i, value in _texts(doc, key):
        if value not in first:
            first[value] = i
            continue
        line, column = doc.position((key, first[value]))
        message = f"{key}[{i}]: '{value}' is listed twice (first at line {line}, column {column})"
        problem = doc.problem((key, i), message)
        (findings.warn if warn else findings.error)(problem)


def _file_name(folder: str, doc: Document, findings: Findings) -> None:
    key = ID_KEYS[folder]
    note_id = _text(_field(doc, key))
    if note_id and _PLAIN_ID.fullmatch(note_id) and doc.path.stem != note_id:
        message = (
            f"{key}: '{note_id}' differs from the file name '{doc.path.name}'; "
            f"name the file {note_id}{doc.path.suffix}"
        )
        findings.warn(doc.problem((key,), message))


def _unknown(kind: str, name: str, known: set[str]) -> str:
    message = f"unknown {kind} '{name}'"
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return message + (f" (did you mean '{close[0]}'?)" if close else "")


def strings(value: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Every text value in parsed YAML data, with its key path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from strings(item, (*path, i))


def check_html(doc: Document, findings: Findings, *, cloze_keys: tuple[str, ...] = ()) -> None:
    """Raw HTML in text: scripts, frames, event handlers and script URLs are errors; other
    tags are warnings, since deckgen shows them as text rather than formatting. So is
    Anki's own syntax (`{{...}}`, `[sound:...]`), but for cloze markup at `cloze_keys`."""
    cloze_paths = [(key,) for key in cloze_keys]
    for path, text in strings(doc.data):
        if "<" not in text and ":" not in text and "{" not in text and "}" not in text:
            continue
        where = dotted(path) or "text"
        syntax = _ANKI_SYNTAX.search(text)
        cloze = syntax is not None and syntax.group() in ("{{", "}}") and path[:1] in cloze_paths
        if syntax and not cloze:
            message = (
                f"{where}: '{syntax.group()}' is Anki's own syntax; deckgen shows it as text"
                + (" (cloze deletions work in the cloze text only)" if "{{" in text else "")
            )
            findings.warn(doc.problem(path, message))
        danger = _danger(text)
        if danger:
            message = (
                f"{where}: {danger} is not allowed in card text; remove it "
                "(deckgen would show it as text, never run it)"
            )
            findings.error(doc.problem(path, message))
            continue
        tag = _TAG.search(text)
        if tag:
            message = (
                f"{where}: raw HTML <{tag.group(1).lower()}> is shown as text, not formatted; "
                "use Markdown such as *italic* or **bold**"
            )
            findings.warn(doc.problem(path, message))


def _danger(text: str) -> str | None:
    match = _DANGEROUS_TAG.search(text)
    if match:
        return f"HTML <{match.group(1).lower()}>"
    match = _EVENT_HANDLER.search(text)
    if match:
        return f"an HTML event handler '{match.group(1).lower()}='"
    if _SCRIPT_URL.search(text):
        return "a 'javascript:' URL"
    return None
