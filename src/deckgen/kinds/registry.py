"""The registered kinds, in build order: everything that reads, checks, builds, previews or
scaffolds note files asks this module which kinds there are.

deckgen registers its own four. Another kind (a herb, a formula) is a `Kind` subclass in
a module of its own, added with `register` (or, for a while, with `registered`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from types import MappingProxyType
from typing import Any

from deckgen.kinds.concept import ConceptKind
from deckgen.kinds.condition import ConditionKind
from deckgen.kinds.fact import FactKind
from deckgen.kinds.kind import Kind
from deckgen.kinds.notetypes import NoteType
from deckgen.kinds.point import PointKind

AnyKind = Kind[Any, Any]

#: deckgen's own kinds.
POINTS = PointKind()
CONCEPTS = ConceptKind()
CONDITIONS = ConditionKind()
FACTS = FactKind()

_KINDS: list[AnyKind] = [POINTS, CONCEPTS, CONDITIONS, FACTS]


def kinds() -> tuple[AnyKind, ...]:
    """Every registered kind, in build order (the order of their notes and subdecks)."""
    return tuple(_KINDS)


def by_name(name: str) -> AnyKind:
    for kind in _KINDS:
        if kind.name == name:
            return kind
    raise KeyError(name)


def register(kind: AnyKind) -> None:
    """Add a kind after the others. Its name, folder and note types must be new."""
    for other in _KINDS:
        if kind.name == other.name or kind.folder == other.folder:
            raise ValueError(f"kind '{kind.name}' ({kind.folder}/) is registered already")
    known = note_types()
    for notetype in kind.note_types:
        if known.get(notetype.key, notetype) != notetype:
            raise ValueError(f"note type '{notetype.key}' is another kind's")
    _KINDS.append(kind)


@contextmanager
def registered(kind: AnyKind) -> Iterator[AnyKind]:
    """A kind registered for the duration of a `with` block."""
    register(kind)
    try:
        yield kind
    finally:
        _KINDS.remove(kind)


@contextmanager
def using(*replacements: AnyKind) -> Iterator[None]:
    """For the duration of a `with` block, each of `replacements` in place of the kind of
    the same name (a kind with a changed note type, say)."""
    saved = list(_KINDS)
    names = {kind.name: kind for kind in replacements}
    unknown = set(names) - {kind.name for kind in saved}
    if unknown:
        raise KeyError(f"no kind named {', '.join(sorted(unknown))}")
    _KINDS[:] = [names.get(kind.name, kind) for kind in saved]
    try:
        yield
    finally:
        _KINDS[:] = saved


def note_types() -> Mapping[str, NoteType]:
    """Every note type of the registered kinds, by key."""
    return _note_types(kinds())


def folders() -> tuple[str, ...]:
    """Each kind's folder, in build order."""
    return _folders(kinds())


# Asked for once per note or input file: worked out once per set of kinds.
@cache
def _note_types(registered: tuple[AnyKind, ...]) -> Mapping[str, NoteType]:
    return MappingProxyType({nt.key: nt for kind in registered for nt in kind.note_types})


@cache
def _folders(registered: tuple[AnyKind, ...]) -> tuple[str, ...]:
    return tuple(kind.folder for kind in registered)
