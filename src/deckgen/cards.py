"""Load a cards folder: parse every file, validate it, and check references across files.

Every problem is collected, none raised early. Errors make `load_cards` raise one
`InvalidCards` listing them all; warnings (unknown keys, unused media, raw HTML, stray
files) come back in `Cards.warnings`, or count as errors with `strict=True`.
"""

from __future__ import annotations

import difflib
import marshal
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from deckgen.describe import validate
from deckgen.diagrams import BUILTIN
from deckgen.errors import DeckgenError, Findings, InvalidCards, Problem, display_path, problem_at
from deckgen.gcpause import gc_paused
from deckgen.media_check import check_diagram_images, is_media, unused_media, walk_files
from deckgen.schema import (
    NOTE_FOLDERS,
    Concept,
    Condition,
    DeckConfig,
    Fact,
    Point,
    Source,
    SourceKey,
)
from deckgen.validate import check_html, check_notes, check_order
from deckgen.yamldoc import Document, read_yaml

__all__ = [
    "DECK_FILE",
    "SOURCES_FILE",
    "Cards",
    "Located",
    "NoteFile",
    "Sources",
    "load_cards",
    "note_files",
]

DECK_FILE = "deck.yaml"
SOURCES_FILE = "sources.yaml"
YAML_SUFFIXES = (".yaml", ".yml")
#: `sources.yaml`: citation key -> source.
Sources = dict[SourceKey, Source]


@dataclass(frozen=True)
class Located:
    """A validated record and the document it came from (for later messages)."""

    record: Any
    doc: Document


@dataclass(frozen=True)
class NoteFile:
    """A valid note file as loaded, for the next build to reuse if it is unchanged: its
    parsed data (marshalled), the warnings that only its own content gives, and the key
    of its record ('point:ST2')."""

    name: str  # relative to the cards folder, '/'-separated: 'points/ST2.yaml'
    data: bytes
    warnings: tuple[Problem, ...]
    record: str
    reused: bool  # taken from `cached` rather than read again


@dataclass(frozen=True)
class Cards:
    """A whole, valid cards folder, and the warnings found in it."""

    root: Path
    deck: DeckConfig
    sources: dict[str, Source]
    points: tuple[Point, ...]
    concepts: tuple[Concept, ...]
    conditions: tuple[Condition, ...]
    facts: tuple[Fact, ...]
    warnings: tuple[Problem, ...] = ()
    files: tuple[NoteFile, ...] = ()

    @property
    def records(self) -> tuple[Point | Concept | Condition | Fact, ...]:
        """Every note record, in build order."""
        return (*self.points, *self.concepts, *self.conditions, *self.facts)


def note_files(root: Path, folder: str) -> list[Path]:
    """The YAML files of one note folder, in authored (file name) order."""
    directory = root / folder
    if not directory.is_dir():
        return []
    names = sorted(  # sorting names, not Path objects: the same order, far cheaper
        entry.name
        for entry in os.scandir(directory)
        if entry.name.endswith(YAML_SUFFIXES) and not entry.name.startswith(".")
    )
    return [directory / name for name in names]


