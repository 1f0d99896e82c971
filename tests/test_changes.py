"""`stamp`: each note's id and modification time from the lock, and what a build adds,
changes, removes or leaves alone. A note's time moves exactly when its content changes:
Anki's importer ("update if newer") applies a note only when the package's copy is newer.

Built from real note specs and note types, on locks that `stamp` itself wrote."""

from __future__ import annotations

import dataclasses

from deckgen.anki.package import PackagedNote
from deckgen.kinds.notetypes import QA
from deckgen.kinds.occlusion import OCCLUSION
from deckgen.kinds.point import POINT
from deckgen.kinds.spec import Kept, KeptNote, NoteSpec
from deckgen.state.changes import notetype_hash, stamp
from deckgen.state.changeset import REMOVED_TAG, NotetypeChange
from deckgen.state.lock import ID_SPACING, Lock, NoteEntry

#: Build times, in seconds: a day apart.
T0 = 1_767_225_600
T1 = T0 + 86_400
T2 = T1 + 86_400
DECK = "Test Deck::Clinical Context"


def _fact(
    name: str,
    answer: str = "the answer",
    *,
    tags: tuple[str, ...] = ("deckgen::fact",),
    deck: str = DECK,
) -> NoteSpec:
    fields = (f"What is {name}?", answer, "Topic", "", "WHO 2008")
    return NoteSpec("fact", name, QA, fields, tags, deck, origin=f"fact:{name}")


def _mask(number: int) -> str:
    return f"{{{{c{number}::image-occlusion:rect:left=0.{number}:top=0.2:width=0.1:height=0.1}}}}"


def _occlusion(*numbers: int) -> NoteSpec:
    fields = ("".join(map(_mask, numbers)), '<img src="face.svg">', "Face", "", "")
    tags = ("deckgen::occlusion", "diagram::face")
    return NoteSpec("occlusion", "test-deck/face", OCCLUSION, fields, tags, "Test Deck::Points")


def _point_spec(**values: str) -> NoteSpec:
    fields = tuple(
        values.get(
            name.lower(), {"Code": "ST2", "Location": "Here", "Needling": "0.3 cun"}.get(name, "")
        )
        for name in POINT.fields
    )
    return NoteSpec("point", "ST2", POINT, fields, ("deckgen::point",), "Test Deck::Points")


def _by_key(packaged: list[PackagedNote]) -> dict[str, PackagedNote]:
    return {note.key: note for note in packaged}


def _first_build() -> Lock:
    lock, _, _ = stamp([_fact("a"), _fact("b"), _fact("c")], Lock(), T0)
    return lock


def test_a_first_build_adds_every_note_with_a_new_id_at_the_build_time() -> None:
    specs = [_fact("a"), _fact("b"), _fact("c")]
    lock, packaged, changes = stamp(specs, Lock(), T0)
    assert changes.added == ("fact:a", "fact:b", "fact:c")
    assert (changes.changed, changes.removed, changes.unchanged) == ((), (), ())
    assert (changes.notetypes, changes.emptied) == ((), ())  # a new note type is no change
    ids = [lock.notes[spec.key].id for spec in specs]
    assert len(set(ids)) == 3
    for note_id in ids:  # Anki reads an id as its creation time, in milliseconds
        assert note_id % ID_SPACING == 0 and T0 * 1000 <= note_id < (T0 + 86_400) * 1000
    assert {lock.notes[spec.key].mod for spec in specs} == {T0}
    assert lock.notes["fact:a"] == NoteEntry(
        id=ids[0],
        mod=T0,
        notetype="qa",
        deck=DECK,
        tags=("deckgen::fact",),
        names=QA.fields,
        values=_fact("a").fields,
    )
    assert [(n.key, n.guid, n.note_id, n.mod, n.due) for n in packaged] == [
        (spec.key, spec.guid, note_id, T0, position)
        for position, (spec, note_id) in enumerate(zip(specs, ids, strict=True), start=1)
    ]
    assert packaged[0].fields == _fact("a").fields and not packaged[0].cardless
    entry = lock.notetypes["qa"]
    assert (entry.hash, entry.mod, entry.fields) == (notetype_hash(QA), T0, QA.fields)
    assert entry.templates == tuple(template.name for template in QA.templates)
    assert set(lock.notetypes) == {"qa"}  # only the note types the notes use


