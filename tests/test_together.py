"""Two authors, one deck, real git and the real Anki backend: each branches, edits and
adds notes (neighbouring notes, new points on one diagram), builds and commits; one
merges the other, with and without a textual conflict in the lock. The merged build just
works, a fresh clone builds the very same package, and readers of either branch or of
the common ancestor import it losing no review history, with no duplicate and no copy
of a note type."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ankitest import Collection, import_package, revlog_count, study_all

pytestmark = pytest.mark.slow

POINT = """code: {code}
pinyin: Pinyin
hanzi: 穴
english: A new point
channel: stomach
location: {where}
needling:
  angle: Perpendicular
  depth: 0.2 cun
indications: [Twitching eyelid.]
diagram: {{name: test-face, x: {x}, y: 0.6}}
sources: [who-2008]
"""


def _git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Author",
        "GIT_AUTHOR_EMAIL": "author@example.org",
        "GIT_COMMITTER_NAME": "Author",
        "GIT_COMMITTER_EMAIL": "author@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check
    )


def _build(repo: Path, epoch: int) -> str:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "deckgen", "build", "--out", "out"]
    done = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout + done.stderr


def _package(repo: Path, keep: Path) -> Path:
    (package,) = (repo / "out").glob("*.apkg")
    return Path(shutil.copy(package, keep))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("conflict", [True, False], ids=["conflict in the lock", "clean merge"])
def test_two_authors_merge_and_the_merged_build_just_works(
    conflict: bool, mini_cards: Path, tmp_path: Path
) -> None:
    origin = tmp_path / "origin"
    origin.mkdir()
    _git(origin, "init", "-q", "-b", "main")
    shutil.copytree(mini_cards, origin / "cards")
    (origin / ".gitignore").write_text("out/\n", encoding="utf-8")
    _build(origin, 1_767_225_600)
    ancestor = _package(origin, tmp_path / "ancestor.apkg")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "-m", "the deck")
    a, b = tmp_path / "a", tmp_path / "b"
    for clone in (a, b):
        _git(tmp_path, "clone", "-q", str(origin), clone.name)

    # A edits ST2 and adds a point on the diagram; B edits a neighbouring note (with a
    # conflict) or one far from it (without), and adds its own point on the diagram.
    _edit(
        a / "cards/points/ST2.yaml",
        "infraorbital foramen.",
        "infraorbital foramen, below the pupil.",
    )
    (a / "cards/points/ST3.yaml").write_text(
        POINT.format(code="ST3", where="Below ST2, level with the nostril.", x=0.35), "utf-8"
    )
    if conflict:
        _edit(a / "cards/points/GB14.yaml", "location: ", "location: Forehead, ")
        _edit(b / "cards/points/LI4.yaml", "location: ", "location: Hand, ")
        (b / "cards/points/ST1.yaml").write_text(
            POINT.format(code="ST1", where="Between the eyeball and the orbit.", x=0.32), "utf-8"
        )
    else:
        fact = b / "cards/facts/imaging.yaml"
        _edit(fact, "MRI", "MR imaging")
    for author in (a, b):  # both build in the same second: new ids must not clash
        _build(author, 1_767_300_000)
        _git(author, "add", "-A")
        _git(author, "commit", "-q", "-m", f"{author.name}'s edits")
    from_a = _package(a, tmp_path / "a.apkg")
    from_b = _package(b, tmp_path / "b.apkg")

    _git(b, "pull", "-q", "--no-rebase", "origin", "main", check=False)  # nothing new
    _git(b, "remote", "add", "a", str(a))
    _git(b, "fetch", "-q", "a")
    merge = _git(b, "merge", "-q", "--no-edit", "a/main", check=False)
    lock = (b / "cards/deckgen.lock").read_text(encoding="utf-8")
    assert (merge.returncode != 0 and "<<<<<<< " in lock) == conflict, merge.stdout
    report = _build(b, 1_767_400_000)
    if conflict:
        assert "Repair: cards/deckgen.lock" in report and "git left a conflict" in report
        assert "occlusion card" in report  # both gave their new point the next number
        _git(b, "add", "-A")
        _git(b, "commit", "-q", "--no-edit")
    else:
        _git(b, "add", "-A")
        _git(b, "commit", "-q", "-m", "merged build", check=False)  # if the lock changed
    assert _git(b, "status", "--porcelain").stdout == ""
    merged = _package(b, tmp_path / "merged.apkg")

    fresh = tmp_path / "fresh"
    _git(tmp_path, "clone", "-q", str(b), fresh.name)
    _build(fresh, 1_767_500_000)
    assert _package(fresh, tmp_path / "fresh.apkg").read_bytes() == merged.read_bytes()

    updated = {
        before.stem: _import_over(before, merged, tmp_path / f"reader-{before.stem}.anki2")
        for before in (ancestor, from_a, from_b)
    }
    # Each reader's points are updated exactly where the merge changed them for that reader.
    a_changed, b_changed = ({"GB14", "ST2"}, {"LI4"}) if conflict else ({"ST2"}, set())
    assert updated["ancestor"] == a_changed | b_changed
    assert updated["a"] == b_changed
    assert updated["b"] == a_changed


def _import_over(before: Path, merged: Path, collection: Path) -> set[str]:
    """A reader who studied `before` imports the merged package with the default options;
    the codes of the point notes it updated."""
    """A reader who studied `before` imports the merged package with the default options."""
    col = Collection(str(collection))
    try:
        import_package(col, before)
        studied = study_all(col)
        reviews = revlog_count(col)
        notes_before = col.note_count()
        log = import_package(col, merged)
        assert not log.conflicting  # ("duplicate" lists the notes it already had as they are)
        names = [notetype.name for notetype in col.models.all_names_and_ids()]
        assert not any(name.endswith("+") for name in names), names
        assert revlog_count(col) == reviews and studied > 0
        assert col.note_count() == notes_before + len(log.new)
        assert col.note_count() == len({col.get_note(n).guid for n in col.find_notes("")})
        st2 = col.get_note(col.find_notes('"Code:ST2"')[0])
        assert "below the pupil" in st2["Location"]
        points = {"ST2", "GB14", "LI4"}
        return {note.fields[0] for note in log.updated if note.fields[0] in points}
    finally:
        col.close()


def test_a_removed_point_ships_no_missing_media_and_names_its_emptied_card(
    mini_cards: Path, tmp_path: Path
) -> None:
    """A point removed from the cards is still shipped (tagged) without the images only
    notes in the cards get; its occlusion card, now without a mask, is named in the
    report with what the reader does."""
    repo = tmp_path / "repo"
    shutil.copytree(mini_cards, repo / "cards")
    _build(repo, 1_767_225_600)
    (repo / "cards/points/GB14.yaml").unlink()
    report = _build(repo, 1_767_300_000)
    assert "removed: point-cloze:GB14, point:GB14" in report
    (line,) = [line for line in report.splitlines() if "left the diagram" in line]
    assert "Card 1 of occlusion:mini-deck/test-face asked about point GB14" in line
    assert "Tools → Empty Cards" in line
    col = Collection(str(tmp_path / "fresh.anki2"))
    try:
        import_package(col, _package(repo, tmp_path / "after.apkg"))
        check = col.media.check()
        assert list(check.missing) == [] and list(check.missing_media_notes) == []
        removed = col.find_notes("tag:deckgen::removed")
        assert removed and all("<img" not in "".join(col.get_note(n).fields) for n in removed)
    finally:
        col.close()


def test_a_renamed_deck_keeps_its_notes(mini_cards: Path, tmp_path: Path) -> None:
    """No note's identity hangs on the deck's name: renamed, the deck's occlusion note
    updates in place, with no duplicate, for a reader who imported it before."""
    repo = tmp_path / "repo"
    shutil.copytree(mini_cards, repo / "cards")
    _build(repo, 1_767_225_600)
    before = _package(repo, tmp_path / "before.apkg")
    _edit(repo / "cards/deck.yaml", "name: Mini Deck", "name: Facial Points")
    report = _build(repo, 1_767_300_000)
    assert "0 added" in report and "0 removed" in report, report
    col = Collection(str(tmp_path / "reader.anki2"))
    try:
        import_package(col, before)
        notes = col.note_count()
        import_package(col, repo / "out" / "facial-points.apkg")  # named after the deck
        assert col.note_count() == notes  # the same notes, updated in place
    finally:
        col.close()


def test_a_readers_own_tags_survive_where_the_readme_says(mini_cards: Path, tmp_path: Path) -> None:
    """Anki's importer replaces a note's tags when it updates the note: a reader's tag
    stays on every note the author did not change, and goes from a note the author did."""
    repo = tmp_path / "repo"
    shutil.copytree(mini_cards, repo / "cards")
    _build(repo, 1_767_225_600)
    before = _package(repo, tmp_path / "before.apkg")
    col = Collection(str(tmp_path / "reader.anki2"))
    try:
        import_package(col, before)
        for code in ("ST2", "GB14"):
            note = col.get_note(col.find_notes(f'"Code:{code}"')[0])
            note.tags.append("mine")
            col.update_note(note)
        # The author edits ST2 after the reader tagged it: the package is newer.
        _edit(
            repo / "cards/points/ST2.yaml", "infraorbital foramen.", "infraorbital foramen, deep."
        )
        _build(repo, int(time.time()) + 86_400)
        import_package(col, _package(repo, tmp_path / "after.apkg"))
        tagged = {col.get_note(n)["Code"] for n in col.find_notes("tag:mine")}
    finally:
        col.close()
    assert tagged == {"GB14"}  # ST2 changed: the package's tags replaced the reader's


def test_removed_notes_a_reader_deleted_never_come_back_to_study(
    mini_cards: Path, tmp_path: Path
) -> None:
    """A removed note is shipped without cards: a reader who still has it finds it tagged
    with its card and history; one who deleted it, or never had it, gets nothing to
    study from any later package."""
    repo = tmp_path / "repo"
    shutil.copytree(mini_cards, repo / "cards")
    _build(repo, 1_767_225_600)
    first = _package(repo, tmp_path / "first.apkg")
    (repo / "cards/facts/imaging.yaml").unlink()
    _build(repo, 1_767_300_000)
    second = _package(repo, tmp_path / "second.apkg")
    _edit(repo / "cards/points/ST2.yaml", "infraorbital foramen.", "infraorbital foramen, deep.")
    _build(repo, 1_767_400_000)
    third = _package(repo, tmp_path / "third.apkg")

    col = Collection(str(tmp_path / "reader.anki2"))
    try:
        import_package(col, first)
        study_all(col)
        reviews = revlog_count(col)
        import_package(col, second)
        (removed,) = col.find_notes("tag:deckgen::removed")
        assert len(col.find_cards(f"nid:{removed}")) == 1  # kept, tagged, history and all
        assert revlog_count(col) == reviews
        col.remove_notes([removed])  # as the README tells readers
        cards = col.card_count()
        for later in (second, third):
            import_package(col, later)
            assert col.card_count() == cards  # nothing came back to study
            assert not col.find_cards("tag:deckgen::removed")
    finally:
        col.close()
    fresh = Collection(str(tmp_path / "fresh.anki2"))
    try:
        import_package(fresh, third)
        assert not fresh.find_cards("tag:deckgen::removed")
    finally:
        fresh.close()
