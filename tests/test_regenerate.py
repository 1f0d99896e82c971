"""Issue 5's scenario matrix: build v1, import, study every card; change one thing;
rebuild, re-import, and check that exactly the edit arrived and no history was lost."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from anki.cards import CardId
from anki.models import NotetypeId
from anki.notes import NoteId

import deckgen.kinds.notetypes
from ankitest import ALWAYS, Collection, import_package, revlog_count, study_all
from deckgen.build import BuildReport, build
from deckgen.kinds import registry
from deckgen.kinds.ids import note_guid
from deckgen.kinds.kind import NoteContext
from deckgen.kinds.notetypes import CLOZE, QA, NoteType
from deckgen.kinds.occlusion import OCCLUSION
from deckgen.kinds.point import POINT, Point, PointKind
from deckgen.kinds.spec import NoteSpec
from deckgen.state import cache as buildcache
from deckgen.state.cachefile import cache_path
from deckgen.state.changeset import REMOVED_TAG

pytestmark = pytest.mark.slow  # every test imports into a real Anki collection and studies

V1_TIME, V2_TIME = 1_800_000_000, 1_800_086_400


@dataclass
class Studied:
    """A collection that imported v1 of the mini deck and studied every card once."""

    cards: Path
    out: Path
    col: Collection
    note_mods: dict[str, int]  # guid -> modification time
    card_state: dict[CardId, tuple[int, int, int, int]]  # card id -> (ivl, reps, type, due)
    reviews: int
    monkeypatch: pytest.MonkeyPatch

    def rebuild(self) -> BuildReport:
        # Some scenarios patch deckgen's code in memory, which the saved build state and
        # cache (keyed on files) cannot see: start each rebuild without them.
        buildcache.forget(cache_path(self.out, self.cards))
        self.monkeypatch.setenv("SOURCE_DATE_EPOCH", str(V2_TIME))
        return build(cards_dir=self.cards, out_dir=self.out)

    def edit(self, relative: str, change: Callable[[dict[str, object]], None]) -> None:
        path = self.cards / relative
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def guid_of(self, note_id: NoteId) -> str:
        return str(self.col.get_note(note_id).guid)

    def note_id(self, kind: str, key: str) -> NoteId:
        guid = note_guid(kind, key)
        (found,) = [n for n in self.col.find_notes("") if self.guid_of(n) == guid]
        return found

    def assert_only_updated(self, log: object, keys: set[str]) -> None:
        """The import updated exactly these notes; every other note kept its mod time."""
        expected = {note_guid(*key.split(":", 1)) for key in keys}
        updated = {self.guid_of(entry.id.nid) for entry in log.updated}  # type: ignore[attr-defined]
        assert updated == expected
        for note_id in self.col.find_notes(""):
            note = self.col.get_note(note_id)
            if note.guid in self.note_mods and note.guid not in expected:
                assert note.mod == self.note_mods[note.guid], f"{note['Sources']} was touched"

    def assert_history_kept(self) -> None:
        for card_id, state in self.card_state.items():
            card = self.col.get_card(card_id)
            assert (card.ivl, card.reps, card.type, card.due) == state
        assert revlog_count(self.col) == self.reviews
        guids = [self.guid_of(n) for n in self.col.find_notes("")]
        assert len(guids) == len(set(guids)), "duplicate notes"
        names = [m.name for m in self.col.models.all_names_and_ids()]
        assert not [name for name in names if name.endswith("+")], names


@pytest.fixture
def studied(
    mini_cards: Path, tmp_path: Path, collection: Collection, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Studied]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(V1_TIME))
    out = tmp_path / "out"
    report = build(cards_dir=mini_cards, out_dir=out)
    log = import_package(collection, report.output)
    assert len(log.new) == len(report.changes.added)
    study_all(collection)
    note_mods = {}
    card_state = {}
    for note_id in collection.find_notes(""):
        note = collection.get_note(note_id)
        note_mods[note.guid] = note.mod
        for card in note.cards():
            assert card.reps == 1
            card_state[card.id] = (card.ivl, card.reps, int(card.type), card.due)
    yield Studied(
        mini_cards,
        out,
        collection,
        note_mods,
        card_state,
        revlog_count(collection),
        monkeypatch,
    )


def test_a_edit_one_field(studied: Studied) -> None:
    studied.edit(
        "points/ST2.yaml",
        lambda d: d.update(location="On the face, in the hollow at the infraorbital foramen."),
    )
    report = studied.rebuild()
    assert report.changes.changed == (
        ("point:ST2", ("Location",)),
        ("point-cloze:ST2", ("Text",)),
    )
    log = import_package(studied.col, report.output)
    studied.assert_only_updated(log, {"point:ST2", "point-cloze:ST2"})
    note = studied.col.get_note(studied.note_id("point", "ST2"))
    assert note["Location"] == (
        "On the face, in the hollow at the infraorbital foramen."
        '<div class="sources">Sources: WHO 2008</div>'
    )
    studied.assert_history_kept()


def test_b_add_a_note(studied: Studied) -> None:
    (studied.cards / "points" / "LR3.yaml").write_text(
        "code: LR3\npinyin: Tàichōng\nhanzi: 太冲\nenglish: Great Rushing\nchannel: liver\n"
        "location: On the dorsum of the foot, between the first and second metatarsals.\n"
        "needling: {angle: Perpendicular, depth: 0.5–0.8 cun}\n"
        "indications: [Facial spasm.]\nsources: [who-2008]\n",
        encoding="utf-8",
    )
    report = studied.rebuild()
    assert report.changes.added == ("point:LR3",)
    log = import_package(studied.col, report.output)
    assert len(log.new) == 1
    studied.assert_only_updated(log, set())
    assert studied.col.get_note(studied.note_id("point", "LR3"))["English"] == "Great Rushing"
    studied.assert_history_kept()


def test_c_remove_a_note(studied: Studied) -> None:
    (studied.cards / "points" / "LI4.yaml").unlink()
    studied.edit("concepts/qi.yaml", lambda d: d.update(related_points=[]))
    report = studied.rebuild()
    assert report.changes.removed == ("point:LI4",)
    log = import_package(studied.col, report.output)
    studied.assert_only_updated(log, {"point:LI4", "concept:qi"})
    li4 = studied.note_id("point", "LI4")
    assert studied.col.find_notes(f"tag:{REMOVED_TAG}") == [li4]
    assert studied.col.get_note(li4)["Code"] == "LI4"
    studied.assert_history_kept()  # the studied LI4 cards keep their schedule

    # The next build ships the removed note unchanged: nothing more to import.
    again = studied.rebuild()
    assert again.changes.removed == () and again.changes.changed == ()
    log = import_package(studied.col, again.output)
    assert not log.updated and not log.new


def test_d_change_a_template_and_the_css(studied: Studied, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(Path(deckgen.kinds.notetypes.__file__).parent / "templates", templates)
    front = templates / "point-location.front.html"
    front.write_text(front.read_text() + '\n<div class="hint">Use the landmarks.</div>')
    css = templates / "style.css"
    css.write_text(css.read_text() + "\n.hint { color: #777; }")
    edited = dataclasses.replace(POINT, folder=templates)

    with registry.using(_with_point_type(edited)):
        report = studied.rebuild()
    assert report.changes.changed == () and report.changes.added == ()
    assert {c.name for c in report.changes.notetypes if not c.fields_changed} >= {POINT.name}
    log = import_package(studied.col, report.output)
    studied.assert_only_updated(log, set())
    stored = studied.col.models.get(NotetypeId(POINT.model_id))
    assert stored is not None and ".hint { color: #777; }" in stored["css"]
    card = studied.col.get_note(studied.note_id("point", "ST2")).cards()[0]
    assert "Use the landmarks." in card.render_output(reload=True).question_text
    studied.assert_history_kept()


def _with_point_type(
    notetype: NoteType, extra: Callable[[NoteSpec], tuple[str, ...]] = lambda spec: ()
) -> PointKind:
    """The point kind with its note type replaced by `notetype`, each point note's fields
    followed by `extra(note)`."""

    class Changed(PointKind):
        note_types = (notetype, CLOZE, OCCLUSION, QA)

        def notes(
            self, record: Point, reads: Mapping[str, str], context: NoteContext
        ) -> Iterator[NoteSpec]:
            for spec in super().notes(record, reads, context):
                if spec.notetype is POINT:
                    fields = (*spec.fields, *extra(spec))
                    spec = dataclasses.replace(spec, notetype=notetype, fields=fields)
                yield spec

    return Changed()


def test_e_change_an_image(studied: Studied) -> None:
    image = studied.cards / "images" / "face.svg"
    image.write_text(image.read_text().replace('stroke="#444"', 'stroke="#222"'))
    report = studied.rebuild()
    changed = {key for key, _ in report.changes.changed}
    assert changed == {
        "point:GB14",
        "point:ST2",
        "point-cloze:GB14",
        "point-cloze:ST2",
        "occlusion:mini-deck/test-face",
    }
    log = import_package(studied.col, report.output)
    studied.assert_only_updated(log, changed)
    note = studied.col.get_note(studied.note_id("point", "ST2"))
    media_name = note["Diagram"].split('src="')[1].split('"')[0]
    stored = Path(studied.col.media.dir()) / media_name
    assert 'stroke="#222"' in stored.read_text()
    studied.assert_history_kept()


def test_f_add_a_field_to_a_note_type(studied: Studied) -> None:
    extended = dataclasses.replace(POINT, fields=(*POINT.fields, "Mnemonic"))
    kind = _with_point_type(extended, lambda spec: (f"Remember {spec.note_id}",))
    with registry.using(kind):
        report = studied.rebuild()
    assert [c.name for c in report.changes.notetypes if c.fields_changed] == [POINT.name]
    points = {"point:GB14", "point:ST2", "point:LI4"}
    assert {key for key, _ in report.changes.changed} == points

    log = import_package(studied.col, report.output, merge_notetypes=True, update=ALWAYS)
    studied.assert_only_updated(log, points)
    stored = studied.col.models.get(NotetypeId(POINT.model_id))
    assert stored is not None and [f["name"] for f in stored["flds"]][-1] == "Mnemonic"
    assert studied.col.get_note(studied.note_id("point", "ST2"))["Mnemonic"] == "Remember ST2"
    studied.assert_history_kept()


def test_g_rename_a_tag(studied: Studied) -> None:
    for name in ("GB14", "ST2"):
        studied.edit(f"points/{name}.yaml", lambda d: d.update(tags=["area::face"]))
    report = studied.rebuild()
    changed = {key for key, _ in report.changes.changed}
    assert changed == {"point:GB14", "point:ST2", "point-cloze:GB14", "point-cloze:ST2"}
    assert all(fields == ("tags",) for _, fields in report.changes.changed)
    log = import_package(studied.col, report.output)
    studied.assert_only_updated(log, changed)
    assert not studied.col.find_notes("tag:region::face")
    assert len(studied.col.find_notes("tag:area::face")) == 4
    studied.assert_history_kept()


def test_unchanged_rebuild_updates_nothing(studied: Studied) -> None:
    report = studied.rebuild()
    assert report.changes.changed == () and report.changes.added == ()
    log = import_package(studied.col, report.output)
    assert not log.updated and not log.new
    studied.assert_history_kept()


def test_h_new_point_on_a_diagram_keeps_each_occlusion_card_on_its_point(
    studied: Studied,
) -> None:
    occlusion = studied.note_id("occlusion", "mini-deck/test-face")
    before = {
        card.ord: card.id for card in studied.col.get_note(occlusion).cards()
    }  # GB14 is c1 (ord 0), ST2 is c2 (ord 1)
    (studied.cards / "points" / "BL2.yaml").write_text(
        "code: BL2\npinyin: Cuánzhú\nhanzi: 攒竹\nenglish: Gathered Bamboo\nchannel: bladder\n"
        "location: In the depression at the medial end of the eyebrow.\n"
        "needling: {angle: Transverse, depth: 0.3–0.5 cun}\n"
        "indications: [Twitching eyelid.]\n"
        "diagram: {name: test-face, x: 0.4, y: 0.3}\nsources: [who-2008]\n",
        encoding="utf-8",
    )
    report = studied.rebuild()
    assert "occlusion:mini-deck/test-face" in {key for key, _ in report.changes.changed}
    import_package(studied.col, report.output)
    io = studied.col.get_image_occlusion_note(occlusion).note
    by_ordinal = {o.ordinal: o for o in io.occlusions}
    assert sorted(by_ordinal) == [1, 2, 3]
    lock = (studied.cards / "deckgen.lock").read_text()
    assert '"BL2": 3' in lock and '"GB14": 1' in lock and '"ST2": 2' in lock
    cards = {card.ord: card.id for card in studied.col.get_note(occlusion).cards()}
    assert {ord_: cards[ord_] for ord_ in before} == before
    assert 2 in cards  # the new point's card was added
    studied.assert_history_kept()
