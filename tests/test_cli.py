"""The command line through Click's CliRunner: exact output and exit codes."""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, Parsed
from deckgen import __version__
from deckgen.cli import cli
from deckgen.cli.reference import cli_reference

EPOCH = "1800000000"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return CliRunner()


def _in(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder)


def test_build_prints_the_summary(
    runner: CliRunner, mini_cards: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in(mini_cards.parent, monkeypatch)
    result = runner.invoke(cli, ["build", "--cards", "mini", "--out", "out"])
    assert result.exit_code == 0, result.output
    size = (mini_cards.parent / "out" / "mini-deck.apkg").stat().st_size
    assert result.output == (
        f"Built out/mini-deck.apkg ({size / 1000:.1f} kB)\n"
        "  Mini Deck::Points                  6 notes   15 cards\n"
        "  Mini Deck::TCM Concepts            2 notes    3 cards\n"
        "  Mini Deck::Western Differential    4 notes    6 cards\n"
        "  Mini Deck::Clinical Context         1 note     1 card\n"
        "  Media: 5 files\n"
        "  Notes: 13 added, 0 changed, 0 removed, 0 unchanged\n"
        "    added: point:GB14, point-cloze:GB14, point:LI4, point:ST2, point-cloze:ST2, "
        "occlusion:mini-deck/test-face, concept:qi, concept-cloze:qi and 5 more\n"
    )
    again = runner.invoke(cli, ["build", "--cards", "mini", "--out", "out"])
    assert again.exit_code == 0
    assert "  Notes: 0 added, 0 changed, 0 removed, 13 unchanged\n" in again.output


def test_build_without_options_uses_cards_and_build(
    runner: CliRunner, mini_cards: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mini_cards.rename(mini_cards.parent / "cards")
    _in(mini_cards.parent, monkeypatch)
    result = runner.invoke(cli, ["build", "-q"])
    assert (result.exit_code, result.output) == (0, "")
    assert (mini_cards.parent / "build" / "mini-deck.apkg").is_file()
    check = runner.invoke(cli, ["check"])
    assert (check.exit_code, check.output) == (
        0,
        "OK: cards has 7 notes (3 points, 1 concept, 2 conditions, 1 fact).\n",
    )


def test_dry_run_writes_nothing(
    runner: CliRunner, mini_cards: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in(mini_cards.parent, monkeypatch)
    result = runner.invoke(cli, ["build", "--cards", "mini", "--out", "out", "--dry-run"])
    assert result.exit_code == 0
    assert result.output.startswith("Dry run: would write out/mini-deck.apkg\n")
    assert not (mini_cards.parent / "out").exists()
    assert not (mini_cards / "deckgen.lock").exists()


def test_verbose_lists_every_note_and_the_change(
    runner: CliRunner, mini_cards: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in(mini_cards.parent, monkeypatch)
    runner.invoke(cli, ["build", "--cards", "mini", "--out", "out"])
    st2 = mini_cards / "points" / "ST2.yaml"
    st2.write_text(st2.read_text().replace("foramen.", "foramen, below the pupil."))
    (mini_cards / "points" / "LI4.yaml").unlink()
    (mini_cards / "concepts" / "qi.yaml").write_text(
        (mini_cards / "concepts" / "qi.yaml").read_text().replace("[LI4]", "[]")
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000100")
    quiet_report = runner.invoke(cli, ["build", "--cards", "mini", "--out", "out", "--dry-run"])
    assert "find them in the browser with 'tag:deckgen::removed'" in quiet_report.output
    assert "unchanged: " not in quiet_report.output
    result = runner.invoke(cli, ["build", "--cards", "mini", "--out", "out", "-v"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "  Notes: 0 added, 3 changed, 1 removed, 9 unchanged" in lines
    changed = ["point:ST2 (Location)", "point-cloze:ST2 (Text)", "concept:qi (Related)"]
    assert [line for line in lines if line.startswith("    changed ")] == [
        f"    changed {key}" for key in changed
    ]  # one note per line
    assert "    removed point:LI4" in lines
    assert "    unchanged point:GB14" in lines
    assert len([line for line in lines if line.startswith("    unchanged ")]) == 9
    assert "find them in the browser with 'tag:deckgen::removed'" in result.output


def test_an_error_exits_1_and_keeps_the_package(
    runner: CliRunner, mini_cards: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in(mini_cards.parent, monkeypatch)
    runner.invoke(cli, ["build", "--cards", "mini", "--out", "out"])
    package = mini_cards.parent / "out" / "mini-deck.apkg"
    before = hashlib.sha256(package.read_bytes()).hexdigest()
    (mini_cards / "points" / "ST2.yaml").write_text("code: ST2\npinyin: [\n")
    result = runner.invoke(cli, ["build", "--cards", "mini", "--out", "out"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: mini/points/ST2.yaml:")
    assert result.output.endswith("1 problem found; nothing was written.\n")
    assert "Traceback" not in result.output
    assert hashlib.sha256(package.read_bytes()).hexdigest() == before


def test_missing_cards_folder(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in(tmp_path, monkeypatch)
    result = runner.invoke(cli, ["check"])
    assert result.exit_code == 2  # a usage error: there is no deck here
    assert result.output.endswith(
        "Error: no cards folder here or above (no deck.yaml, no cards/deck.yaml) "
        "(run 'deckgen init' to start a deck)\n"
    )


def test_new_writes_a_skeleton_and_never_overwrites(
    runner: CliRunner, mini_cards: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in(mini_cards.parent, monkeypatch)
    result = runner.invoke(cli, ["new", "point", "ST7", "--cards", "mini"])
    assert (result.exit_code, result.output) == (
        0,
        "Wrote mini/points/ST7.yaml\nWrote the schemas its first line names to schemas\n",
    )
    again = runner.invoke(cli, ["new", "point", "ST7", "--cards", "mini"])
    assert again.exit_code == 1
    assert again.output == (
        "Error: mini/points/ST7.yaml already exists; deckgen never overwrites it\n"
    )
    usage = runner.invoke(cli, ["new", "recipe", "x", "--cards", "mini"])
    assert usage.exit_code == 2


def test_stats_and_preview(
    runner: CliRunner, mini_cards: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in(mini_cards.parent, monkeypatch)
    stats = runner.invoke(cli, ["stats", "--cards", "mini"])
    assert stats.exit_code == 0
    assert "Points without a diagram: LI4\n" in stats.output
    preview = runner.invoke(cli, ["preview", "--cards", "mini", "--out", "out"])
    assert (preview.exit_code, preview.output) == (
        0,
        "Preview written to out/preview/index.html\n",
    )
    assert not (mini_cards / "deckgen.lock").exists()


def test_no_color_and_quiet(
    runner: CliRunner, mini_cards: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in(mini_cards.parent, monkeypatch)
    coloured = runner.invoke(cli, ["build", "--cards", "mini", "--out", "out"], color=True)
    assert "\x1b[" in coloured.output
    monkeypatch.setenv("NO_COLOR", "1")
    plain = runner.invoke(cli, ["build", "--cards", "mini", "--out", "out"], color=True)
    assert "\x1b[" not in plain.output
    quiet = runner.invoke(cli, ["build", "--cards", "mini", "--out", "out", "-q"])
    assert quiet.output == ""


def test_version_and_help(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["--version"]).output == f"deckgen, version {__version__}\n"
    assert metadata.version("deckgen-anki") == __version__  # pyproject.toml reads it from the code
    for command in ("build", "check", "preview", "new", "stats", "schema", "docs"):
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output, command


def test_committed_docs_are_current() -> None:
    """docs/cli.md is generated by scripts/cli_reference.py, docs/points.md by `deckgen docs`."""
    assert (REPO / "docs" / "cli.md").read_text(encoding="utf-8") == cli_reference(cli)
    result = CliRunner().invoke(
        cli, ["docs", "--check", "--cards", str(REPO / "cards"), "--out", str(REPO / "docs")]
    )
    assert (result.exit_code, result.output) == (0, "Docs are current.\n")


def _second_deck(root: Path) -> Path:
    (root / "facts").mkdir(parents=True)
    (root / "deck.yaml").write_text("name: Second Deck\ndescription: Another subject.\n")
    (root / "sources.yaml").write_text("book:\n  short: Book\n  title: A book.\n")
    (root / "facts" / "one.yaml").write_text(
        "id: one\nquestion: What is one?\nanswer: A number.\nsources: [book]\n"
    )
    return root


@pytest.mark.slow
def test_several_decks_one_package_each_or_combined(
    runner: CliRunner, mini_cards: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ankitest import Collection, import_package

    _in(mini_cards.parent, monkeypatch)
    _second_deck(mini_cards.parent / "second")
    separate = runner.invoke(cli, ["build", "--cards", "mini", "--cards", "second", "-q"])
    assert (separate.exit_code, separate.output) == (0, "")
    assert sorted(p.name for p in (mini_cards.parent / "build").glob("*.apkg")) == [
        "mini-deck.apkg",
        "second-deck.apkg",
    ]
    combined = runner.invoke(
        cli, ["build", "--cards", "mini", "--cards", "second", "--combined", "Both Decks"]
    )
    assert combined.exit_code == 0, combined.output
    assert combined.output.startswith("Built build/both-decks.apkg")
    assert "  Second Deck::Clinical Context" in combined.output

    col = Collection(str(mini_cards.parent / "collection.anki2"))
    try:
        log = import_package(col, mini_cards.parent / "build" / "both-decks.apkg")
        assert len(log.new) == 14
        names = {deck.name for deck in col.decks.all_names_and_ids()}
        assert {"Mini Deck", "Second Deck", "Second Deck::Clinical Context"} <= names
    finally:
        col.close()


def test_combining_two_decks_that_share_a_note_is_refused(
    runner: CliRunner, mini_cards: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in(mini_cards.parent, monkeypatch)
    second = _second_deck(mini_cards.parent / "second")
    (second / "facts" / "imaging.yaml").write_text(
        "id: imaging\nquestion: Same id as the mini deck's?\nanswer: Yes.\nsources: [book]\n"
    )
    result = runner.invoke(
        cli, ["build", "--cards", "mini", "--cards", "second", "--combined", "Both"]
    )
    assert (result.exit_code, result.output) == (
        1,
        "Error: mini and second both have the note fact:imaging: rename one of the notes, "
        "or build the folders separately\n",
    )
    assert list((mini_cards.parent / "build").iterdir()) == []


def test_a_bad_folder_among_several_writes_nothing(
    runner: CliRunner, mini_cards: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in(mini_cards.parent, monkeypatch)
    second = _second_deck(mini_cards.parent / "second")
    (second / "facts" / "one.yaml").write_text("id: one\nquestion: [broken\n")
    result = runner.invoke(cli, ["build", "--cards", "mini", "--cards", "second"])
    assert result.exit_code == 1
    assert result.output.endswith("nothing was written.\n")
    assert list((mini_cards.parent / "build").iterdir()) == []
    assert not (mini_cards / "deckgen.lock").exists()


def test_several_folders_each_skip_an_unchanged_rebuild(
    runner: CliRunner, mini_cards: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in(mini_cards.parent, monkeypatch)
    _second_deck(mini_cards.parent / "second")
    parsed = Parsed(monkeypatch)
    runner.invoke(cli, ["build", "--cards", "mini", "--cards", "second", "-q"])
    assert parsed.names
    parsed.names.clear()
    again = runner.invoke(cli, ["build", "--cards", "mini", "--cards", "second"])
    assert parsed.names == []
    assert again.exit_code == 0, again.output
    assert again.output.count("0 added, 0 changed, 0 removed") == 2


def test_combining_two_folders_of_the_same_deck_is_refused(
    runner: CliRunner, mini_cards: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in(mini_cards.parent, monkeypatch)
    second = _second_deck(mini_cards.parent / "second")
    (second / "deck.yaml").write_text("name: Mini Deck\ndescription: The same name.\n")
    result = runner.invoke(
        cli, ["build", "--cards", "mini", "--cards", "second", "--combined", "Both"]
    )
    assert (result.exit_code, result.output) == (
        1,
        "Error: mini and second are both the deck 'Mini Deck': give one of them another "
        "name in deck.yaml\n",
    )


def test_version_loads_no_command_and_no_library_but_click() -> None:
    """`deckgen --version` starts about as fast as Click itself: it imports no command's
    module, so none of the stages and none of the libraries they need."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "sys.argv = ['deckgen', '--version']\n"
        "from deckgen.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(name for name in sys.modules if '.' not in name or "
        "name.startswith('deckgen'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    version, loaded = result.stdout.splitlines()
    assert version == f"deckgen, version {__version__}"
    modules = set(loaded.split())
    assert {"pydantic", "yaml", "genanki", "markdown_it", "nh3", "watchfiles"} & modules == set()
    ours = {name for name in modules if name.startswith("deckgen")}
    assert ours == {"deckgen", "deckgen.cli", "deckgen.cli.root"}, sorted(ours)


def _modules_after(args: list[str], cwd: Path) -> tuple[str, set[str]]:
    """What `deckgen ARGS` prints and the modules it has loaded when it ends: the top-level
    ones and deckgen's own."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        f"sys.argv = ['deckgen', *{args!r}]\n"
        "from deckgen.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('@@', ' '.join(sorted(name for name in sys.modules if '.' not in name or "
        "name.startswith('deckgen'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=cwd
    )
    printed, _, loaded = result.stdout.partition("@@ ")
    return printed, set(loaded.split())


def test_a_build_with_nothing_to_do_loads_none_of_the_stages(
    mini_cards: Path, tmp_path: Path
) -> None:
    """A rebuild with nothing changed answers from the last build's report: none of the
    libraries the stages need and none of the kinds are loaded, and it prints what a
    build that did all the work prints."""
    from deckgen.state.cachefile import cache_path

    out = tmp_path / "out"
    args = ["build", "--cards", str(mini_cards), "--out", str(out)]
    _modules_after(args, tmp_path)
    cache_path(out, mini_cards).unlink()  # so that the next build does all the work
    worked, loaded_working = _modules_after(args, tmp_path)
    assert "pydantic" in loaded_working and "deckgen.kinds.registry" in loaded_working
    again, loaded = _modules_after(args, tmp_path)
    assert again == worked
    assert "0 added, 0 changed, 0 removed, 13 unchanged" in again
    heavy = {"pydantic", "yaml", "genanki", "markdown_it", "nh3", "watchfiles", "anki"}
    assert heavy & loaded == set()
    stages = {name for name in loaded if name.startswith(("deckgen.kinds.", "deckgen.anki"))}
    assert stages == set()
    edited = mini_cards / "points" / "ST2.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    after_edit, loaded_after_edit = _modules_after(args, tmp_path)
    assert "pydantic" in loaded_after_edit  # something changed: every stage runs
    assert "0 added, 0 changed, 0 removed, 13 unchanged" in after_edit
