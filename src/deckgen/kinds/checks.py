"""Checks beyond one file's schema that every kind shares: the file name, sources and tags
of a note file, duplicate ids and references across files, deck.yaml's order and deck
names, cloze phrases, and HTML in text. Every problem is recorded, none raised.

The helpers read parsed data that may be invalid: each value only where it has the right
type (the schema reports the others), so that one run reports every problem."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from deckgen.kinds.cloze import cloze_issues
from deckgen.kinds.ids import has_empty_part
from deckgen.kinds.kind import FileContext, Index, Summary
from deckgen.kinds.values import field_of, text_of, texts
from deckgen.source.errors import Findings, display_path
from deckgen.source.messages import dotted
from deckgen.source.yamldoc import Document, KeyPath

if TYPE_CHECKING:
    from deckgen.kinds.kind import Kind

_DANGEROUS_TAG = re.compile(r"<\s*/?\s*(script|iframe)\b", re.IGNORECASE)
_EVENT_HANDLER = re.compile(r"<[a-z][^>]*?[\s/\"'](on[a-z]+)\s*=", re.IGNORECASE)
_SCRIPT_URL = re.compile(r"\bjavascript\s*:", re.IGNORECASE)
_PLAIN_ID = re.compile(r"[A-Za-z0-9-]{1,60}")
_ANKI_SYNTAX = re.compile(r"\{\{|\}\}|\[(?:sound|/?anki):", re.IGNORECASE)
_TAG = re.compile(r"</?([a-z][a-z0-9-]*)(?:\s[^<>]*)?/?>", re.IGNORECASE)


def check_note_file(
    kind: Kind[Any, Any], doc: Document, context: FileContext, findings: Findings
) -> None:
    """What one note file shows beyond its schema: its own kind's checks, then what every
    kind shares: the file name against the id, repeated sources and tags, unknown sources."""
    kind.check_file(doc, context, findings)
    _file_name(kind.id_key, doc, findings)
    repeated(doc, "sources", findings)
    repeated(doc, "tags", findings, warn=True)
    if context.source_keys is not None:
        for path, key in _cited(doc.data):
            if key not in context.source_keys:
                message = f"{dotted(path)}: {unknown('source', key, context.source_keys)}"
                findings.error(doc.problem(path, message))


def _cited(value: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Every source key in parsed data, with its path: the note's `sources`, those of its
    items (`{text: ..., sources: [...]}`) and comparisons, and a field's own
    (`location_sources`, `cause_sources` and the like)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if _names_sources(key) and isinstance(item, list):
                for i, source in enumerate(item):
                    if text := text_of(source):
                        yield (*path, key, i), text
            else:
                yield from _cited(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _cited(item, (*path, i))


def _names_sources(key: object) -> bool:
    return isinstance(key, str) and (key == "sources" or key.endswith("_sources"))


def check_giveaways(kind: Kind[Any, Any], record: Any, doc: Document, findings: Findings) -> None:
    """A warning where a card's front holds the key words of its own answer (a Definition
    → Term card whose definition names the term teaches nothing)."""
    for path, front, answer, any_word in kind.fronts(record):
        words = given_away(front, answer, any_word=any_word)
        if words:
            message = (
                f"{dotted(path)}: the front gives away its answer '{answer}' "
                f"({', '.join(words)}); say it without them"
            )
            findings.warn(doc.problem(path, message))


def check_citations(kind: Kind[Any, Any], record: Any, doc: Document, findings: Findings) -> None:
    """A warning where a fact has no sources of its own and its card would name several of
    the note's: the card should name only the sources of its facts."""
    for path, count, how in kind.uncited(record):
        message = (
            f"{dotted(path)}: its card names all {count} of the note's sources; "
            f"give it its own ({how}) so that the card names only those that support it"
        )
        findings.warn(doc.problem(path, message))


def plain_items(
    key: KeyPath, entries: Sequence[object], sources: Sequence[str]
) -> Iterator[tuple[KeyPath, int, str]]:
    """The items of a list with no sources of their own, where the note has several."""
    count = len(set(sources))
    if count > 1:
        for i, entry in enumerate(entries):
            if isinstance(entry, str):
                yield (*key, i), count, "{text: ..., sources: [...]}"


