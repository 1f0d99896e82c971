"""A damaged lock stops the build with one clear message and nothing written, whether the
whole file is unreadable or only one note's line (those are decoded only when needed)."""

from __future__ import annotations

import dataclasses
import html
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import badinputs
from ankitest import Collection, import_package
from deckgen.cli import cli
from deckgen.state.lock import Lock, NoteEntry, read_lock


def _build(runner: CliRunner, cards: Path, out: Path) -> tuple[int, str]:
    result = runner.invoke(cli, ["build", "--cards", str(cards), "--out", str(out)])
    return result.exit_code, result.output


def _damage_line(lock: Path, prefix: str, replacement: str) -> None:
    lines = lock.read_text(encoding="utf-8").split("\n")
    (index,) = [i for i, line in enumerate(lines) if line.startswith(prefix)]
    lines[index] = replacement
    lock.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda lock: lock.write_text("{not json", encoding="utf-8"), ":1:1: (Expecting"),
        (
            lambda lock: _damage_line(lock, '"fact:imaging"', '"fact:imaging": {"id": 5},'),
            ":21:1: (missing key 'mod')",
        ),
        (
            lambda lock: _damage_line(
                lock, '"fact:imaging"', '"fact:imaging": {"id": 5, "mod": "x"},'
            ),
            ":21:1: ('mod' is \"x\", not a whole number",
        ),
    ],
    ids=["whole file", "one note's line missing a key", "one note's time not a number"],
)
def test_a_damaged_lock_is_reported_and_nothing_is_written(
    damage: Callable[[Path], None], reason: str, mini_cards: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    assert _build(runner, mini_cards, out)[0] == 0
    lock = mini_cards / "deckgen.lock"
    damage(lock)
    damaged = lock.read_bytes()
    apkg = next(out.glob("*.apkg"))
    before = apkg.read_bytes()

    code, output = _build(runner, mini_cards, out)
    assert code == 1
    where, _, why = reason.partition(" ")
    assert f"{lock}{where} the lock file is damaged {why}" in output
    assert "Traceback" not in output
    assert lock.read_bytes() == damaged
    assert apkg.read_bytes() == before


def test_an_untouched_lock_is_written_back_byte_for_byte(mini_cards: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    assert _build(runner, mini_cards, tmp_path / "out")[0] == 0
    lock = mini_cards / "deckgen.lock"
    assert read_lock(lock).to_json() == lock.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "key", ["fact:plain", 'fact:a "quoted" id', "fact:back\\slash", "fact:é ü"]
)
def test_note_keys_of_any_text_are_read_back(tmp_path: Path, key: str) -> None:
    """Keys such as 'point:ST2' are written and read without the JSON codec; any other
    text goes through it, so a hand-edited lock reads back exactly too."""
    entry = NoteEntry(
        id=1, mod=2, notetype="qa", deck="D", tags=("t",), names=("Q",), values=("x",)
    )
    lock = Lock()
    lock.notes[key] = entry
    other = dataclasses.replace(entry, id=1001)
    lock.notes["fact:z"] = other
    path = tmp_path / "deckgen.lock"
    path.write_bytes(b"".join(lock.chunks()))
    json.loads(path.read_text(encoding="utf-8"))  # still one JSON document
    again = read_lock(path)
    assert dict(again.notes) == {key: entry, "fact:z": other}
    assert again.notes.encoded(key) == lock.notes.encoded(key)  # kept as a line, not decoded


@pytest.mark.slow
def test_a_removed_note_edited_into_the_lock_is_shipped_sanitised(tmp_path: Path) -> None:
    """A removed note is shipped from the lock's own text: a hand edit there (a script, an
    event handler) must not reach the deck as it is."""
    case = badinputs.read_case(badinputs.CORPUS / "r-lock-removed-note-script.yaml")
    badinputs.set_up(case, tmp_path)
    result = badinputs.run(["build", "--out", "out"], tmp_path)
    assert result.exit_code == 0, result.output
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        import_package(col, next((tmp_path / "out").glob("*.apkg")))
        (note_id,) = col.find_notes("tag:deckgen::removed")
        fields = col.get_note(note_id).fields
    finally:
        col.close()
    assert fields[0] == "Q" and fields[1] == "A", fields  # images go with removed notes


@pytest.mark.slow
def test_a_removed_note_keeps_anki_syntax_inert(tmp_path: Path) -> None:
    """Text shown as written stays so once its note is removed: the lock holds it escaped,
    and the sanitising that removed notes go through must not bring it back to life."""
    cards = badinputs.set_up(badinputs.Case(name="syntax", raw=b""), tmp_path)
    fact = cards / "facts" / "syntax.yaml"
    fact.write_text(
        "id: syntax\nquestion: 'What do {{c1::x}} and [sound:boom.mp3] mean?'\n"
        "answer: Nothing.\nsources: [who-2008]\n",
        encoding="utf-8",
    )
    assert badinputs.run(["build", "--out", "out"], tmp_path).exit_code == 0
    fact.unlink()
    result = badinputs.run(["build", "--out", "out"], tmp_path)
    assert result.exit_code == 0 and "removed: fact:syntax" in result.output, result.output
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        import_package(col, next((tmp_path / "out").glob("*.apkg")))
        (note_id,) = col.find_notes("tag:deckgen::removed")
        question = col.get_note(note_id)["Question"]
    finally:
        col.close()
    assert "{{" not in question and "[sound:" not in question  # inert, as when it was live
    assert "{{c1::x}} and [sound:boom.mp3]" in html.unescape(question)


def _note(note_id: int, mod: int, answer: str) -> NoteEntry:
    return NoteEntry(
        id=note_id,
        mod=mod,
        notetype="qa",
        deck="D",
        tags=("t",),
        names=("Answer",),
        values=(answer,),
    )


@pytest.mark.parametrize("style", ["merge", "diff3"])
def test_a_lock_with_git_conflict_markers_is_resolved(tmp_path: Path, style: str) -> None:
    """Each side's lines kept; of a note on both sides, the later; the conflict reported."""
    ours, theirs = Lock(), Lock()
    ours.notes["fact:a"] = theirs.notes["fact:a"] = _note(1000, 5, "same")
    ours.notes["fact:b"] = _note(2000, 9, "ours, later")
    theirs.notes["fact:b"] = _note(2000, 7, "theirs")
    ours.notes["fact:c"] = _note(3000, 5, "only ours")
    theirs.notes["fact:d"] = _note(4000, 5, "only theirs")
    ours_lines = b"".join(ours.chunks()).split(b"\n")
    theirs_lines = b"".join(theirs.chunks()).split(b"\n")
    common = [line for line in ours_lines if line in theirs_lines]
    start = next(i for i, line in enumerate(ours_lines) if line.startswith(b'"fact:b"'))
    mine = [line for line in ours_lines if line not in common]
    other = [line for line in theirs_lines if line not in common]
    base = [b"||||||| base", b'"fact:b": {"id": 2000},'] if style == "diff3" else []
    conflict = [b"<<<<<<< HEAD", *mine, *base, b"=======", *other, b">>>>>>> theirs"]
    merged = [line for line in ours_lines[:start] if line in common]
    merged += conflict + [line for line in ours_lines[start:] if line in common]
    path = tmp_path / "deckgen.lock"
    path.write_bytes(b"\n".join(merged))
    lock = read_lock(path, decode=True)
    assert {key: lock.notes[key].fields[0][1] for key in lock.notes} == {
        "fact:a": "same",
        "fact:b": "ours, later",
        "fact:c": "only ours",
        "fact:d": "only theirs",
    }
    (summary,) = [p.message for p in lock.repairs if "git left a conflict" in p.message]
    assert "fact:b" in summary and summary.startswith("git left a conflict in the lock")
    swapped = tmp_path / "swapped" / "deckgen.lock"  # the other side merging this one
    swapped.parent.mkdir()
    mirror = [*merged[: merged.index(b"<<<<<<< HEAD")], b"<<<<<<< HEAD", *other, b"=======", *mine]
    mirror += [b">>>>>>> ours", *merged[merged.index(b">>>>>>> theirs") + 1 :]]
    swapped.write_bytes(b"\n".join(mirror))
    assert b"".join(read_lock(swapped).chunks()) == b"".join(lock.chunks())


def test_new_ids_are_distinct_spaced_and_near_the_build_time() -> None:
    """Drawn from the note's key in a window twice the number of new notes: distinct,
    whole seconds apart (a note's cards take the ids after its own), within hours of
    the build time for a first build of 20,000 notes; the same key, the same id."""
    from deckgen.state.lock import IdAllocator

    now = 1_767_225_600
    keys = [f"fact:n{i}" for i in range(20_000)]
    allocator = IdAllocator(Lock(), now, new=len(keys))
    ids = [allocator.take(key) for key in keys]
    assert len(set(ids)) == len(ids) and all(note_id % 1000 == 0 for note_id in ids)
    assert now * 1000 <= min(ids) and max(ids) < (now + 3 * len(keys)) * 1000
    again = IdAllocator(Lock(), now, new=len(keys))
    assert again.take(keys[0]) == ids[0]
