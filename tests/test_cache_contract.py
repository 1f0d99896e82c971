"""The cache contract (see `deckgen.kinds.kind`): a record's notes are made from its file,
the shared inputs and what its kind declares it `reads` of other files, nothing else; the
build cache reuses them only while all of that is as it was.

Each declared dependency has an edit here that changes only what is read: the rebuild
must remake exactly the notes that read it, and give the .apkg a build from scratch gives.
A kind that declares a dependency without an edit here fails the first test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from conftest import Parsed
from deckgen.build import build
from deckgen.kinds import registry
from deckgen.kinds.condition import Condition, ConditionKind
from deckgen.kinds.kind import Kind, NoteContext
from deckgen.kinds.spec import NoteSpec
from test_incremental import _incremental_and_full, _replace

Edit = Callable[[Path], None]

#: For each kind that reads other files: an edit of the mini deck that changes only what
#: one of its records reads, and the notes that must be made again.
DEPENDENCY_EDITS: dict[str, tuple[Edit, set[str]]] = {
    "condition": (
        _replace("conditions/blepharospasm.yaml", "name: Blepharospasm", "name: Blepharo"),
        # blepharospasm's own note, and hemifacial spasm's, whose comparison shows the name
        {"condition:blepharospasm", "condition:hemifacial-spasm", "comparison:"},
    ),
}


def _declares_reads(kind: Kind[Any, Any]) -> bool:
    return type(kind).reads is not Kind.reads


def test_every_declared_dependency_has_an_edit_here() -> None:
    declaring = {kind.name for kind in registry.kinds() if _declares_reads(kind)}
    assert declaring == set(DEPENDENCY_EDITS)


@pytest.mark.parametrize("kind", sorted(DEPENDENCY_EDITS))
def test_a_change_to_what_a_note_reads_remakes_it_and_only_it(
    kind: str, mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit, remade = DEPENDENCY_EDITS[kind]
    incremental, full, parsed = _incremental_and_full(mini_cards, tmp_path, monkeypatch, edit)
    # `_incremental_and_full` has compared the two packages byte for byte already.
    assert incremental.changes == full.changes
    changed = {key for key, _ in incremental.changes.changed}
    assert {key for key in changed if not key.startswith("comparison:")} <= remade
    assert any(key.startswith("comparison:hemifacial-spasm/") for key in changed)
    # Only the edited file is parsed again: the other condition's notes are remade from
    # its cached data because what it reads changed, not because it was read again.
    assert sorted(parsed) == ["blepharospasm.yaml", "deck.yaml", "sources.yaml"]


def test_what_a_note_reads_is_only_what_it_names(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A condition that no other condition is compared with is renamed: no other note
    read its name, so none is made again."""
    out = tmp_path / "out"
    build(cards_dir=mini_cards, out_dir=out)
    _replace("conditions/hemifacial-spasm.yaml", "name: Hemifacial spasm", "name: HFS")(mini_cards)
    report = build(cards_dir=mini_cards, out_dir=out)
    changed = {key for key, _ in report.changes.changed}
    assert changed and all("hemifacial-spasm" in key for key in changed)


class _SeeAlso(ConditionKind):
    """Conditions whose main note also names, on its back, the conditions it is compared
    with: a new cross-file lookup, declared by the inherited `reads`."""

    def notes(
        self, record: Condition, reads: Mapping[str, str], context: NoteContext
    ) -> Iterator[NoteSpec]:
        for spec in super().notes(record, reads, context):
            if spec.kind == "condition":
                see_also = ", ".join(reads[d.condition] for d in record.distinguish_from)
                fields = list(spec.fields)
                fields[spec.notetype.fields.index("Cause")] += f" See also: {see_also}."
                spec = NoteSpec(**{**spec.__dict__, "fields": tuple(fields)})
            yield spec


def test_a_new_lookup_through_reads_never_ships_stale_notes(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with registry.using(_SeeAlso()):
        incremental, _, _ = _incremental_and_full(
            mini_cards, tmp_path, monkeypatch, DEPENDENCY_EDITS["condition"][0]
        )
    changed = {key for key, _ in incremental.changes.changed}
    assert "condition:hemifacial-spasm" in changed  # its "see also" shows the new name


def test_a_kind_whose_code_changes_makes_its_notes_again(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kind's own code is an input: swapping it for another is no "nothing changed"."""
    out = tmp_path / "out"
    build(cards_dir=mini_cards, out_dir=out)
    parsed = Parsed(monkeypatch)
    with registry.using(_SeeAlso()):
        report = build(cards_dir=mini_cards, out_dir=out)
    assert parsed.names  # not skipped as unchanged
    assert "condition:hemifacial-spasm" in {key for key, _ in report.changes.changed}
