"""A rebuild reuses what the last build read and made for the files that did not change.

The oracle: the same edit built from scratch (no cache, the same lock and clock) must give
the very same .apkg and lock, byte for byte. Each test also checks that the cache was used,
so that it cannot pass by quietly building everything again.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

import deckgen.build.load
import deckgen.build.prepare
import deckgen.kinds.folder
import deckgen.kinds.notefile
import deckgen.state.cache as buildcache
from ankitest import Collection, import_package
from conftest import Parsed
from deckgen.build import BuildReport, build, build_each
from deckgen.source.errors import Findings, InvalidCards
from deckgen.source.messages import validate
from deckgen.source.yamldoc import Document
from deckgen.state.cachefile import cache_path
from deckgen.state.kept import keeping_written

Edit = Callable[[Path], None]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _replace(relative: str, old: str, new: str) -> Edit:
    def edit(cards: Path) -> None:
        path = cards / relative
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    return edit


def _incremental_and_full(
    cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Edit
) -> tuple[BuildReport, BuildReport, list[str]]:
    """Build, edit, rebuild with the cache; then build the edited cards from scratch with
    the lock as it was before the rebuild. Returns both reports and the files parsed."""
    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    build(cards_dir=cards, out_dir=out)
    lock_before = (cards / "deckgen.lock").read_bytes()
    edit(cards)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800086400")
    parsed = Parsed(monkeypatch)
    incremental = build(cards_dir=cards, out_dir=out)
    names = list(parsed.names)

    fresh_cards = tmp_path / "fresh-cards"
    shutil.copytree(cards, fresh_cards)
    (fresh_cards / "deckgen.lock").write_bytes(lock_before)
    full = build(cards_dir=fresh_cards, out_dir=tmp_path / "fresh-out")
    assert (fresh_cards / "deckgen.lock").read_bytes() == (cards / "deckgen.lock").read_bytes()
    assert _sha256(full.output) == _sha256(incremental.output)
    assert _index(out, cards) == _index(tmp_path / "fresh-out", fresh_cards)
    return incremental, full, names


def _index(out: Path, cards: Path) -> list[object]:
    """The cache's entry for each note file, by name."""
    with closing(sqlite3.connect(cache_path(out, cards))) as connection:
        rows = connection.execute("SELECT entry FROM deckgen_files ORDER BY name").fetchall()
    return [marshal.loads(entry) for (entry,) in rows]


