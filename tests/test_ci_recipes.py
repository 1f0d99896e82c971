"""docs/ci.md's workflow and the pre-commit hooks (issue 17, part 4): every `deckgen`
command they run is run here, as they run it, on a deck that `deckgen init` made."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO

WORKFLOW = REPO / "docs" / "examples" / "deckgen.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
DECKGEN = Path(sys.executable).with_name("deckgen")  # the one this environment installed


def _steps(job: str) -> list[str]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return [step["run"] for step in workflow["jobs"][job]["steps"] if "run" in step]


def _deckgen_commands(runs: list[str]) -> list[list[str]]:
    return [shlex.split(run) for run in runs if run.startswith("deckgen ")]


def _hooks() -> list[dict[str, Any]]:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    return hooks


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    assert command[0] == "deckgen"
    return subprocess.run(
        [str(DECKGEN), *command[1:]], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A deck as `deckgen init` starts it, with its pages written (as its author commits
    them)."""
    assert subprocess.run([str(DECKGEN), "init", "deck"], cwd=tmp_path, check=False).returncode == 0
    project = tmp_path / "deck"
    assert _run(["deckgen", "docs"], project).returncode == 0
    return project


def test_the_page_shows_the_workflow_and_the_hooks_as_they_are() -> None:
    page = REPO / "docs" / "ci.md"
    blocks = re.findall(r"```yaml\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL)
    assert WORKFLOW.read_text(encoding="utf-8") in blocks
    assert HOOKS.read_text(encoding="utf-8") in blocks


def test_the_workflow_installs_this_package_and_runs_on_pushes_and_tags() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["tags"] == ["v*"] and "pull_request" in triggers
    for job in ("check", "release"):
        assert "pip install deckgen-anki" in _steps(job)
    assert workflow["jobs"]["release"]["if"] == "startsWith(github.ref, 'refs/tags/v')"


@pytest.mark.slow
def test_the_check_job_passes_on_a_good_deck_and_annotates_a_bad_one(project: Path) -> None:
    commands = _deckgen_commands(_steps("check"))
    assert ["deckgen", "check", "--format", "github"] in commands
    for command in commands:
        result = _run(command, project)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    (note,) = (project / "cards" / "points").glob("*.yaml")
    note.write_text(note.read_text(encoding="utf-8") + "channel: nowhere\n", encoding="utf-8")
    failed = _run(["deckgen", "check", "--format", "github"], project)
    assert failed.returncode == 1
    name = f"cards/points/{note.name}"
    assert re.search(rf"^::error file={re.escape(name)},line=\d+,col=\d+::", failed.stdout, re.M)


@pytest.mark.slow
def test_the_release_job_builds_the_one_package_it_attaches(project: Path) -> None:
    runs = _steps("release")
    for command in _deckgen_commands(runs):
        result = _run(command, project)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    (upload,) = [run for run in runs if run.startswith("gh release create")]
    patterns = [word for word in shlex.split(upload) if word.endswith(".apkg")]
    assert patterns == ["build/*.apkg"]
    assert len(list(project.glob(patterns[0]))) == 1


@pytest.mark.slow
def test_every_hook_passes_on_a_good_deck_and_fails_on_a_bad_one(project: Path) -> None:
    hooks = _hooks()
    assert {hook["id"] for hook in hooks} == {"deckgen-check", "deckgen-docs"}
    for hook in hooks:
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        assert re.search(hook["files"], "cards/points/ST7.yaml")
        assert _run(shlex.split(hook["entry"]), project).returncode == 0, hook["id"]
    (note,) = (project / "cards" / "points").glob("*.yaml")
    text = note.read_text(encoding="utf-8")
    moved = re.sub(r"^(location: .*)\.$", r"\1, one cun lower.", text, count=1, flags=re.M)
    assert moved != text
    note.write_text(moved, encoding="utf-8")  # a valid edit: the pages are stale
    by_id = {hook["id"]: shlex.split(hook["entry"]) for hook in hooks}
    assert _run(by_id["deckgen-check"], project).returncode == 0
    stale = _run(by_id["deckgen-docs"], project)
    assert stale.returncode == 1 and "out of date: run 'deckgen docs'" in stale.stderr
    note.write_text(moved + "channel: nowhere\n", encoding="utf-8")  # and a broken one
    for command in by_id.values():
        assert _run(command, project).returncode == 1
