"""A build that fails while writing leaves every file as it was and nothing behind.

The build is made to fail at each of its write, flush and rename steps in turn (the
system calls themselves fail, as on a full or failing disk), on real read-only and full
file systems, and with its paths taken by the wrong kind of file. After each failure the
previous .apkg, the lock and the sources are byte for byte as they were and no temporary
file is left; the next build succeeds and writes what a build from scratch writes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from click.testing import CliRunner

import badinputs
from ankitest import Collection, import_package
from deckgen.cli import cli

pytestmark = pytest.mark.slow

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600", "NO_COLOR": "1"}


def _build(workdir: Path, *args: str) -> tuple[int, str]:
    previous = Path.cwd()
    os.chdir(workdir)
    try:
        result = CliRunner().invoke(
            cli, ["build", "--cards", "cards", "--out", "out", *args], env=EPOCH
        )
    finally:
        os.chdir(previous)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def _edit(cards: Path) -> None:
    """A change that gives a new .apkg and a new lock."""
    fact = cards / "facts" / "imaging.yaml"
    fact.write_text(fact.read_text(encoding="utf-8").replace("MRI", "MR imaging"), "utf-8")


@pytest.fixture
def built(mini_cards: Path, tmp_path: Path) -> Path:
    """A work folder whose `cards` were built into `out` once, then edited."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    mini_cards.rename(workdir / "cards")
    assert _build(workdir)[0] == 0
    _edit(workdir / "cards")
    return workdir


def _from_scratch(workdir: Path, tmp_path: Path) -> bytes:
    """The .apkg a build of the same cards and lock writes with no cache."""
    scratch = tmp_path / "scratch"
    shutil.copytree(workdir / "cards", scratch / "cards")
    assert _build(scratch)[0] == 0
    (package,) = (scratch / "out").glob("*.apkg")
    return package.read_bytes()


def _assert_untouched(workdir: Path, before: dict[str, str]) -> None:
    assert badinputs.snapshot(workdir) == before
    assert badinputs.temporary_files(workdir) == []


