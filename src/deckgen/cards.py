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
from functools import cached_property
from pathlib import Path
from typing import cast

from pydantic import TypeAdapter, ValidationError

from deckgen.describe import validate
from deckgen.diagrams import BUILTIN
from deckgen.errors import DeckgenError, Findings, InvalidCards, Problem, display_path, problem_at
from deckgen.gcpause import gc_paused
from deckgen.media_check import check_diagram_images, is_media, unused_media, walk_files
from deckgen.notefile import NoteFile, summarise
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
from deckgen.validate import check_file, check_html, check_order, check_references
from deckgen.yamldoc import Document, read_yaml

__all__ = [
    "DECK_FILE",
    "SOURCES_FILE",
    "Cards",
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
class Cards:
    """A whole, valid cards folder, and the warnings found in it."""

    root: Path
    deck: DeckConfig
    sources: dict[str, Source]
    files: tuple[NoteFile, ...]  # points, concepts, conditions, facts; each by file name
    warnings: tuple[Problem, ...] = ()

    def in_folder(self, folder: str) -> tuple[NoteFile, ...]:
        return self._by_folder.get(folder, ())

    @cached_property
    def _by_folder(self) -> dict[str, tuple[NoteFile, ...]]:
        return {
            folder: tuple(file for file in self.files if file.folder == folder)
            for folder in NOTE_FOLDERS
        }

    # The records are validated again only where one is asked for (see `NoteFile.record`).
    @cached_property
    def points(self) -> tuple[Point, ...]:
        return tuple(cast(Point, file.record) for file in self.in_folder("points"))

    @cached_property
    def concepts(self) -> tuple[Concept, ...]:
        return tuple(cast(Concept, file.record) for file in self.in_folder("concepts"))

    @cached_property
    def conditions(self) -> tuple[Condition, ...]:
        return tuple(cast(Condition, file.record) for file in self.in_folder("conditions"))

    @cached_property
    def facts(self) -> tuple[Fact, ...]:
        return tuple(cast(Fact, file.record) for file in self.in_folder("facts"))

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
    earlier load gave them and known to be unchanged since: they are not read again, and
    only the checks across files see them.
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
    source_keys = set(sources) if sources is not None else _usable_keys(sources_doc)
    diagram_names = set(BUILTIN) | _raw_keys(deck_doc, "diagrams")

    loaded: list[NoteFile] = []
    docs: dict[str, list[Document]] = {}  # per folder: what the checks across files read
    unreadable: dict[str, list[str]] = {}
    for folder in NOTE_FOLDERS:
        docs[folder], unreadable[folder] = [], []
        for path in note_files(root, folder):
            name = f"{folder}/{path.name}"
            file = cached.get(name) if cached else None
            if file is not None:
                findings.warnings += file.warnings
            else:
                file, invalid = _load_note(name, path, source_keys, diagram_names, findings)
                if file is None:
                    unreadable[folder].append(path.stem)
                    if invalid is not None:  # parsed but not valid: its ids still count
                        docs[folder].append(invalid)
                    continue
            loaded.append(file)
            docs[folder].append(Document(path, file.summary))
    if not any(docs.values()) and not any(unreadable.values()):
        message = "no notes found: add YAML files under points/, concepts/, conditions/ or facts/"
        findings.error(problem_at(root, 1, 1, message))

    known = check_references(docs, unreadable, findings)
    if deck_doc is not None:
        check_order(deck_doc, known, findings)
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
        files=tuple(loaded),
        warnings=tuple(sorted(set(findings.warnings))),
    )


def _load_note(
    name: str,
    path: Path,
    source_keys: set[str] | None,
    diagram_names: set[str],
    findings: Findings,
) -> tuple[NoteFile | None, Document | None]:
    """Read, validate and check one note file on its own. For a file that does not
    validate: None, and its parsed document if there is one."""
    folder = name.partition("/")[0]
    own = Findings()  # what this file alone gives: kept for the next build
    doc = _read(path, own)
    record = None
    if doc is not None:
        check_html(doc, own)
        record = validate(doc, NOTE_FOLDERS[folder], own)
        check_file(folder, doc, source_keys, diagram_names, own)
    findings.extend(own)
    if doc is None or record is None:
        return None, doc
    data = marshal.dumps(doc.data)
    file = NoteFile(path.parents[1], name, data, summarise(record), tuple(own.warnings), record)
    return file, None


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
