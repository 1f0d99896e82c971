"""Nothing lost: after a real build, a build that fails (on an error, or on a warning with
--strict) leaves the .apkg, the lock and everything else byte-identical."""

from __future__ import annotations

from pathlib import Path

import pytest

import badinputs


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A copy of the base cards, built once with `deckgen build --out out`."""
    badinputs.set_up(badinputs.Case(name="built", raw=b""), tmp_path)
    result = badinputs.run(["build", "--out", "out"], tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "test-deck.apkg").is_file()
    assert (tmp_path / "cards" / "deckgen.lock").is_file()
    return tmp_path


BREAKAGES = {
    "wrong type": ("  depth: 0.2–0.3 cun", "  depth: [0.2, 0.3]"),
    "syntax error": ("sources: [who-2008]", "sources: [who-2008"),
    "unknown source": ("sources: [who-2008]", "sources: [who-2009]"),
    "script": ("  - Twitching eyelid.", "  - Twitching eyelid. <script>x()</script>"),
}


@pytest.mark.parametrize("breakage", BREAKAGES.values(), ids=list(BREAKAGES))
@pytest.mark.parametrize("options", [[], ["--dry-run"], ["--strict"]])
def test_a_failed_build_changes_nothing(
    built: Path, breakage: tuple[str, str], options: list[str]
) -> None:
    point = built / "cards" / "points" / "ST2.yaml"
    text = point.read_text(encoding="utf-8")
    point.write_text(text.replace(*breakage), encoding="utf-8")
    before = _snapshot(built)

    result = badinputs.run(["build", "--out", "out", *options], built)

    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: cards/points/ST2.yaml:")
    assert result.output.endswith(" found; nothing was written.\n")
    assert _snapshot(built) == before


def test_a_strict_build_with_a_warning_changes_nothing(built: Path) -> None:
    point = built / "cards" / "points" / "ST2.yaml"
    text = point.read_text(encoding="utf-8")
    point.write_text(text.replace("english:", "englsh_name: x\nenglish:"), encoding="utf-8")
    before = _snapshot(built)

    result = badinputs.run(["build", "--strict", "--out", "out"], built)

    assert result.output == (
        "Error: cards/points/ST2.yaml:4:1: unknown key 'englsh_name' (did you mean 'english'?)\n"
        "1 problem found; nothing was written.\n"
    )
    assert result.exit_code == 1
    assert _snapshot(built) == before


def test_a_build_with_a_warning_prints_it_and_builds(built: Path) -> None:
    point = built / "cards" / "points" / "ST2.yaml"
    text = point.read_text(encoding="utf-8")
    point.write_text(text.replace("english: ", "english: <u>x</u> "), encoding="utf-8")

    result = badinputs.run(["build", "--out", "out"], built)

    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Warning: cards/points/ST2.yaml:4:10: english: raw HTML <u> is shown as text"
    )
    assert "\nBuilt out/test-deck.apkg" in result.output


def test_an_error_in_a_new_file_leaves_the_lock_and_output_alone(built: Path) -> None:
    (built / "cards" / "facts" / "new.yaml").write_text("id: new\nquestion: [\n", "utf-8")
    before = _snapshot(built)
    result = badinputs.run(["build", "--out", "out"], built)
    assert result.exit_code == 1
    assert _snapshot(built) == before