class Faults:
    """Counts the build's write, flush and rename steps under one folder, and makes the
    `fail_at`-th of them fail as a full disk would."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int | None) -> None:
        self.root = str(root)
        self.fail_at = fail_at
        self.steps: list[str] = []
        real_replace, real_fsync, real_open = os.replace, os.fsync, Path.open
        faults = self

        def replace(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
            faults.step("rename", target, errno.EIO)
            real_replace(source, target, *args, **kwargs)

        def fsync(handle: int) -> None:
            if stat.S_ISREG(os.fstat(handle).st_mode):  # not a folder's (that is best effort)
                faults.step("flush", Path(f"/proc/self/fd/{handle}").readlink(), errno.ENOSPC)
            real_fsync(handle)

        def open_(path: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            stream = real_open(path, mode, *args, **kwargs)
            if "w" in mode and str(path).startswith(faults.root):
                faults.step("open", path, errno.EROFS)
                return _Writes(stream, faults, path)
            return stream

        monkeypatch.setattr(os, "replace", replace)
        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(Path, "open", open_)

    def step(self, kind: str, where: object, code: int) -> None:
        if not str(where).startswith(self.root):
            return
        self.steps.append(f"{kind} {where}")
        if len(self.steps) == self.fail_at:
            raise OSError(code, os.strerror(code))


class _Writes:
    """A file whose writes are steps (see `Faults`)."""

    def __init__(self, stream: IO[Any], faults: Faults, path: Path) -> None:
        self._stream, self._faults, self._path = stream, faults, path

    def write(self, data: bytes) -> int:
        self._faults.step("write", self._path, errno.ENOSPC)
        return self._stream.write(data)

    def writelines(self, pieces: Any) -> None:
        for piece in pieces:
            self.write(piece)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def __enter__(self) -> _Writes:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.close()


def test_a_build_failing_at_any_write_flush_or_rename_changes_nothing(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _from_scratch(built, tmp_path)
    pristine = tmp_path / "pristine"
    shutil.copytree(built, pristine, symlinks=True)
    with monkeypatch.context() as patch:
        counting = Faults(built, patch, fail_at=None)
        assert _build(built)[0] == 0
    steps = counting.steps
    kinds = {step.split()[0] for step in steps}
    assert kinds == {"open", "write", "flush", "rename"}, steps
    assert len(steps) >= 15, steps
    # The cache is written once the lock and the package are in place: a failure there
    # leaves a finished build, and no cache (the next build does all its work). The last
    # step before the commit sets the collection aside for it (the commit's own renames
    # are of relative paths here, so not steps).
    aside = next(i for i, step in enumerate(steps, 1) if re.match(r"rename .*deckgen-cache", step))
    assert any("deckgen-cache-" in step for step in steps[aside:]), steps
    for fail_at in range(1, len(steps) + 1):
        shutil.rmtree(built)
        shutil.copytree(pristine, built, symlinks=True)
        before = badinputs.snapshot(built)
        with monkeypatch.context() as patch:
            Faults(built, patch, fail_at=fail_at)
            code, output = _build(built)
        failed = steps[fail_at - 1]
        if fail_at > aside:
            assert code == 0 and "Built out/mini-deck.apkg" in output, f"{failed}: {output}"
            assert badinputs.temporary_files(built) == []
            assert list((built / "out").glob(".deckgen-cache-*")) == [], failed
            (package,) = (built / "out").glob("*.apkg")
            assert package.read_bytes() == expected, failed
            continue
        assert code == 1, f"{failed}: {output}"
        assert output.startswith("Error: cannot write "), output
        assert ".deckgen.tmp" not in output and "nothing was changed" in output, output
        _assert_untouched(built, before)
        assert _build(built)[0] == 0, failed  # the next build just works
        (package,) = (built / "out").glob("*.apkg")
        assert package.read_bytes() == expected, failed


@pytest.mark.parametrize(
    ("occupied", "named"),
    [
        ("out/mini-deck.apkg", "out/mini-deck.apkg"),
        ("cards/deckgen.lock", "cards/deckgen.lock"),
    ],
)
def test_a_path_taken_by_a_folder_fails_the_build_and_changes_nothing(
    built: Path, occupied: str, named: str
) -> None:
    path = built / occupied
    path.unlink()
    (path / "inside").mkdir(parents=True)
    before = badinputs.snapshot(built)
    code, output = _build(built)
    assert code == 1
    assert named in output and "folder" in output, output
    _assert_untouched(built, before)


def test_a_cache_path_taken_by_a_folder_fails_the_build_and_changes_nothing(built: Path) -> None:
    (cache,) = (built / "out").glob(".deckgen-cache-*.sqlite")
    cache.unlink()
    (cache / "inside").mkdir(parents=True)
    before = badinputs.snapshot(built)
    code, output = _build(built)
    assert code == 1
    assert f"cannot write out/{cache.name}: a folder is in the way" in output, output
    _assert_untouched(built, before)
    shutil.rmtree(cache)
    assert _build(built)[0] == 0


# Real file systems: a read-only one, and a full one (tmpfs), mounted for the test.


def _mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        reason = f"mounting needs root and CAP_SYS_ADMIN: {result.stderr.strip()}"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(reason)
        pytest.skip(reason)


@contextlib.contextmanager
def _mounted(target: Path, *options: str) -> Iterator[None]:
    _mount(*options, str(target))
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    with _mounted(folder, "--bind", str(folder)):
        _mount("-o", "remount,bind,ro", str(folder))
        yield


@pytest.mark.parametrize("folder", ["cards", "out"])
def test_a_read_only_folder_fails_the_build_and_changes_nothing(built: Path, folder: str) -> None:
    before = badinputs.snapshot(built)
    with _read_only(built / folder):
        code, output = _build(built)
        assert code == 1
        assert f"cannot write {folder}" in output and "Read-only file system" in output, output
        _assert_untouched(built, before)
    assert _build(built)[0] == 0


@pytest.mark.parametrize("left", [32, 96, 128, 144, 160], ids=lambda kb: f"{kb} kB left")
def test_a_full_disk_fails_the_build_and_changes_nothing(
    built: Path, tmp_path: Path, left: int
) -> None:
    disk = Path(tempfile.mkdtemp(dir=tmp_path))
    with _mounted(disk, "-t", "tmpfs", "-o", "size=4m", "tmpfs"):
        shutil.copytree(built, disk / "work", symlinks=True)
        work = disk / "work"
        filler = disk / "filler"  # leaves too little for a build: it fails at one step or another
        free = os.statvfs(disk)
        filler.write_bytes(bytes(free.f_bavail * free.f_frsize - left * 1024))
        before = badinputs.snapshot(work)
        code, output = _build(work)
        if code == 0:  # full only once the package was in place (if at all): no leftovers
            assert badinputs.temporary_files(work) == []
        else:
            assert code == 1
            assert "No space left on device" in output or "disk is full" in output, output
            _assert_untouched(work, before)
        filler.unlink()
        assert _build(work)[0] == 0
        (package,) = (work / "out").glob("*.apkg")
        col = Collection(str(tmp_path / "collection.anki2"))
        try:
            assert len(import_package(col, package).new) > 0
        finally:
            col.close()


KILLED_AT_THE_PACKAGE = """
import os, sys
real = os.replace
def replace(source, target, *args, **kwargs):
    if str(target).endswith(".apkg"):
        os._exit(9)  # killed: no clean-up, no rollback
    return real(source, target, *args, **kwargs)
os.replace = replace
from deckgen.cli import main
sys.argv = ["deckgen", "build", "--cards", "cards", "--out", "out"]
main()
"""


def test_a_build_killed_between_the_lock_and_the_package_is_finished_by_the_next(
    built: Path, tmp_path: Path
) -> None:
    """Killed after the lock was renamed and before the package was: the next build
    removes what was left and writes the package that goes with the lock."""
    env = {**os.environ, **EPOCH}
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AT_THE_PACKAGE], cwd=built, env=env, check=False
    )
    assert killed.returncode == 9
    assert badinputs.temporary_files(built) != []  # the package, staged but not renamed
    assert _build(built)[0] == 0
    assert badinputs.temporary_files(built) == []
    (package,) = (built / "out").glob("*.apkg")
    assert package.read_bytes() == _from_scratch(built, tmp_path)


def test_without_hard_links_a_failed_commit_still_puts_every_file_back(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a file system that cannot link (FAT, some network shares) the old files are
    kept as copies: a rename that fails after the lock was replaced puts the lock back."""
    real_replace = os.replace
    renamed: list[str] = []

    def no_links(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    def replace(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
        if str(target).endswith(".apkg"):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(source, target, *args, **kwargs)
        renamed.append(Path(target).name)

    before = badinputs.snapshot(built)
    with monkeypatch.context() as patch:
        patch.setattr(os, "link", no_links)
        patch.setattr(os, "replace", replace)
        code, output = _build(built)
    assert "deckgen.lock" in renamed  # replaced before the package failed: put back
    assert code == 1 and "nothing was changed" in output, output
    _assert_untouched(built, before)
