"""Reproducible, atomic .apkg files."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import BinaryIO

import pytest

from conftest import Parsed
from deckgen.anki.zipwrite import Deflater
from deckgen.build import build
from deckgen.state.cachefile import cache_path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_builds_of_the_same_sources_are_byte_identical(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    first = build(cards_dir=mini_cards, out_dir=tmp_path / "one").output
    lock = (mini_cards / "deckgen.lock").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800999999")  # a later clock changes nothing
    second = build(cards_dir=mini_cards, out_dir=tmp_path / "two").output
    assert _sha256(first) == _sha256(second)
    assert (mini_cards / "deckgen.lock").read_bytes() == lock


def test_builds_in_other_threads_of_one_process_give_the_same_bytes(
    mini_cards: Path, tmp_path: Path
) -> None:
    """What a build keeps for the next one in its process (the collection's skeleton) is
    kept per thread: a watch or a preview server builds in threads of their own."""
    import threading

    packages = []
    for index in range(3):
        out = tmp_path / f"out{index}"
        if index == 0:
            build(cards_dir=mini_cards, out_dir=out)
        else:
            failures: list[BaseException] = []

            def run(out: Path = out, failures: list[BaseException] = failures) -> None:
                try:
                    build(cards_dir=mini_cards, out_dir=out)
                except BaseException as error:  # reported below, in the test's thread
                    failures.append(error)

            thread = threading.Thread(target=run)
            thread.start()
            thread.join()
            assert failures == []
        (package,) = out.glob("*.apkg")
        packages.append(package.read_bytes())
    assert packages[0] == packages[1] == packages[2]


def test_a_fresh_checkout_with_the_lock_rebuilds_identically(
    mini_cards: Path, tmp_path: Path
) -> None:
    first = build(cards_dir=mini_cards, out_dir=tmp_path / "one").output
    clone = tmp_path / "clone"
    subprocess.run(["cp", "-a", str(mini_cards), str(clone)], check=True)
    second = build(cards_dir=clone, out_dir=tmp_path / "two").output
    assert _sha256(first) == _sha256(second)


def test_zip_entries_are_sorted_deflated_and_timeless(mini_cards: Path, tmp_path: Path) -> None:
    package = build(cards_dir=mini_cards, out_dir=tmp_path).output
    with zipfile.ZipFile(package) as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        assert names == sorted(names)
        assert {info.compress_type for info in infos} == {zipfile.ZIP_DEFLATED}
        assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
        media = json.loads(archive.read("media"))
        assert sorted(media.values()) == list(media.values())
        assert all(name.startswith("deckgen-") for name in media.values())


def test_an_interrupted_build_leaves_the_previous_apkg_whole(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    package = build(cards_dir=mini_cards, out_dir=out).output
    before = _sha256(package)
    lock_before = (mini_cards / "deckgen.lock").read_bytes()
    (mini_cards / "points" / "ST2.yaml").write_text(
        (mini_cards / "points" / "ST2.yaml").read_text().replace("foramen.", "foramen (edited).")
    )
    writes = 0
    original = Deflater.write

    def interrupted(self: Deflater, block: bytes | memoryview, stream: BinaryIO) -> int:
        nonlocal writes
        writes += 1
        if writes == 3:  # part of the way through the media
            raise KeyboardInterrupt
        return original(self, block, stream)

    monkeypatch.setattr(Deflater, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(cards_dir=mini_cards, out_dir=out)
    assert _sha256(package) == before
    assert (mini_cards / "deckgen.lock").read_bytes() == lock_before
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [package.name, cache_path(out, mini_cards).name]
    )


@pytest.mark.slow
def test_a_killed_build_process_leaves_the_previous_apkg_whole(
    mini_cards: Path, tmp_path: Path
) -> None:
    """SIGKILL in the middle of writing the zip: the target is never half-written."""
    out = tmp_path / "out"
    package = build(cards_dir=mini_cards, out_dir=out).output
    before = _sha256(package)
    st2 = mini_cards / "points" / "ST2.yaml"
    st2.write_text(st2.read_text().replace("foramen.", "foramen (edited)."))
    script = (
        "import os, signal\n"
        "from pathlib import Path\n"
        "from deckgen.build import build\n"
        "from deckgen.anki.zipwrite import Deflater\n"
        "original = Deflater.write\n"
        "def killed(self, block, stream):\n"
        "    original(self, block, stream)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "Deflater.write = killed\n"
        f"build(cards_dir=Path({str(mini_cards)!r}), out_dir=Path({str(out)!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], check=False)
    assert result.returncode == -9
    assert _sha256(package) == before
    with zipfile.ZipFile(package) as archive:
        assert archive.testzip() is None


def test_no_temporary_files_are_left_behind(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)
    build(cards_dir=mini_cards, out_dir=tmp_path / "out")
    assert list(scratch.iterdir()) == []


def test_a_rebuild_with_nothing_changed_does_no_work(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    parsed = Parsed(monkeypatch)
    first = build(cards_dir=mini_cards, out_dir=out)
    assert parsed.names  # what the rebuild must not do
    parsed.names.clear()
    package_time = first.output.stat().st_mtime_ns
    lock_time = (mini_cards / "deckgen.lock").stat().st_mtime_ns

    again = build(cards_dir=mini_cards, out_dir=out)
    assert parsed.names == []
    assert again.output == first.output and again.size == first.size
    assert again.decks == first.decks and again.warnings == first.warnings
    assert not again.changes.added and not again.changes.changed and not again.changes.removed
    assert len(again.changes.unchanged) == len(first.changes.added)
    assert first.output.stat().st_mtime_ns == package_time
    assert (mini_cards / "deckgen.lock").stat().st_mtime_ns == lock_time

    # Any change to the inputs, or to the package on disk, means a real build.
    monkeypatch.undo()
    first.output.write_bytes(b"damaged")
    rebuilt = build(cards_dir=mini_cards, out_dir=out)
    assert rebuilt.output.read_bytes() != b"damaged"
    with zipfile.ZipFile(rebuilt.output) as archive:
        assert archive.testzip() is None


def test_progress_is_reported_for_every_record(mini_cards: Path, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    build(
        cards_dir=mini_cards,
        out_dir=tmp_path,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(done, 7) for done in range(1, 8)]