def test_a_rebuild_of_the_same_notes_changes_no_id_no_time_and_no_byte_of_the_lock() -> None:
    old = _first_build()
    lock, packaged, changes = stamp([_fact("a"), _fact("b"), _fact("c")], old, T1)
    assert changes.unchanged == ("fact:a", "fact:b", "fact:c")
    assert (changes.added, changes.changed, changes.removed, changes.notetypes) == ((),) * 4
    assert {note.mod for note in packaged} == {T0}
    assert [note.note_id for note in packaged] == [old.notes[note.key].id for note in packaged]
    assert lock.to_json() == old.to_json()


def test_a_changed_note_keeps_its_id_moves_its_time_and_names_what_changed() -> None:
    old = _first_build()
    specs = [
        _fact("a", "another answer"),
        _fact("b", tags=("deckgen::fact", "topic::new")),
        _fact("c", deck="Test Deck::Elsewhere"),
        _fact("d"),
    ]
    lock, packaged, changes = stamp(specs, old, T1)
    assert changes.changed == (
        ("fact:a", ("Answer",)),
        ("fact:b", ("tags",)),
        ("fact:c", ("deck",)),
    )
    assert (changes.added, changes.unchanged, changes.removed) == (("fact:d",), (), ())
    for key in ("fact:a", "fact:b", "fact:c"):
        assert lock.notes[key].id == old.notes[key].id
        assert lock.notes[key].mod == _by_key(packaged)[key].mod == T1
    assert dict(lock.notes["fact:a"].fields)["Answer"] == "another answer"
    assert lock.notes["fact:b"].tags == ("deckgen::fact", "topic::new")
    assert lock.notes["fact:c"].deck == _by_key(packaged)["fact:c"].deck == "Test Deck::Elsewhere"


def test_only_the_changed_note_s_time_moves() -> None:
    old = _first_build()
    lock, packaged, changes = stamp([_fact("a"), _fact("b", "edited"), _fact("c")], old, T1)
    assert changes.unchanged == ("fact:a", "fact:c")
    assert {key: note.mod for key, note in _by_key(packaged).items()} == {
        "fact:a": T0,
        "fact:b": T1,
        "fact:c": T0,
    }
    assert lock.notes["fact:a"] == old.notes["fact:a"]
    assert lock.notes["fact:c"] == old.notes["fact:c"]


def test_a_change_is_stamped_after_the_last_one_even_when_the_clock_is_behind() -> None:
    """A clock set back (or a build dated by SOURCE_DATE_EPOCH) must not make a change
    older than what Anki has: it would never be imported."""
    old = _first_build()
    lock, _, changes = stamp([_fact("a", "edited"), _fact("b"), _fact("c")], old, T0 - 3600)
    assert changes.changed == (("fact:a", ("Answer",)),)
    assert lock.notes["fact:a"].mod == T0 + 1
    assert lock.notes["fact:b"].mod == T0
    again, _, _ = stamp([_fact("a", "edited twice"), _fact("b"), _fact("c")], lock, T0 - 1800)
    assert again.notes["fact:a"].mod == T0 + 2


