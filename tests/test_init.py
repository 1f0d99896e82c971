"""`deckgen init`: from an empty folder to a deck that Anki imports, with schemas for the
editor and nothing overwritten."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ankitest import Collection, import_package
from deckgen.authoring.start import start_project
from deckgen.cli import cli
from deckgen.kinds import registry
from deckgen.source.errors import DeckgenError


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    monkeypatch.setenv("NO_COLOR", "1")
    return CliRunner()


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.slow
def test_init_then_build_gives_a_deck_that_anki_imports(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["init", "my-deck", "--name", "Facial palsy"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("Next: cd my-deck && deckgen check && deckgen build\n")
    monkeypatch.chdir(tmp_path / "my-deck")
    assert runner.invoke(cli, ["check", "--strict"]).exit_code == 0
    built = runner.invoke(cli, ["build"])
    assert built.exit_code == 0, built.output
    (package,) = (tmp_path / "my-deck" / "build").glob("*.apkg")
    assert package.name == "facial-palsy.apkg"
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        log = import_package(col, package)
        assert len(log.new) == len(col.find_notes("")) > 0
        assert {name.split("::")[0] for name in col.decks.all_names()} >= {"Facial palsy"}
        kinds = {registry.by_name(kind).folder for kind in ("point", "concept", "condition")}
        for folder in kinds:  # every kind's example is a note in Anki
            assert list((tmp_path / "my-deck" / "cards" / folder).glob("*.yaml"))
    finally:
        col.close()


def test_init_writes_a_project_with_schemas_and_editor_settings(tmp_path: Path) -> None:
    started = start_project(tmp_path, name="Facial palsy")
    assert started.kept == []
    written = {str(path.relative_to(tmp_path)) for path in started.written}
    assert {"cards/deck.yaml", "cards/sources.yaml", ".gitignore", ".gitattributes"} <= written
    for kind in registry.kinds():  # one example note per kind, its schema beside the cards
        (example,) = (tmp_path / "cards" / kind.folder).glob("*.yaml")
        first = example.read_text(encoding="utf-8").splitlines()[0]
        named = first.partition("$schema=")[2]
        assert (example.parent / named).resolve().is_file(), first
    deck = yaml.safe_load((tmp_path / "cards" / "deck.yaml").read_text(encoding="utf-8"))
    assert deck["name"] == "Facial palsy"
    assert deck["id"].startswith("facial-palsy-")
    settings = json.loads((tmp_path / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    for schema, pattern in settings["yaml.schemas"].items():
        assert (tmp_path / schema).is_file()
        assert list(tmp_path.glob(pattern)), pattern
    assert "build/" in (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()
    attributes = (tmp_path / ".gitattributes").read_text(encoding="utf-8")
    assert "cards/deckgen.lock text eol=lf" in attributes


def test_two_decks_of_one_name_get_ids_of_their_own(tmp_path: Path) -> None:
    ids = set()
    for folder in ("a", "b"):
        start_project(tmp_path / folder, name="Same name")
        deck = (tmp_path / folder / "cards" / "deck.yaml").read_text(encoding="utf-8")
        ids.add(yaml.safe_load(deck)["id"])
    assert len(ids) == 2


def test_init_never_overwrites_a_file(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("node_modules/\n", encoding="utf-8")
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "deck.schema.json").write_text("{}", encoding="utf-8")
    started = start_project(tmp_path)
    assert sorted(started.kept) == [tmp_path / ".gitignore", tmp_path / "schemas/deck.schema.json"]
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "node_modules/\n"
    before = _files(tmp_path)
    with pytest.raises(DeckgenError, match="already has a deck"):
        start_project(tmp_path)
    assert _files(tmp_path) == before
    result = runner.invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert "already has a deck" in result.output
    assert _files(tmp_path) == before


@pytest.mark.parametrize("command", ["check", "build", "stats", "preview"])
def test_a_missing_deck_says_to_run_init(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, [command])
    assert result.exit_code != 0
    assert "run 'deckgen init' to start a deck" in result.output, result.output
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "sources.yaml").write_text("a: {short: A, title: A}\n", "utf-8")
    result = runner.invoke(cli, [command])
    assert "run 'deckgen init' to start a deck" in result.output, result.output