#: Words that carry no meaning of their own in an answer.
_STOPWORDS = frozenset(
    [
        "about",
        "above",
        "after",
        "also",
        "and",
        "because",
        "been",
        "before",
        "being",
        "between",
        "both",
        "but",
        "does",
        "each",
        "from",
        "have",
        "into",
        "its",
        "more",
        "most",
        "much",
        "only",
        "other",
        "over",
        "same",
        "some",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "under",
        "very",
        "versus",
        "what",
        "when",
        "where",
        "which",
        "while",
        "with",
        "without",
        "your",
    ]
)
_WORD = re.compile(r"[^\W\d_]{4,}|[^\W\d_]+\d+")


def given_away(front: str, answer: str, *, any_word: bool = False) -> list[str]:
    """The key words of `answer` (four letters or more, or a code such as GB14; not a
    stopword) that the `front` holds too, compared by their first five letters: all of
    them, or with `any_word` more than half of them (a term is given away by most of its
    words, a one-word term by its word); else []."""
    keys = list(dict.fromkeys(w for w in _WORD.findall(answer.lower()) if w not in _STOPWORDS))
    stems = {w[:5] for w in _WORD.findall(front.lower())}
    found = [w for w in keys if w[:5] in stems]
    enough = len(found) * 2 > len(keys) if any_word else len(found) == len(keys)
    return found if found and enough else []


def check_across(
    kinds: Sequence[Kind[Any, Any]],
    index: Index,
    unreadable: Mapping[str, Sequence[str]],
    findings: Findings,
    *,
    unusable: frozenset[str] = frozenset(),
) -> set[str]:
    """What only the notes together decide: duplicate ids, that the notes a note names
    exist, and each kind's own checks across files. Returns every note id (for
    `check_order`).

    `index` holds each note file's summary (made as far as it goes for a file that did not
    validate). `unreadable` holds, by kind, the file stems of files that could not be
    parsed or validated: references to them are not reported, since the file's own errors
    say enough. Nor are references to a kind whose folder is in `unusable` (a folder that
    could not be listed), whose notes cannot be known.
    """
    names: dict[str, set[str]] = {}
    for kind in kinds:
        entries = index.entries(kind.name)
        _duplicate_ids(kind.id_key, entries, findings)
        names[kind.name] = {name for _, s in entries for name in kind.names(s) if name}
        names[kind.name].update(unreadable.get(kind.name, ()))
    folders = {kind.name: kind.folder for kind in kinds}
    for kind in kinds:
        entries = index.entries(kind.name)
        for doc, summary in entries:
            for ref in kind.references(summary):
                if ref.note_id == summary.note_id and ref.kind == kind.name:
                    continue  # a note naming itself: its own check says so
                known = names.get(ref.kind, set())
                if ref.note_id not in known and folders.get(ref.kind) not in unusable:
                    message = f"{dotted(ref.path)}: {unknown(ref.kind, ref.note_id, known)}"
                    findings.error(doc.problem(ref.path, message))
        kind.check_across(entries, index, findings)
    known_ids = {s.note_id for kind in kinds for _, s in index.entries(kind.name) if s.note_id}
    known_ids.update(stem for stems in unreadable.values() for stem in stems)
    return known_ids


def _duplicate_ids(
    key: str, entries: Sequence[tuple[Document, Summary]], findings: Findings
) -> None:
    seen: dict[str, tuple[str, Document]] = {}
    for doc, summary in entries:
        note_id = summary.note_id
        if not note_id:
            continue
        first_id, first = seen.setdefault(note_id.casefold(), (note_id, doc))
        if first is doc:
            continue
        where = place(first, (key,))
        if first_id == note_id:
            message = f"{key}: duplicate {key} '{note_id}' (also in {where})"
        else:  # two such files cannot both exist on macOS or Windows
            message = f"{key}: '{note_id}' differs only in case from '{first_id}' ({where})"
        findings.error(doc.problem((key,), message))


