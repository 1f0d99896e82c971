"""Every bad input in tests/bad_inputs/ gives exactly the expected messages, locations and
exit status through the command line, and writes nothing (see badinputs.py for the format)."""

from __future__ import annotations

import os
import re
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TypeVar

import pytest
from click.testing import Result

import badinputs
from ankitest import Collection, import_package
from deckgen.kinds.folder import load_cards
from deckgen.source.errors import InvalidCards
from deckgen.source.yamldoc import MAX_BYTES, read_yaml

CASES = badinputs.cases()
T = TypeVar("T")
PROBLEM_LINE = re.compile(r"^(Error|Warning): \S.*:\d+:\d+: \S.*$")


def test_the_corpus_is_large_and_every_case_says_what_it_expects() -> None:
    assert len(CASES) >= 40
    for case in CASES:
        assert case.expected, f"{case.name} has no '# > ' lines"


def test_the_base_cards_are_valid_without_warnings(tmp_path: Path) -> None:
    badinputs.set_up(badinputs.Case(name="base", raw=b""), tmp_path)
    result = badinputs.run(["check", "--strict"], tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output == "OK: cards has 6 notes (2 points, 1 concept, 2 conditions, 1 fact).\n"


def _run_case(case: badinputs.Case, workdir: Path) -> tuple[dict[str, str], Result]:
    """Set the case up in `workdir` and run its command: the exact output and exit status,
    never a traceback, no temporary file left, and on failure every file as it was.
    Returns the files as they were before the command, and its result."""
    badinputs.set_up(case, workdir)
    before = badinputs.snapshot(workdir)
    result = badinputs.run(case.args, workdir)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.output == badinputs.placed(case.output, workdir / "cards")
    assert result.exit_code == case.exit_code
    assert badinputs.temporary_files(workdir) == []
    for name in case.gone:
        assert not os.path.lexists(badinputs._path(workdir / "cards", name)), name
    if case.exit_code == 2:  # a usage error: the usage, then the error
        assert result.output.startswith("Usage: deckgen "), result.output
        assert result.output.splitlines()[-1].startswith("Error: ")
    elif case.exit_code:
        *problems, summary = result.output.splitlines() or [""]
        assert all(PROBLEM_LINE.match(line) for line in problems), result.output
        assert summary.endswith(("nothing was written.", "nothing was changed")) or not problems
    if case.exit_code:
        assert badinputs.snapshot(workdir) == before, "a failed command changed a file"
    return before, result


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(case: badinputs.Case, tmp_path: Path) -> None:
    _run_case(case, tmp_path)


AGREEING = [case for case in CASES if not case.only]


@pytest.mark.slow
@pytest.mark.parametrize("case", AGREEING, ids=[case.name for case in AGREEING])
def test_bad_input_check_and_build_agree(case: badinputs.Case, tmp_path: Path) -> None:
    """After the case's command (`test_bad_input`), its counterpart (`build` for `check`,
    `check` for `build`) exits the same way with the same errors and changes nothing on
    failure; on success the deck built imports into the real Anki backend."""
    before, result = _run_case(case, tmp_path)
    other = badinputs.run(badinputs.counterpart(case.args), tmp_path)
    assert other.exception is None or isinstance(other.exception, SystemExit), other.exception
    assert other.exit_code == case.exit_code, other.output
    assert _errors(other.output) == _errors(result.output)
    assert badinputs.temporary_files(tmp_path) == []
    if case.exit_code:
        assert badinputs.snapshot(tmp_path) == before, "a failed command changed a file"
    else:  # a build that exits 0 writes a deck that Anki imports
        _imports_into_anki(tmp_path / "out", tmp_path / "collection.anki2")


def _errors(output: str) -> set[str]:
    return {line for line in output.splitlines() if line.startswith("Error: ")}


def _imports_into_anki(out: Path, collection: Path) -> None:
    (package,) = out.glob("*.apkg")
    col = Collection(str(collection))
    try:
        log = import_package(col, package)
        assert len(log.new) + len(log.updated) > 0
        assert col.note_count() > 0 and col.card_count() > 0
        for card_id in col.find_cards(""):
            col.get_card(card_id).render_output(reload=True)  # every card renders
    finally:
        col.close()


#: Most function calls per byte of YAML that reading a file may make, however far its
#: aliases would expand: parsing with libyaml and sizing the node graph take about two,
#: the pure-Python parser (where libyaml is missing) about thirty. Building the values of
#: the bombs below, even only up to the limit, takes hundreds.
CALLS_PER_BYTE = 50


def _calls(work: Callable[[], T]) -> tuple[T, int]:
    """`work()`, and how many function calls (Python's and C's) it made: a measure of the
    work done that, unlike a time, is the same on any machine under any load."""
    count = 0

    def profile(frame: FrameType, event: str, arg: object) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        result = work()
    finally:
        sys.setprofile(previous)
    return result, count


def test_billion_laughs_is_refused_before_it_expands(tmp_path: Path) -> None:
    (case,) = (case for case in CASES if case.name == "billion-laughs")
    path = tmp_path / "laughs.yaml"
    path.write_bytes(case.raw)
    loaded, calls = _calls(lambda: read_yaml(path))
    assert loaded.doc is None
    assert [problem.message for problem in loaded.errors] == [
        "YAML aliases expand to more than 50,000 values"
    ]
    # Refused from the size of the node graph, shared nodes counted once: work in
    # proportion to the file, not to the values it would expand to.
    assert calls < CALLS_PER_BYTE * len(case.raw), f"{calls:,} calls"


def test_merge_keys_that_double_at_each_level_are_refused_before_they_expand(
    tmp_path: Path,
) -> None:
    lines = ["a0: &a0 {x: 1, y: 2}"]
    lines += [f"a{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}], k{i}: {i}}}" for i in range(1, 40)]
    path = tmp_path / "merges.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded, calls = _calls(lambda: read_yaml(path))
    assert [problem.message for problem in loaded.errors] == [
        "YAML aliases expand to more than 50,000 values"
    ]
    assert calls < CALLS_PER_BYTE * path.stat().st_size, f"{calls:,} calls"


def test_a_file_over_the_size_limit_is_neither_read_whole_nor_parsed(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("notes:\n" + "  - padding padding padding\n" * (MAX_BYTES // 5), "utf-8")
    size = path.stat().st_size
    assert size > 4 * MAX_BYTES
    tracemalloc.start()
    try:
        loaded, calls = _calls(lambda: read_yaml(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [str(problem) for problem in loaded.errors] == [
        f"{path}:1:1: file is larger than 500,000 bytes; split it up"
    ]
    # Only the first MAX_BYTES (and a byte) are read, and none parsed: parsing takes about
    # a call and tens of bytes of memory per byte of YAML.
    assert peak < 2 * MAX_BYTES, f"{peak:,} bytes allocated"
    assert calls < size // 1000, f"{calls:,} calls"


def test_values_nested_too_deeply_are_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "{b: " * 3000 + "1" + "}" * 3000 + "\n", encoding="utf-8")
    loaded = read_yaml(path)
    assert [problem.message for problem in loaded.errors] == ["values are nested too deeply"]


def test_explicit_tags_that_do_not_fit_their_value_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "tags.yaml"
    path.write_text("a: !!int ten\n? !!float x\n: 1\n", encoding="utf-8")
    loaded = read_yaml(path)
    assert [str(problem) for problem in loaded.errors] == [
        f"{path}:1:4: YAML error: 'ten' is not a valid !!int",
        f"{path}:2:3: YAML error: 'x' is not a valid !!float",
    ]


def _refuse_to_open(victim: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the system refuse to open `victim`, as it would a file without read permission
    (the tests run as root, whom permissions do not stop). Every file deckgen reads from
    a cards folder is opened through `os.open`; that it was asked is checked."""
    real_open = os.open
    asked: list[str] = []

    def refuse(path: str | Path, flags: int, *args: int, **kwargs: int) -> int:
        if Path(path).name == victim.name:
            asked.append(str(path))
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    return asked


def test_an_unreadable_note_file_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cards = badinputs.set_up(badinputs.Case(name="unreadable", raw=b""), tmp_path)
    asked = _refuse_to_open(cards / "points" / "GB14.yaml", monkeypatch)
    result = badinputs.run(["check"], tmp_path)
    assert result.output == (
        "Error: cards/points/GB14.yaml:1:1: cannot read: Permission denied\n"
        "1 problem found; nothing was written.\n"
    )
    assert asked
    assert result.exit_code == 1


def test_an_unreadable_diagram_image_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = badinputs.Case(name="unreadable-image", raw=b"", target=None)
    cards = badinputs.set_up(case, tmp_path)
    (cards / "images").mkdir()
    (cards / "images" / "face.png").write_bytes(badinputs.PNG)
    deck = (cards / "deck.yaml").read_text(encoding="utf-8")
    deck += "diagrams:\n  my-face: {image: images/face.png, title: Face}\n"
    (cards / "deck.yaml").write_text(deck, encoding="utf-8")
    asked = _refuse_to_open(cards / "images" / "face.png", monkeypatch)
    result = badinputs.run(["check"], tmp_path)
    assert result.output == (
        "Error: cards/deck.yaml:5:20: diagrams.my-face.image: "
        "cannot read 'images/face.png': Permission denied\n"
        "1 problem found; nothing was written.\n"
    )
    assert asked


def test_load_cards_returns_warnings_and_strict_raises_them(tmp_path: Path) -> None:
    (case,) = (case for case in CASES if case.name == "html-tag-warning")
    cards_dir = badinputs.set_up(case, tmp_path)
    warnings = [problem.message for problem in load_cards(cards_dir).warnings]
    assert len(warnings) == 1 and "raw HTML" in warnings[0]
    with pytest.raises(InvalidCards) as raised:
        load_cards(cards_dir, strict=True)
    assert [problem.message for problem in raised.value.problems] == warnings
    assert raised.value.warnings == []


def test_an_unknown_key_is_an_error_since_its_text_would_be_left_out(tmp_path: Path) -> None:
    for name, expected in (
        ("unknown-key", ["unknown key 'englsh_name' (did you mean 'english'?)"]),
        (
            "unknown-nested-key",
            [
                "missing required key 'needling.depth'",
                "unknown key 'needling.dept' (did you mean 'depth'?)",
            ],
        ),
    ):
        (case,) = (case for case in CASES if case.name == name)
        cards_dir = badinputs.set_up(case, tmp_path / name)
        with pytest.raises(InvalidCards) as raised:
            load_cards(cards_dir)
        assert [p.message for p in raised.value.problems] == expected
        assert raised.value.warnings == []


def test_a_path_too_long_for_the_system_is_reported_and_the_build_goes_on(tmp_path: Path) -> None:
    """Folders nested beyond the system's longest path (4,096 bytes on Linux), made one
    step at a time: nothing uses them, so they are a warning, never a traceback."""
    cards = badinputs.set_up(badinputs.Case(name="deep", raw=b""), tmp_path)
    previous = Path.cwd()
    os.chdir(cards)
    try:
        for _ in range(20):
            Path("d" * 250).mkdir()
            os.chdir("d" * 250)
        Path("image.png").write_bytes(badinputs.PNG)
    finally:
        os.chdir(previous)
    for command in (["check"], ["build", "--out", "out"]):
        result = badinputs.run(command, tmp_path)
        assert result.exit_code == 0, result.output
        (warning,) = [line for line in result.output.splitlines() if line.startswith("Warning")]
        assert warning.startswith("Warning: cards/dddd") and "File name too long" in warning
