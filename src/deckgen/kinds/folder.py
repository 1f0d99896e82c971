"""Load a cards folder: parse every file, validate it as its kind, and check references
across files.

Every problem is collected, none raised early. `read_cards` gives the folder and its
findings; `load_cards` raises one `InvalidCards` listing every error. Warnings (unknown
keys, unused media, raw HTML, stray files) come back in `Cards.warnings`, or count as
errors with `strict=True`.
"""

from __future__ import annotations

import functools
import marshal
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from deckgen.kinds import registry
from deckgen.kinds.checks import (
    check_across,
    check_citations,
    check_deck_names,
    check_giveaways,
    check_html,
    check_note_file,
    check_order,
    strings,
)
from deckgen.kinds.deck import (
    YAML_SUFFIXES,
    DeckConfig,
    Source,
    Sources,
    deck_model,
)
from deckgen.kinds.diagrams import BUILTIN
from deckgen.kinds.fields import SourceKey, share_fields_set
from deckgen.kinds.kind import FileContext, Index, Kind, Summary
from deckgen.kinds.notefile import NoteFile
from deckgen.kinds.strayfiles import or_list, stray_yaml
from deckgen.kinds.textimages import check_text_images, files_used
from deckgen.source.cardsfolder import DECK_FILE, SOURCES_FILE, START_HINT
from deckgen.source.errors import (
    DeckgenError,
    Findings,
    InvalidCards,
    Problem,
    display_path,
    problem_at,
)
from deckgen.source.files import Listing, scan
from deckgen.source.images import (
    check_diagram_images,
    is_media,
    lexical,
    media_names,
    unused_media,
)
from deckgen.source.messages import validate
from deckgen.source.yamldoc import Document, read_yaml

__all__ = ["DECK_FILE", "SOURCES_FILE", "Cards", "NoteFile", "Sources", "load_cards", "read_cards"]

#: The files a cards folder holds besides its notes, which `is_input` also knows: the lock.
OTHER_INPUTS = ("deckgen.lock",)

Record = TypeVar("Record", bound=BaseModel)


@dataclass(frozen=True)
class Cards:
    """A whole, valid cards folder, and the warnings found in it."""

    root: Path
    deck: DeckConfig
    sources: dict[str, Source]
    files: tuple[NoteFile, ...]  # kind by kind, in registry order; each by file name
    warnings: tuple[Problem, ...] = ()
    #: The sha256 of each YAML file parsed (by name): what this build read of it.
    read: dict[str, str] = field(default_factory=dict)

    def of_kind(self, name: str) -> tuple[NoteFile, ...]:
        """The note files of one kind, in file-name order."""
        return self._by_kind.get(name, ())

    @cached_property
    def _by_kind(self) -> dict[str, tuple[NoteFile, ...]]:
        found: dict[str, list[NoteFile]] = {}
        for file in self.files:
            found.setdefault(file.kind.name, []).append(file)
        return {name: tuple(files) for name, files in found.items()}

    def records_of(self, kind: Kind[Record, Any]) -> tuple[Record, ...]:
        """The records of one kind (validated again where the cache kept only summaries)."""
        return tuple(file.record for file in self.of_kind(kind.name))

    @property
    def records(self) -> tuple[BaseModel, ...]:
        """Every note record, in build order."""
        return tuple(file.record for file in self.files)


def _note_names(listing: Listing) -> dict[str, list[str]]:
    """The YAML files of each kind's folder, as names relative to the cards folder, in
    authored (file name) order."""
    found: dict[str, list[str]] = {folder: [] for folder in registry.folders()}
    for name in listing.files:  # sorted: so is each folder's part
        folder, _, rest = name.partition("/")
        names = found.get(folder)
        if names is not None and _is_note_name(rest):
            names.append(name)
    return found


def _is_note_name(name: str) -> bool:
    """Whether a name inside a note folder is a note file's: YAML, not hidden, no folder."""
    return name.endswith(YAML_SUFFIXES) and not name.startswith(".") and "/" not in name


def is_input(name: str) -> bool:
    """Whether deckgen reads the file or folder of this name (relative to the cards
    folder; a folder's ends with '/') when it is there."""
    folder, _, rest = name.rstrip("/").partition("/")
    folders = registry.folders()
    if not rest:
        return folder in (".", DECK_FILE, SOURCES_FILE, *OTHER_INPUTS, *folders)
    return folder in folders and _is_note_name(rest)


def is_note_file(name: str) -> bool:
    """Whether a name (relative to the cards folder) is a note file's: a kind's folder,
    then a name as `_is_note_name` has it (one pattern: asked of every input, twice a
    build)."""
    return _note_file(registry.folders()).fullmatch(name) is not None


