"""Builds started at once in one folder take turns: none crashes, none damages the cache,
and the last package is what a build from scratch writes."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import badinputs

pytestmark = pytest.mark.slow

ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "NO_COLOR": "1"}
BUILD = [sys.executable, "-m", "deckgen", "build", "--cards", "cards", "--out", "out"]


def _start(workdir: Path, *extra: str) -> subprocess.Popen[str]:
    command = [*BUILD, *extra] if extra != ("check",) else [*BUILD[:3], "check", "--cards", "cards"]
    return subprocess.Popen(
        command, cwd=workdir, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _package(workdir: Path) -> bytes:
    (package,) = (workdir / "out").glob("*.apkg")
    return package.read_bytes()


def test_builds_started_at_once_take_turns(mini_cards: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    mini_cards.rename(workdir / "cards")
    fact = workdir / "cards" / "facts" / "imaging.yaml"
    waited = 0
    for round_ in range(4):
        fact.write_text(
            fact.read_text(encoding="utf-8").replace("MRI", f"MRI{round_}", 1), encoding="utf-8"
        )
        runs = [_start(workdir) for _ in range(4)]
        runs += [_start(workdir, "--dry-run"), _start(workdir, "check")]
        for run in runs:
            out, err = run.communicate(timeout=300)
            assert run.returncode == 0, (out, err)
            assert "Traceback" not in out + err, err
            waited += "Waiting for another deckgen build" in err
        assert badinputs.temporary_files(workdir) == []

    scratch = tmp_path / "scratch"
    shutil.copytree(workdir / "cards", scratch / "cards")
    fresh = subprocess.run(BUILD, cwd=scratch, env=ENV, capture_output=True, text=True, check=False)
    assert fresh.returncode == 0, fresh.stderr
    assert _package(workdir) == _package(scratch)
    again = subprocess.run(BUILD, cwd=workdir, env=ENV, capture_output=True, text=True, check=False)
    assert again.returncode == 0 and "0 added, 0 changed" in again.stdout, again.stdout
    assert waited > 0, "no build ever found another running: the test did not overlap them"


def test_a_file_system_without_folder_locks_still_builds(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NFS refuses `flock` on a folder (EBADF): the build goes on without the lock, and,
    not alone, leaves temporary files it did not write where they are."""
    import fcntl

    from deckgen.build import build

    asked: list[int] = []

    def refused(handle: int, operation: int) -> None:
        asked.append(handle)
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))

    out = tmp_path / "out"
    out.mkdir()
    another = out / ".other-deck.apkg.x1.deckgen.tmp"  # as if another build were writing it
    another.write_bytes(b"")
    monkeypatch.setattr(fcntl, "flock", refused)
    report = build(cards_dir=mini_cards, out_dir=out)
    assert report.output.is_file()
    assert another.exists()
    assert asked  # the build did ask for the lock