def _file_name(key: str, doc: Document, findings: Findings) -> None:
    note_id = text_of(field_of(doc, key))
    if note_id and _PLAIN_ID.fullmatch(note_id) and doc.path.stem != note_id:
        message = (
            f"{key}: '{note_id}' differs from the file name '{doc.path.name}'; "
            f"name the file {note_id}{doc.path.suffix}"
        )
        findings.warn(doc.problem((key,), message))


def listed_twice(doc: Document, path: KeyPath, first: KeyPath, value: str) -> str:
    """'<path>: '<value>' is listed twice (first at line L, column C)'."""
    line, column = doc.position(first)
    return f"{dotted(path)}: '{value}' is listed twice (first at line {line}, column {column})"


def check_order(
    deck: Document, known: set[str], findings: Findings, *, complete: bool = True
) -> None:
    """deck.yaml's `order` names existing notes (`known`: ids and unreadable files' stems,
    `complete` unless a note folder could not be listed), each once."""
    first: dict[str, int] = {}
    for i, note_id in texts(deck, "order"):
        path: KeyPath = ("order", i)
        if note_id not in known and complete:
            message = f"order[{i}]: {unknown('note', note_id, known)}"
            findings.error(deck.problem(path, message))
        elif note_id in first:
            line, column = deck.position(("order", first[note_id]))
            message = (
                f"order[{i}]: '{note_id}' is listed twice (first at line {line}, column {column})"
            )
            findings.error(deck.problem(path, message))
        first.setdefault(note_id, i)


def check_deck_names(deck: Document, kinds: Sequence[Kind[Any, Any]], findings: Findings) -> None:
    """The deck's name and its subdecks' as Anki would keep them: no empty part between
    '::' (Anki would call it 'blank'), and one subdeck per kind, each one Anki tells apart
    from the others (it does not tell names apart by case)."""
    name = text_of(field_of(deck, "name"))
    if name and has_empty_part(name):
        findings.error(deck.problem(("name",), f"name: {_EMPTY_PART.format(name)}"))
    given = field_of(deck, "subdecks")
    given = given if isinstance(given, dict) else {}
    seen: dict[str, str] = {}
    for kind in kinds:
        key = kind.folder
        raw = given.get(key, kind.subdeck)
        sub = text_of(raw)
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


def place(doc: Document, path: KeyPath) -> str:
    line, column = doc.position(path)
    return f"{display_path(doc.path)}:{line}:{column}"


def cloze_phrases(doc: Document, text_key: str, phrases_key: str, findings: Findings) -> None:
    text = text_of(field_of(doc, text_key))
    if text is None:
        return
    phrases = field_of(doc, phrases_key)
    phrases = phrases if isinstance(phrases, list) else []
    if not all(text_of(phrase) for phrase in phrases):
        return  # the schema reports the bad item
    for index, message in cloze_issues(text, [str(text_of(phrase)) for phrase in phrases]):
        path: KeyPath = (text_key,) if index is None else (phrases_key, index)
        findings.error(doc.problem(path, f"{dotted(path)}: {message}"))


def repeated(doc: Document, key: str, findings: Findings, *, warn: bool = False) -> None:
    """A value listed twice in one list: an error (a warning for harmless repeats)."""
    first: dict[str, int] = {}
    for i, value in texts(doc, key):
        if value not in first:
            first[value] = i
            continue
        line, column = doc.position((key, first[value]))
        message = f"{key}[{i}]: '{value}' is listed twice (first at line {line}, column {column})"
        problem = doc.problem((key, i), message)
        (findings.warn if warn else findings.error)(problem)


def unknown(kind: str, name: str, known: set[str]) -> str:
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


def check_html(
    doc: Document,
    findings: Findings,
    *,
    cloze_keys: tuple[str, ...] = (),
    texts: Sequence[tuple[KeyPath, str]] | None = None,
) -> None:
    """Raw HTML in text: scripts, frames, event handlers and script URLs are errors; other
    tags are warnings, since deckgen shows them as text rather than formatting. So is
    Anki's own syntax (`{{...}}`, `[sound:...]`), but for cloze markup at `cloze_keys`.
    `texts`: the document's `strings`, if the caller has them."""
    cloze_paths = [(key,) for key in cloze_keys]
    for path, text in strings(doc.data) if texts is None else texts:
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