@functools.cache
def _note_file(folders: tuple[str, ...]) -> re.Pattern[str]:
    either = "|".join(re.escape(folder) for folder in folders)
    suffix = "|".join(re.escape(suffix) for suffix in YAML_SUFFIXES)
    return re.compile(rf"(?:{either})/(?!\.)[^/]*(?:{suffix})")


def _unusable_folders(
    root: Path, listing: Listing, unreadable: dict[str, list[str]], findings: Findings
) -> frozenset[str]:
    """The note folders that cannot be read (reported: a file named like one is an error
    here; a link or a folder that cannot be listed is reported with the refused entries).
    The stems of note files refused are added to `unreadable` (by kind): references to
    them are not reported again."""
    kind_of = {kind.folder: kind.name for kind in registry.kinds()}
    for name in listing.refused:
        folder, _, rest = name.partition("/")
        if folder in kind_of and _is_note_name(rest):
            unreadable[kind_of[folder]].append(rest.rsplit(".", 1)[0])
    top = {name for name in listing.files if "/" not in name}
    for folder in kind_of:
        if folder in top:
            message = "is a file, not a folder of notes; make it a folder"
            findings.error(problem_at(root / folder, 1, 1, message))
    top |= {name.rstrip("/") for name in listing.refused}
    return frozenset(folder for folder in kind_of if folder in top)


def _refused(root: Path, listing: Listing, used: set[Path], findings: Findings) -> None:
    """Each entry deckgen will not read, located: an error if it is an input (a note file,
    deck.yaml, sources.yaml, the lock), else a warning; but for the images in `used`,
    whose problems deck.yaml's check reports where they are named."""
    refused = dict(listing.refused)
    for name in listing.folders:
        if is_input(name) and "/" in name.rstrip("/"):  # e.g. 'points/ST3.yaml/'
            refused[name] = "is a folder, not a note file"
    for name, why in sorted(refused.items()):
        path = root / name.rstrip("/")
        if any(lexical(path) == image or lexical(path) in image.parents for image in used):
            continue  # an image named in deck.yaml, or a folder on its way: reported there
        problem = problem_at(path, 1, 1, why)
        if is_input(name):
            findings.error(problem)
        else:
            findings.warn(problem)


def load_cards(
    root: Path,
    *,
    strict: bool = False,
    cached: Mapping[str, NoteFile] | None = None,
    listing: Listing | None = None,
) -> Cards:
    """Parse and validate everything under `root`, or raise `InvalidCards` listing every error.

    With `strict`, warnings count as errors. See `read_cards` for `cached` and `listing`.
    """
    cards, findings = read_cards(root, cached=cached, listing=listing)
    return valid(cards, findings, strict=strict)


def valid(cards: Cards | None, findings: Findings, *, strict: bool = False) -> Cards:
    """The cards, unless `findings` holds an error (or, with `strict`, a warning): then
    raise `InvalidCards` listing them all."""
    errors = findings.errors + (findings.warnings if strict else [])
    if errors or cards is None:
        raise InvalidCards(errors, () if strict else findings.warnings)
    return cards


