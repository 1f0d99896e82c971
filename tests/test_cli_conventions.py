"""What every command does alike (issue 17, part 5): -q, -v and --color/--no-color on
each; errors red and warnings yellow wherever they come from; NO_COLOR and FORCE_COLOR;
exit status 2 for a usage error and 1 for problems in the cards; the cards folder found
from any subfolder; counts in words that agree with them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import MINI_CARDS
from deckgen.cli import cli

RED, YELLOW = "\x1b[31m", "\x1b[33m"
#: Every command, with what it needs to run on the cards in the working folder.
COMMANDS = {
    "build": ["build"],
    "check": ["check"],
    "preview": ["preview"],
    "stats": ["stats"],
    "docs": ["docs"],
    "new": ["new", "point", "ST9"],
    "init": ["init", "fresh"],
    "schema": ["schema"],
}
#: The commands that read a cards folder, and so report its problems.
READING = ["build", "check", "preview", "stats", "docs"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder holding the mini deck as `cards/`; the working folder."""
    shutil.copytree(MINI_CARDS, tmp_path / "cards", ignore=shutil.ignore_patterns("*.lock"))
    monkeypatch.chdir(tmp_path)
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    return tmp_path


def _run(args: list[str], **env: str) -> Result:
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _break(project: Path) -> None:
    """A YAML syntax error in one note."""
    note = project / "cards" / "conditions" / "blepharospasm.yaml"
    note.write_text(note.read_text(encoding="utf-8").replace("key_features: [", "key_features: [["))


def _warn(project: Path) -> None:
    """A source no note cites: a warning, not an error."""
    with (project / "cards" / "sources.yaml").open("a", encoding="utf-8") as sources:
        sources.write("spare:\n  title: A book.\n  short: Book\n")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_quiet_verbose_and_colour(command: str) -> None:
    result = _run([command, "--help"])
    assert result.exit_code == 0
    for option in ("-q, --quiet", "-v, --verbose", "--color / --no-color"):
        assert option in result.output, (command, option)


@pytest.mark.parametrize("command", READING)
def test_problems_are_coloured_alike_in_every_command(project: Path, command: str) -> None:
    _warn(project)
    warned = _run([*COMMANDS[command], "--color"])
    assert warned.exit_code == 0, warned.output
    assert f"{YELLOW}Warning: cards/sources.yaml:" in warned.output
    _break(project)
    failed = _run([*COMMANDS[command], "--color"])
    assert failed.exit_code == 1
    assert f"{RED}Error: cards/conditions/blepharospasm.yaml:" in failed.output
    assert f"{YELLOW}Warning: cards/sources.yaml:" not in failed.output  # no notes read
    plain = _run([*COMMANDS[command], "--no-color"])
    assert "\x1b[" not in plain.output
    assert plain.output == re.sub(r"\x1b\[\d+m", "", failed.output)


@pytest.mark.parametrize(
    ("flag", "env", "coloured"),
    [
        ([], {}, False),  # not a terminal
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "0"}, False),
        ([], {"NO_COLOR": "1"}, False),
        ([], {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),  # NO_COLOR wins
        (["--color"], {"NO_COLOR": "1"}, True),  # the command line wins
        (["--no-color"], {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_follows_the_flag_then_no_color_then_force_color(
    project: Path, flag: list[str], env: dict[str, str], coloured: bool
) -> None:
    _break(project)
    for args in (["check", *flag], ["check", *flag, "--bogus"], ["bogus", *flag]):
        result = _run(args, **env)
        assert result.exit_code in (1, 2)
        assert (RED in result.output) is coloured, (args, env, result.output)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_usage_error_exits_2_with_the_usage(project: Path, command: str) -> None:
    result = _run([*COMMANDS[command], "--no-such-option"])
    assert result.exit_code == 2
    assert result.output.startswith(f"Usage: deckgen {command} ")
    assert result.output.endswith("Error: No such option '--no-such-option'.\n") or (
        "Error: No such option '--no-such-option'. Did you mean" in result.output
    )


@pytest.mark.parametrize("command", [*READING, "new"])
@pytest.mark.parametrize("cards", ["nope", "cards/deck.yaml"])
def test_a_cards_folder_that_is_not_one_is_a_usage_error(
    project: Path, command: str, cards: str
) -> None:
    result = _run([*COMMANDS[command], "--cards", cards])
    assert result.exit_code == 2, result.output
    assert "Error: Invalid value for '--cards': cards folder " in result.output


@pytest.mark.parametrize("command", READING)
def test_problems_in_the_cards_exit_1(project: Path, command: str) -> None:
    _break(project)
    result = _run(COMMANDS[command])
    assert result.exit_code == 1
    assert result.output.endswith("1 problem found; nothing was written.\n")


@pytest.mark.parametrize("command", READING)
def test_the_cards_folder_is_found_from_any_subfolder(
    project: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / ".git").mkdir()
    monkeypatch.chdir(project / "cards" / "points")
    result = _run(COMMANDS[command])
    assert result.exit_code == 0, result.output
    if command == "build":  # the output goes beside the cards, not into the subfolder
        assert list((project / "build").glob("*.apkg"))
        assert not (project / "cards" / "points" / "build").exists()


def test_quiet_prints_nothing_but_problems(project: Path) -> None:
    for command in READING:
        assert _run([*COMMANDS[command], "-q"]).output == "", command
    _warn(project)
    for command in READING:
        lines = _run([*COMMANDS[command], "-q"]).output.splitlines()
        assert lines == [lines[0]] and lines[0].startswith("Warning: "), command


def test_counts_agree_with_their_nouns(project: Path) -> None:
    for folder in ("concepts", "facts", "conditions"):
        shutil.rmtree(project / "cards" / folder)
    for point in ("GB14", "LI4"):
        (project / "cards" / "points" / f"{point}.yaml").unlink()
    (project / "cards" / "deck.yaml").write_text(
        "name: One\ndescription: One point.\ndiagrams:\n"
        "  test-face: {image: images/face.svg, title: Test face}\n",
        encoding="utf-8",
    )
    (project / "cards" / "sources.yaml").write_text(
        "who-2008:\n  short: WHO 2008\n  title: WHO Standard Acupuncture Point Locations.\n",
        encoding="utf-8",
    )
    one = _run(["check"])
    assert one.output == "OK: cards has 1 note (1 point).\n", one.output
    _warn(project)
    assert _run(["check"]).output.endswith("has 1 note (1 point) and 1 warning.\n")
    with (project / "cards" / "sources.yaml").open("a", encoding="utf-8") as sources:
        sources.write("other:\n  title: Another book.\n  short: Other\n")
    assert _run(["check"]).output.endswith("has 1 note (1 point) and 2 warnings.\n")
    built = _run(["build"])
    assert "2 notes" in built.output  # the point and its location cloze
    assert not re.search(r"\b1 (notes|cards|files)\b|\b[02-9] (note|card|file)\b", built.output)