@gc_paused
def load_cards(
    root: Path, *, strict: bool = False, cached: Mapping[str, NoteFile] | None = None
) -> Cards:
    """Parse and validate everything under `root`, or raise `InvalidCards` listing every error.

    With `strict`, warnings count as errors. `cached` holds note files, by name, as an
    earlier load gave them and known to be unchanged since: their data is used as it is.
    """
    if not root.is_dir():
        raise DeckgenError(f"cards folder '{display_path(root)}' does not exist")
    files = walk_files(root)
    if not files:
        raise DeckgenError(
            f"cards folder '{display_path(root)}' is empty: add deck.yaml, sources.yaml "
            "and notes under points/, concepts/, conditions/ or facts/"
        )
    findings = Findings()
    _stray_yaml(root, files, findings)

    deck_doc = _read(root / DECK_FILE, findings)
    deck = validate(deck_doc, DeckConfig, findings) if deck_doc else None
    sources_doc = _read(root / SOURCES_FILE, findings)
    sources = validate(sources_doc, Sources, findings) if sources_doc else None
    docs: dict[str, list[Document]] = {}
    unreadable: dict[str, list[str]] = {}
    loaded: dict[str, list[Located]] = {}
    files_loaded: list[NoteFile] = []
    for folder, model in NOTE_FOLDERS.items():
        docs[folder], unreadable[folder], loaded[folder] = [], [], []
        for path in note_files(root, folder):
            name = f"{folder}/{path.name}"
            earlier = cached.get(name) if cached else None
            own = Findings()  # what this file alone gives: kept for the next build
            if earlier is not None:
                doc: Document | None = Document(path, marshal.loads(earlier.data))
                own.warnings += earlier.warnings
            else:
                doc = _read(path, own)
                if doc is not None:
                    check_html(doc, own)
            findings.errors += own.errors
            findings.warnings += own.warnings
            if doc is None:
                unreadable[folder].append(path.stem)
                continue
            docs[folder].append(doc)
            record = validate(doc, model, findings)
            if record is None:
                unreadable[folder].append(path.stem)
                continue
            loaded[folder].append(Located(record, doc))
            data = earlier.data if earlier is not None else marshal.dumps(doc.data)
            key = f"{KINDS[folder]}:{record_id(record)}"
            reused = earlier is not None
            files_loaded.append(NoteFile(name, data, tuple(own.warnings), key, reused))
    if not any(note_files(root, folder) for folder in NOTE_FOLDERS):
        message = "no notes found: add YAML files under points/, concepts/, conditions/ or facts/"
        findings.error(problem_at(root, 1, 1, message))

    source_keys = set(sources) if sources is not None else _usable_keys(sources_doc)
    diagram_names = set(BUILTIN) | _raw_keys(deck_doc, "diagrams")
    check_notes(docs, unreadable, source_keys, diagram_names, findings)
    if deck_doc is not None:
        check_order(deck_doc, docs, unreadable, findings)
    for doc in (deck_doc, sources_doc):
        if doc is not None:
            check_html(doc, findings)
    used = check_diagram_images(root, deck_doc, findings) if deck_doc else set()
    unused_media([root / name for name in files if is_media(name)], used, findings)

    errors = findings.errors + (findings.warnings if strict else [])
    if errors or deck is None or sources is None:
        raise InvalidCards(errors, () if strict else findings.warnings)
    return Cards(
        root=root,
        deck=deck,
        sources=sources,
        points=tuple(item.record for item in loaded["points"]),
        concepts=tuple(item.record for item in loaded["concepts"]),
        conditions=tuple(item.record for item in loaded["conditions"]),
        facts=tuple(item.record for item in loaded["facts"]),
        warnings=tuple(sorted(set(findings.warnings))),
        files=tuple(files_loaded),
    )


#: The note kind of each note folder's records (the first part of a note key).
KINDS = {"points": "point", "concepts": "concept", "conditions": "condition", "facts": "fact"}


def record_id(record: Point | Concept | Condition | Fact) -> str:
    """The author-visible id of a record: a point's code, else its `id`."""
    return record.code if isinstance(record, Point) else record.id


def _read(path: Path, findings: Findings) -> Document | None:
    """Parse one file, recording its problems; a missing deck.yaml or sources.yaml is one."""
    if not path.is_file() and path.name in (DECK_FILE, SOURCES_FILE):
        findings.error(problem_at(path, 1, 1, "required file is missing"))
        return None
    loaded = read_yaml(path)
    findings.errors += loaded.errors
    findings.warnings += loaded.warnings
    return loaded.doc


def _usable_keys(doc: Document | None) -> set[str] | None:
    """The keys of an invalid sources.yaml, if they can be trusted: None when the file is
    unusable or a key itself is wrong, so that notes citing it are not reported as well."""
    keys = _raw_keys(doc)
    try:
        TypeAdapter(list[SourceKey]).validate_python(sorted(keys))
    except ValidationError:
        return None
    return keys if doc is not None and isinstance(doc.data, dict) else None


def _raw_keys(doc: Document | None, key: str | None = None) -> set[str]:
    """The keys of a mapping in a parsed, possibly invalid, file (at `key` if given)."""
    data = doc.data if doc is not None else None
    if key is not None:
        data = data.get(key) if isinstance(data, dict) else None
    return {str(name) for name in data} if isinstance(data, dict) else set()


def _stray_yaml(root: Path, files: list[str], findings: Findings) -> None:
    """A warning for each YAML file (of `files`, relative to `root`) that deckgen would not read."""
    for name in files:
        if not name.endswith(YAML_SUFFIXES):
            continue
        parts = tuple(name.split("/"))
        if parts in ((DECK_FILE,), (SOURCES_FILE,)):
            continue
        if len(parts) == 2 and parts[0] in NOTE_FOLDERS:
            continue
        if len(parts) == 1:
            hint = _did_you_mean(parts[0], [DECK_FILE, SOURCES_FILE])
            message = (
                f"YAML file is ignored{hint}: only deck.yaml and sources.yaml are read here; "
                "notes go in points/, concepts/, conditions/ or facts/"
            )
        elif parts[0] in NOTE_FOLDERS:
            message = f"YAML file is ignored: put notes directly in {parts[0]}/, not in a subfolder"
        else:
            hint = _did_you_mean(f"{parts[0]}/", [f"{folder}/" for folder in NOTE_FOLDERS])
            message = (
                f"YAML file is ignored{hint}: '{parts[0]}/' is not a note folder "
                "(points/, concepts/, conditions/ or facts/)"
            )
        findings.warn(problem_at(root / name, 1, 1, message))


def _did_you_mean(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