def test_a_removed_note_is_shipped_tagged_once_and_kept_in_the_lock() -> None:
    old = _first_build()
    lock, packaged, changes = stamp([_fact("a"), _fact("c")], old, T1)
    assert changes.removed == ("fact:b",)
    assert changes.unchanged == ("fact:a", "fact:c")
    entry = lock.notes["fact:b"]
    assert entry.removed and entry.tags == ("deckgen::fact", REMOVED_TAG)
    before = old.notes["fact:b"]
    assert (entry.id, entry.mod, entry.fields) == (before.id, T1, before.fields)
    shipped = _by_key(packaged)["fact:b"]
    assert shipped.cardless and shipped.tags == entry.tags and shipped.mod == T1
    assert shipped.fields == _fact("b").fields  # as the reader last had it
    assert packaged[-1] is shipped  # after the notes still in the cards

    # Still gone a build later: not reported again, not stamped again, still shipped
    # (for a reader who skipped an import).
    later, packaged, changes = stamp([_fact("a"), _fact("c")], lock, T2)
    assert changes.removed == ()
    assert later.notes["fact:b"] == entry
    assert _by_key(packaged)["fact:b"].mod == T1
    assert later.to_json() == lock.to_json()


def test_a_removed_note_that_comes_back_is_added_again_with_its_old_id() -> None:
    old = _first_build()
    removed, _, _ = stamp([_fact("a"), _fact("c")], old, T1)
    lock, packaged, changes = stamp([_fact("a"), _fact("b"), _fact("c")], removed, T1)
    assert changes.added == ("fact:b",)
    entry = lock.notes["fact:b"]
    assert not entry.removed and REMOVED_TAG not in entry.tags
    assert entry.id == old.notes["fact:b"].id
    assert entry.mod == T1 + 1  # newer than the removal, made in the same second
    assert not _by_key(packaged)["fact:b"].cardless


def test_a_note_of_a_note_type_no_kind_has_is_kept_in_the_lock_but_not_shipped() -> None:
    """A plugin kind uninstalled: its notes cannot be shipped, but keep their ids in the
    lock, so that they are the same notes when it comes back."""
    old = _first_build()
    retired = NoteEntry(
        id=T0 * 1000 - ID_SPACING,
        mod=T0,
        notetype="retired",
        deck=DECK,
        tags=(),
        names=(),
        values=(),
    )
    old.notes["retired:x"] = retired
    lock, packaged, changes = stamp([_fact("a"), _fact("b"), _fact("c")], old, T1)
    assert lock.notes["retired:x"] == retired
    assert "retired:x" not in _by_key(packaged)
    assert changes.removed == ()


def test_a_new_note_never_takes_an_id_the_lock_holds() -> None:
    old = _first_build()
    lock, _, _ = stamp([_fact(name) for name in "abcdefgh"], old, T0)
    ids = [entry.id for entry in lock.notes.values()]
    assert len(set(ids)) == len(ids) == 8
    assert all(lock.notes[key].id == old.notes[key].id for key in old.notes)


def test_a_note_type_whose_templates_changed_is_reported_and_its_notes_left_alone() -> None:
    old = _first_build()
    old.notetypes["qa"] = dataclasses.replace(old.notetypes["qa"], hash="0" * 32)
    lock, packaged, changes = stamp([_fact("a"), _fact("b"), _fact("c")], old, T1)
    assert changes.notetypes == (NotetypeChange("deckgen Q&A", fields_changed=False),)
    assert (lock.notetypes["qa"].hash, lock.notetypes["qa"].mod) == (notetype_hash(QA), T1)
    assert changes.unchanged == ("fact:a", "fact:b", "fact:c")
    assert {note.mod for note in packaged} == {T0}


def test_a_note_type_whose_fields_or_card_types_changed_needs_a_merge() -> None:
    for change in ({"fields": QA.fields[:-1]}, {"templates": ("Old card",)}):
        old = _first_build()
        old.notetypes["qa"] = dataclasses.replace(old.notetypes["qa"], hash="0" * 32, **change)
        lock, _, changes = stamp([_fact("a"), _fact("b"), _fact("c")], old, T1)
        assert changes.notetypes == (NotetypeChange("deckgen Q&A", fields_changed=True),)
        assert lock.notetypes["qa"].fields == QA.fields
        assert lock.notetypes["qa"].templates == tuple(t.name for t in QA.templates)