EDITS = {
    "a fact's answer": _replace("facts/imaging.yaml", "answer: ", "answer: Revised. "),
    "a condition's name, shown in another's comparison": _replace(
        "conditions/blepharospasm.yaml", "name: Blepharospasm", "name: Benign blepharospasm"
    ),
    "a point moved on its diagram": _replace("points/ST2.yaml", "x: 0.3", "x: 0.35"),
    "a new point": lambda cards: (cards / "points" / "ST3.yaml").write_text(
        (cards / "points" / "ST2.yaml")
        .read_text(encoding="utf-8")
        .replace("code: ST2", "code: ST3")
        .replace("x: 0.3", "x: 0.6"),
        encoding="utf-8",
    ),
    "a note file removed": lambda cards: (cards / "facts" / "imaging.yaml").unlink(),
    "deck.yaml changed": _replace("deck.yaml", "version: ", "version: 9"),
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_a_rebuild_gives_what_a_full_build_gives(
    edit: Edit, mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    incremental, full, _ = _incremental_and_full(mini_cards, tmp_path, monkeypatch, edit)
    assert incremental.changes == full.changes
    assert incremental.decks == full.decks


def test_only_the_edited_note_file_is_parsed_again(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit = EDITS["a fact's answer"]
    report, _, parsed = _incremental_and_full(mini_cards, tmp_path, monkeypatch, edit)
    assert sorted(parsed) == ["deck.yaml", "imaging.yaml", "sources.yaml"]
    assert [key for key, _ in report.changes.changed] == ["fact:imaging"]
    assert len(report.changes.unchanged) > 5


def test_an_editor_open_beside_the_cards_leaves_the_cache_in_use(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Vim's swap file and an Emacs lock beside the note being edited are no input."""
    build(cards_dir=mini_cards, out_dir=tmp_path / "out")
    (mini_cards / "facts" / ".imaging.yaml.swp").write_bytes(b"b0VIM 9.0")
    (mini_cards / "facts" / ".#imaging.yaml").write_text("user@host.1234", encoding="utf-8")
    EDITS["a fact's answer"](mini_cards)
    parsed = Parsed(monkeypatch)
    report = build(cards_dir=mini_cards, out_dir=tmp_path / "out")
    assert sorted(parsed.names) == ["deck.yaml", "imaging.yaml", "sources.yaml"]
    assert [key for key, _ in report.changes.changed] == ["fact:imaging"]


def test_a_changed_deck_yaml_parses_everything_again(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, parsed = _incremental_and_full(
        mini_cards, tmp_path, monkeypatch, EDITS["deck.yaml changed"]
    )
    assert len(parsed) == 2 + 7  # deck.yaml, sources.yaml and every note file


@pytest.mark.slow
def test_the_rebuilt_package_updates_anki_like_a_full_one(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, collection: Collection
) -> None:
    out = tmp_path / "out"
    first = build(cards_dir=mini_cards, out_dir=out)
    import_package(collection, first.output)
    EDITS["a condition's name, shown in another's comparison"](mini_cards)
    second = build(cards_dir=mini_cards, out_dir=out)
    log = import_package(collection, second.output)
    assert len(log.updated) == len(second.changes.changed) > 1
    assert not log.new
    names = {collection.get_note(nid)["Name"] for nid in collection.find_notes("note:*Condition*")}
    assert "Benign blepharospasm" in names


def test_warnings_of_unchanged_files_are_still_reported(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Raw HTML, Anki's own syntax and a repeated tag: found by three different checks.
    _replace("concepts/qi.yaml", "term: Qi", "term: Qi <i>force</i>")(mini_cards)
    _replace("concepts/qi.yaml", "definition: The", "definition: The [sound:x.mp3]")(mini_cards)
    _replace("concepts/qi.yaml", "sources:", "tags: [tcm, tcm]\nsources:")(mini_cards)
    out = tmp_path / "out"
    parsed = Parsed(monkeypatch)
    first = build(cards_dir=mini_cards, out_dir=out)
    assert "qi.yaml" in parsed.names  # the count sees the parsing it is to rule out
    parsed.names.clear()
    EDITS["a fact's answer"](mini_cards)
    second = build(cards_dir=mini_cards, out_dir=out)
    assert "qi.yaml" not in parsed.names
    found = [w.message.split(" (")[0] for w in first.warnings]
    assert found[0].startswith("term: raw HTML <i>")
    assert found[1:] == [
        "definition: '[sound:' is Anki's own syntax; deckgen shows it as text",
        "tags[1]: 'tcm' is listed twice",
    ]
    assert second.warnings == first.warnings


def test_only_notes_made_again_are_validated_again(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged file's record is validated again only when a note must be made from it
    again: here none (the occlusion notes are drawn from the points' summaries); after a
    condition is renamed, the other conditions, whose comparison cards show the name."""
    out = tmp_path / "out"
    build(cards_dir=mini_cards, out_dir=out)
    EDITS["a fact's answer"](mini_cards)
    validated: list[str] = []

    def counting(doc: Document, target: object, findings: Findings) -> object:
        validated.append(doc.path.name)
        return validate(doc, target, findings)

    monkeypatch.setattr(deckgen.kinds.notefile, "validate", counting)
    build(cards_dir=mini_cards, out_dir=out)
    assert validated == []
    EDITS["a condition's name, shown in another's comparison"](mini_cards)
    validated.clear()
    build(cards_dir=mini_cards, out_dir=out)
    assert validated == ["hemifacial-spasm.yaml"]


def test_an_unchanged_file_broken_by_another_is_reported_at_its_line(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    parsed = Parsed(monkeypatch)
    build(cards_dir=mini_cards, out_dir=out)
    assert "qi.yaml" in parsed.names  # the count sees the parsing it is to rule out
    parsed.names.clear()
    (mini_cards / "points" / "LI4.yaml").unlink()  # concepts/qi.yaml names it
    with pytest.raises(InvalidCards) as caught:
        build(cards_dir=mini_cards, out_dir=out)
    assert "qi.yaml" not in parsed.names
    where = [(Path(p.path).name, p.line, p.column) for p in caught.value.problems]
    assert ("qi.yaml", 7, 18) in where


def test_a_lock_changed_since_the_last_build_is_not_trusted(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(cards_dir=mini_cards, out_dir=out)
    (mini_cards / "deckgen.lock").unlink()  # e.g. a checkout of another branch's lock
    parsed = Parsed(monkeypatch)
    report = build(cards_dir=mini_cards, out_dir=out)
    assert len(parsed.names) == 9
    assert not report.changes.unchanged  # every note is new to this lock


def _sql(statement: str, *values: object) -> Callable[[Path], None]:
    def spoil(path: Path) -> None:
        with closing(sqlite3.connect(path)) as connection, connection:
            connection.execute(statement, values)

    return spoil


def _shift_places(path: Path) -> None:
    with closing(sqlite3.connect(path)) as connection, connection:
        (raw,) = connection.execute(
            "SELECT value FROM deckgen_meta WHERE key = 'blocks'"
        ).fetchone()
        settings, placed = marshal.loads(raw)
        shifted = {
            digest: (start + 1, length, check) for digest, (start, length, check) in placed.items()
        }
        value = marshal.dumps((settings, shifted))
        connection.execute("UPDATE deckgen_meta SET value = ? WHERE key = 'blocks'", (value,))


def _layouts_of_other_points(path: Path) -> None:
    """Each diagram's layout well formed, but with its labels in another order."""
    with closing(sqlite3.connect(path)) as connection, connection:
        (raw,) = connection.execute(
            "SELECT value FROM deckgen_meta WHERE key = 'layouts'"
        ).fetchone()
        layouts = marshal.loads(raw)
        assert layouts and all(len(layout) > 1 for layout in layouts.values())
        turned = {key: layout[::-1] for key, layout in layouts.items()}
        connection.execute(
            "UPDATE deckgen_meta SET value = ? WHERE key = 'layouts'", (marshal.dumps(turned),)
        )


Spoil = Callable[[Path], object]
_META = "UPDATE deckgen_meta SET value = ? WHERE key = ?"

#: Damage to the cache file, and whether the build must then read every file again.
CACHE_DAMAGE: dict[str, tuple[Spoil, bool]] = {
    "file cut short": (lambda path: path.write_bytes(path.read_bytes()[:100]), True),
    "file replaced": (lambda path: path.write_bytes(b"not a cache"), True),
    "an entry that is not one": (_sql("UPDATE deckgen_files SET entry = x'00'"), True),
    "no entries table": (_sql("DROP TABLE deckgen_files"), True),
    "header of the wrong type": (_sql(_META, marshal.dumps(1), "header"), True),
    "block places shifted": (_shift_places, False),
    "block places not a mapping": (_sql(_META, marshal.dumps(1), "blocks"), False),
    "file stats of the wrong types": (
        _sql(_META, marshal.dumps({"cards/deck.yaml": 5}), "hashes"),
        False,
    ),
    "state of the wrong type": (_sql(_META, marshal.dumps(1), "state"), False),
    "layouts whose labels are not the points'": (_layouts_of_other_points, False),
    "layouts of the wrong shape": (
        _sql(_META, marshal.dumps({"k": ((1, 2, 3),)}), "layouts"),
        False,
    ),
    "a kept card's row gone": (
        _sql("DELETE FROM cards WHERE id = (SELECT MIN(id) FROM cards)"),
        True,
    ),
    # Found only when its notes are copied, once the edited file was read: the cache is
    # removed and the build starts again without it (so the files are read once more).
    "a kept note's row gone": (
        _sql("DELETE FROM notes WHERE id = (SELECT MIN(id) FROM notes)"),
        False,
    ),
}


@pytest.mark.parametrize("damage", CACHE_DAMAGE.values(), ids=CACHE_DAMAGE.keys())
def test_a_damaged_cache_is_ignored(
    damage: tuple[Spoil, bool], mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever part of the cache is damaged, the build gives what a build from scratch
    gives (a damaged file or entries: everything is read again)."""
    spoil, read_again = damage
    path = cache_path(tmp_path / "out", mini_cards)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    build(cards_dir=mini_cards, out_dir=tmp_path / "out")
    spoil(path)
    lock_before = (mini_cards / "deckgen.lock").read_bytes()
    EDITS["a fact's answer"](mini_cards)
    parsed = Parsed(monkeypatch)
    second = build(cards_dir=mini_cards, out_dir=tmp_path / "out")
    if read_again:
        assert len(parsed.names) == 9
    fresh = tmp_path / "fresh"
    shutil.copytree(mini_cards, fresh)
    (fresh / "deckgen.lock").write_bytes(lock_before)
    full = build(cards_dir=fresh, out_dir=tmp_path / "fresh-out")
    assert _sha256(second.output) == _sha256(full.output)
    assert (fresh / "deckgen.lock").read_bytes() == (mini_cards / "deckgen.lock").read_bytes()


KILLED_EDITS = {
    **EDITS,
    "a comment only (the lock stays as it was)": _replace(
        "facts/imaging.yaml", "answer: ", "# a comment\nanswer: "
    ),
}


@pytest.mark.parametrize("edit", KILLED_EDITS.values(), ids=KILLED_EDITS.keys())
@pytest.mark.parametrize("then", ["nothing", "the cards put back", "the cards and lock put back"])
def test_a_build_killed_before_its_cache_leaves_no_cache_taken_for_its_own(
    edit: Edit, then: str, mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache is written after the package and the lock: a build killed between the two
    leaves the cache of the build before. Whatever comes next (nothing, the note files put
    back, the lock put back too), the next build gives what a build from scratch gives,
    and the one after it has nothing to do."""
    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    build(cards_dir=mini_cards, out_dir=out)
    state = cache_path(out, mini_cards)
    earlier_cache = state.read_bytes()
    before = tmp_path / "before"
    shutil.copytree(mini_cards, before)
    edit(mini_cards)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800086400")
    build(cards_dir=mini_cards, out_dir=out)
    state.write_bytes(earlier_cache)  # as a build killed once the lock and package were in
    lock = (mini_cards / "deckgen.lock").read_bytes()
    if then != "nothing":
        shutil.rmtree(mini_cards)
        shutil.copytree(before, mini_cards)
        if then == "the cards put back":
            (mini_cards / "deckgen.lock").write_bytes(lock)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800172800")
    fresh = tmp_path / "fresh"
    shutil.copytree(mini_cards, fresh)
    full = build(cards_dir=fresh, out_dir=tmp_path / "fresh-out")
    again = build(cards_dir=mini_cards, out_dir=out)
    assert (fresh / "deckgen.lock").read_bytes() == (mini_cards / "deckgen.lock").read_bytes()
    assert _sha256(again.output) == _sha256(full.output)
    assert again.changes == full.changes
    last = build(cards_dir=mini_cards, out_dir=out)
    assert _sha256(last.output) == _sha256(full.output)
    assert not (last.changes.added or last.changes.changed or last.changes.removed)


def test_the_damaged_caches_of_several_folders_built_together_are_each_removed(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each folder's cache lost a kept note's row: found one folder at a time, each is
    removed and the build starts again, until it builds (it once tried again only once,
    and failed on the second folder's cache)."""
    other = tmp_path / "other"
    shutil.copytree(mini_cards, other)
    _replace("deck.yaml", "name: Mini Deck", "name: Other Deck")(other)
    folders = [mini_cards, other]
    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    build_each(cards_dirs=folders, out_dir=out)
    locks = [(cards / "deckgen.lock").read_bytes() for cards in folders]
    spoil, _ = CACHE_DAMAGE["a kept note's row gone"]
    for cards in folders:
        spoil(cache_path(out, cards))
        EDITS["a fact's answer"](cards)
    reports = build_each(cards_dirs=folders, out_dir=out)
    for index, (cards, lock, report) in enumerate(zip(folders, locks, reports, strict=True)):
        fresh = tmp_path / f"fresh-{index}"
        shutil.copytree(cards, fresh)
        (fresh / "deckgen.lock").write_bytes(lock)
        full = build(cards_dir=fresh, out_dir=tmp_path / f"fresh-out-{index}")
        assert _sha256(report.output) == _sha256(full.output)
        assert report.changes == full.changes


@pytest.mark.slow
def test_a_file_saved_during_a_build_is_never_shipped_stale(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saved after the build hashed it and before it read it, then put back as it was:
    what the build read is what it remembers, so the next build reads it again and
    ships what the file holds now."""
    out = tmp_path / "out"
    build(cards_dir=mini_cards, out_dir=out)
    fact = mini_cards / "facts" / "imaging.yaml"
    before = fact.read_text(encoding="utf-8")
    real = deckgen.build.load.load_folder
    calls: list[Path] = []

    def saved_while_building(*args: object, **kwargs: object) -> object:
        calls.append(fact)
        fact.write_text(before.replace("MRI", "EDITED"), encoding="utf-8")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(deckgen.build.prepare, "load_folder", saved_while_building)
        fact.write_text(before.replace("MRI", "MRI scan"), encoding="utf-8")  # hashed so
        build(cards_dir=mini_cards, out_dir=out)
    assert calls, "the build no longer loads the cards through load_folder"
    fact.write_text(before.replace("MRI", "MRI scan"), encoding="utf-8")  # as it was hashed
    report = build(cards_dir=mini_cards, out_dir=out)
    assert [key for key, _ in report.changes.changed] == ["fact:imaging"]
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        import_package(col, report.output)
        (note_id,) = col.find_notes("tag:deckgen::fact")
        answer = col.get_note(note_id)["Answer"]
    finally:
        col.close()
    assert "MRI scan" in answer and "EDITED" not in answer


@pytest.mark.parametrize(
    "entry",
    ["a pipe named like a note", "a link out of the cards folder", "a folder named like a note"],
)
def test_an_entry_deckgen_refuses_is_reported_by_the_next_build(
    entry: str, mini_cards: Path, tmp_path: Path
) -> None:
    """What the build would refuse is part of its inputs: after a build, a pipe, a link
    out or a folder among the notes must be reported, not passed over as "nothing
    changed"."""
    out = tmp_path / "out"
    build(cards_dir=mini_cards, out_dir=out)
    if entry == "a pipe named like a note":
        os.mkfifo(mini_cards / "points" / "pipe.yaml")
    elif entry == "a link out of the cards folder":
        (mini_cards / "points" / "link.yaml").symlink_to("/etc/hostname")
    else:
        (mini_cards / "points" / "dir.yaml").mkdir()
    with pytest.raises(InvalidCards):
        build(cards_dir=mini_cards, out_dir=out)


def test_the_lock_this_process_wrote_is_not_parsed_again_until_it_changes(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, collection: Collection
) -> None:
    """A watch rebuilds in one process: the lock it wrote is taken as it holds it, but a
    lock changed since by anyone (git, a hand edit) is read again, whatever was kept."""
    from deckgen.state.lock.parse import _parsed as real

    parses: list[Path] = []

    def counted(path: Path, raw: bytes) -> object:
        parses.append(path)
        return real(path, raw)

    monkeypatch.setattr("deckgen.state.lock.read._parsed", counted)
    with keeping_written():
        _keeps_the_lock(mini_cards, tmp_path, collection, parses)


def _keeps_the_lock(
    mini_cards: Path, tmp_path: Path, collection: Collection, parses: list[Path]
) -> None:
    out = tmp_path / "out"
    build(cards_dir=mini_cards, out_dir=out)
    _replace("facts/imaging.yaml", "answer: ", "answer: Revised. ")(mini_cards)
    parses.clear()
    rebuilt = build(cards_dir=mini_cards, out_dir=out)
    assert parses == [] and len(rebuilt.changes.changed) == 1

    lock = mini_cards / "deckgen.lock"
    text = lock.read_text(encoding="utf-8")
    key = next(line for line in text.splitlines() if line.startswith('"fact:'))
    note_id = int(key.split('"id": ')[1].split(",")[0])
    lock.write_text(text.replace(f'"id": {note_id},', f'"id": {note_id + 7000},'), "utf-8")
    _replace("facts/imaging.yaml", "answer: Revised. ", "answer: Again. ")(mini_cards)
    again = build(cards_dir=mini_cards, out_dir=out)
    assert parses == [lock]
    import_package(collection, again.output)
    assert note_id + 7000 in collection.find_notes("")


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_a_watch_keeps_the_cache_entries_it_wrote_and_builds_the_same(
    edit: Edit, mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a watch builds (`keeping_written`): a rebuild takes the cache's entries from
    memory, not from the file, and still gives what a build from scratch gives."""
    decoded = _decoding(monkeypatch)
    with keeping_written():
        incremental, full, names = _incremental_and_full(mini_cards, tmp_path, monkeypatch, edit)
    assert incremental.changes == full.changes
    assert decoded == []  # neither build decoded an entry: the scratch one had no cache
    if edit is not EDITS["deck.yaml changed"]:
        assert 0 < len(names) < 9  # and the rebuild did use the cache


def test_a_cache_file_another_process_wrote_is_read_again(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A watch kept the entries it wrote; another process's build replaced the cache file
    since: the watch's next build reads that file's entries, not what it kept."""
    out = tmp_path / "out"
    decoded = _decoding(monkeypatch)
    with keeping_written():
        build(cards_dir=mini_cards, out_dir=out)
        _replace("facts/imaging.yaml", "answer: ", "answer: Revised. ")(mini_cards)
        command = ["build", "--cards", str(mini_cards), "--out", str(out), "--quiet"]
        subprocess.run([sys.executable, "-m", "deckgen", *command], check=True)
        _replace("facts/imaging.yaml", "answer: Revised. ", "answer: Again. ")(mini_cards)
        parsed = Parsed(monkeypatch)
        report = build(cards_dir=mini_cards, out_dir=out)
    assert len(decoded) == 1
    assert sorted(parsed.names) == ["deck.yaml", "imaging.yaml", "sources.yaml"]
    assert [key for key, _ in report.changes.changed] == ["fact:imaging"]


def _decoding(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Each time a build decodes the entries of a cache file, from now on."""
    decoded: list[object] = []
    real = buildcache._decoded

    def counted(connection: sqlite3.Connection) -> Iterator[tuple[object, ...]]:
        decoded.append(connection)
        yield from real(connection)

    monkeypatch.setattr(buildcache, "_decoded", counted)
    return decoded


def test_an_edit_takes_the_diagrams_label_layout_from_the_cache(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The occlusion notes are made anew on every edit: their labels' layout, the costly
    part, comes from the cache while the diagram and its points are as they were."""
    import deckgen.kinds.drawing as drawing

    worked_out: list[object] = []
    real = drawing.Diagram._layout

    def counted(diagram: drawing.Diagram, marks: tuple[tuple[float, float, str], ...]) -> object:
        worked_out.append(marks)
        return real(diagram, marks)

    monkeypatch.setattr(drawing.Diagram, "_layout", counted)
    drawing._spread.cache_clear()  # as in a new process
    first = build(cards_dir=mini_cards, out_dir=tmp_path / "out")
    assert len(worked_out) == 1 and first.changes.added  # the mini deck's one diagram
    for edit, layouts in (("a fact's answer", 0), ("a point moved on its diagram", 1)):
        EDITS[edit](mini_cards)
        drawing._spread.cache_clear()
        worked_out.clear()
        build(cards_dir=mini_cards, out_dir=tmp_path / "out")
        assert len(worked_out) == layouts, edit  # a point moved: a new layout