def read_cards(
    root: Path,
    *,
    cached: Mapping[str, NoteFile] | None = None,
    listing: Listing | None = None,
) -> tuple[Cards | None, Findings]:
    """Parse and validate everything under `root`: the folder (None if it is not valid)
    and every problem found.

    `cached` holds note files, by name, as an earlier load gave them and known to be
    unchanged since: they are not read again, and only the checks across files see them.
    `listing` is `root` as `sourcefiles.scan` lists it, if the caller has it.
    """
    if not root.is_dir():
        what = "is not a folder" if os.path.lexists(root) else "does not exist"
        raise DeckgenError(f"cards folder '{display_path(root)}' {what}{START_HINT}")
    kinds = registry.kinds()
    folders = ", ".join(f"{kind.folder}/" for kind in kinds)
    listing = listing or scan(root)
    files = [name for name in listing.files if not name.rpartition("/")[2].startswith(".")]
    if not files and not listing.refused:
        raise DeckgenError(
            f"cards folder '{display_path(root)}' is empty: add deck.yaml, sources.yaml "
            f"and notes under {or_list(folders)}{START_HINT}"
        )
    findings = Findings()
    stray_yaml(root, [name for name in files if name not in listing.targets], findings)

    deck_doc = _read(root, DECK_FILE, listing, findings)
    deck = validate(deck_doc, deck_model(kinds), findings) if deck_doc else None
    sources_doc = _read(root, SOURCES_FILE, listing, findings)
    sources = validate(sources_doc, Sources, findings) if sources_doc else None
    source_keys = set(sources) if sources is not None else _usable_keys(sources_doc)
    context = FileContext(source_keys, set(BUILTIN) | _raw_keys(deck_doc, "diagrams"))

    loaded: list[NoteFile] = []
    summaries: dict[str, list[tuple[Document, Summary]]] = {}
    unreadable: dict[str, list[str]] = {}
    names = _note_names(listing)
    media = media_names(listing)
    for kind in kinds:
        summaries[kind.name], unreadable[kind.name] = [], []
        for name in names[kind.folder]:
            path = root / name
            file = cached.get(name) if cached else None
            if file is not None:
                findings.warnings += file.warnings
            else:
                file, invalid = _load_note(kind, root, name, context, media, findings)
                if file is None:
                    unreadable[kind.name].append(path.stem)
                    if invalid is not None:  # parsed but not valid: its ids still count
                        data = invalid.data if isinstance(invalid.data, dict) else {}
                        summaries[kind.name].append((invalid, kind.summary_of_data(data)))
                    continue
            loaded.append(file)
            summaries[kind.name].append((Document(path, None, root=root), file.summary))
    if not any(summaries.values()) and not any(unreadable.values()):
        message = f"no notes found: add YAML files under {or_list(folders)}"
        findings.error(problem_at(root, 1, 1, message))

    unusable = _unusable_folders(root, listing, unreadable, findings)
    known = check_across(kinds, Index(summaries), unreadable, findings, unusable=unusable)
    if deck_doc is not None:
        check_order(deck_doc, known, findings, complete=not unusable)
        check_deck_names(deck_doc, kinds, findings)
    for doc in (deck_doc, sources_doc):
        if doc is not None:
            check_html(doc, findings)
    used = check_diagram_images(root, deck_doc, media, findings) if deck_doc else set()
    for file in loaded:
        used |= files_used(root, file.data)
    _refused(root, listing, used, findings)
    unused_media([root / name for name in files if is_media(name)], used, findings)
    notes_read = any(summaries.values()) and not any(unreadable.values())
    if sources_doc is not None and sources is not None and notes_read:
        cited = {key for entries in summaries.values() for _, s in entries for key in s.sources}
        _unused_sources(sources_doc, sources, cited, findings)

    if findings.errors or deck is None or sources is None:
        return None, findings
    cards = Cards(
        root=root,
        deck=deck,
        sources=sources,
        files=tuple(loaded),
        warnings=tuple(sorted(set(findings.warnings))),
        read={
            name: doc.digest
            for name, doc in ((DECK_FILE, deck_doc), (SOURCES_FILE, sources_doc))
            if doc is not None
        }
        | {file.name: file.digest for file in loaded if not file.reused},
    )
    return cards, findings


def _unused_sources(
    doc: Document, sources: Mapping[str, Source], cited: set[str], findings: Findings
) -> None:
    """A warning for each source in sources.yaml that no note cites (the deck description
    lists only the sources cited)."""
    for key in sources:
        if key not in cited:
            message = f"{key}: no note cites this source; cite it or remove it"
            findings.warn(doc.problem((key,), message, at_key=True))


def _load_note(
    kind: Kind[Any, Any],
    root: Path,
    name: str,
    context: FileContext,
    media: list[str],
    findings: Findings,
) -> tuple[NoteFile | None, Document | None]:
    """Read, validate and check one note file on its own. For a file that does not
    validate: None, and its parsed document if there is one."""
    own = Findings()  # what this file alone gives: kept for the next build
    doc = _read(root, name, None, own)
    record = None
    if doc is not None:
        texts = list(strings(doc.data))  # walked once for both
        check_html(doc, own, cloze_keys=kind.cloze_keys, texts=texts)
        check_text_images(root, doc, media, own, texts)
        record = validate(doc, kind.model, own)
        check_note_file(kind, doc, context, own)
        if record is not None:
            share_fields_set(record)  # kept until its notes are made
            check_giveaways(kind, record, doc, own)
            check_citations(kind, record, doc, own)
    findings.extend(own)
    if doc is None or record is None:
        return None, doc
    data = marshal.dumps(doc.data)
    summary = kind.summarise(record)
    file = NoteFile(root, name, kind, data, summary, tuple(own.warnings), record)
    file.digest = doc.digest
    return file, None


def _read(root: Path, name: str, listing: Listing | None, findings: Findings) -> Document | None:
    """Parse one file of the cards folder, recording its problems. Given the `listing`, a
    file it refused is not read (that is reported already), and a missing one is a problem."""
    path = root / name
    if listing is not None and name not in listing.files:
        if f"{name}/" in listing.folders:
            message = "is a folder, not a regular file; deckgen does not read it"
            findings.error(problem_at(path, 1, 1, message))
        elif name not in listing.refused:
            hint = START_HINT if name == DECK_FILE else ""
            findings.error(problem_at(path, 1, 1, f"required file is missing{hint}"))
        return None
    loaded = read_yaml(path, root=root)
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