def test_a_note_type_changed_in_the_same_second_is_still_stamped_newer() -> None:
    old = _first_build()
    old.notetypes["qa"] = dataclasses.replace(old.notetypes["qa"], hash="0" * 32)
    lock, _, _ = stamp([_fact("a"), _fact("b"), _fact("c")], old, T0)
    assert lock.notetypes["qa"].mod == T0 + 1


def test_a_note_that_moves_to_another_note_type_is_changed() -> None:
    old = _first_build()
    point = NoteSpec("fact", "a", POINT, ("x",) * len(POINT.fields), ("deckgen::fact",), DECK)
    lock, packaged, changes = stamp([point, _fact("b"), _fact("c")], old, T1)
    (key, fields), *_ = changes.changed
    assert key == "fact:a" and {"Question", "Code"} <= set(fields)
    assert lock.notes["fact:a"].notetype == "point"
    assert _by_key(packaged)["fact:a"].notetype == POINT
    assert changes.notetypes == ()  # the point note type is new to this deck, not changed
    assert set(lock.notetypes) == {"qa", "point"}


def test_kept_notes_are_shipped_as_the_lock_has_them() -> None:
    old = _first_build()
    entry = old.notes["fact:a"]
    kept = Kept(
        origin="fact:a",
        notes=(KeptNote("fact:a", _fact("a").guid, entry.id, entry.mod, "qa", DECK),),
    )
    lock, packaged, changes = stamp([kept, _fact("b"), _fact("c", "edited")], old, T1)
    assert changes.unchanged == ("fact:a", "fact:b")
    assert changes.changed == (("fact:c", ("Answer",)),)
    assert lock.notes.encoded("fact:a") == old.notes.encoded("fact:a")
    note = _by_key(packaged)["fact:a"]
    assert note.kept and (note.note_id, note.mod, note.due) == (entry.id, T0, 1)


def test_an_occlusion_card_whose_mask_went_is_reported_as_emptied() -> None:
    old, _, _ = stamp([_occlusion(1, 2, 3)], Lock(), T0)
    old.occlusion = {"face": {"GB14": 1, "ST2": 2, "LI4": 3}}
    lock, _, changes = stamp([_occlusion(1, 3)], old, T1)
    assert changes.changed == (("occlusion:test-deck/face", ("Occlusion",)),)
    why = "asked about point ST2, which left the diagram"
    assert changes.emptied == (("occlusion:test-deck/face", 2, why),)
    assert lock.notes["occlusion:test-deck/face"].mod == T1

    # A mask added, or one whose place moved, empties no card.
    _, _, changes = stamp([_occlusion(1, 2, 3, 4)], old, T1)
    assert changes.emptied == ()
    spec = _occlusion(1, 2, 3)
    masks = _mask(1) + _mask(2).replace("top=0.2", "top=0.7") + _mask(3)
    moved = dataclasses.replace(spec, fields=(masks, *spec.fields[1:]))
    _, _, changes = stamp([moved], old, T1)
    assert changes.changed == (("occlusion:test-deck/face", ("Occlusion",)),)
    assert changes.emptied == ()


def test_a_template_card_left_with_nothing_to_ask_is_reported_as_emptied() -> None:
    """A point's actions card goes when its actions and indications move to cards of their
    own: Anki keeps the old card, empty, until Tools → Empty Cards."""
    spec = _point_spec(indications="<ul><li>Twitching.</li></ul>")
    old, _, _ = stamp([spec], Lock(), T0)
    emptied = dataclasses.replace(
        spec,
        fields=tuple(
            "" if name in ("Indications", "Actions") else value
            for name, value in zip(spec.notetype.fields, spec.fields, strict=True)
        ),
    )
    _, _, changes = stamp([emptied], old, T1)
    assert changes.emptied == (("point:ST2", 3, "('Point → Actions') has nothing left to ask"),)
