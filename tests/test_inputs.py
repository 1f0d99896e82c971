"""Hashing the inputs: a file that looks as it did when last hashed is not read again,
and no edit goes unseen."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deckgen.source.files
import deckgen.state.nochange
from deckgen.build import build
from deckgen.kinds import registry
from deckgen.kinds.folder import is_note_file
from deckgen.source.errors import InvalidCards
from deckgen.source.files import scan
from deckgen.state.nochange import Inputs

HOUR_NS = 3600 * 10**9


class Reads:
    """The files that `Inputs` reads to hash."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        real = deckgen.source.files.file_sha256

        def counting(path: str | Path, *, root: Path | None = None) -> str:
            self.names.append(Path(path).name)
            return real(path, root=root)

        monkeypatch.setattr(deckgen.state.nochange, "file_sha256", counting)


@pytest.fixture(autouse=True)
def short_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files settle after 0.2 s instead of 2 s: the tests wait for it."""
    monkeypatch.setattr(deckgen.state.nochange, "SETTLE_NS", 200_000_000)


def _settle(folder: Path) -> None:
    """Make every file look last modified an hour ago. (Its change time stays now, so its
    stat is trusted only once `SETTLE_NS` has passed.)"""
    past = time.time_ns() - HOUR_NS
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(past, past))


def _wait_to_settle() -> None:
    time.sleep(deckgen.state.nochange.SETTLE_NS / 1e9 + 0.05)


def _hashed_when_settled(cards: Path) -> Inputs:
    """The inputs hashed (and their stats kept) once every file has settled."""
    _settle(cards)
    _wait_to_settle()
    listing = scan(cards)
    inputs = Inputs(listing)
    # Every file's stat is kept to be trusted: hashing read the short `SETTLE_NS` that
    # `short_settle` set (with the real one, a file changed 0.25 s ago is not trusted).
    assert {f"cards/{name}" for name in listing.files} <= set(inputs.hashed)
    return inputs


def test_files_as_they_were_are_not_read_again(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = Reads(monkeypatch)
    first = _hashed_when_settled(mini_cards)
    assert "imaging.yaml" in reads.names  # the count sees the reading it is to rule out
    reads.names.clear()
    second = Inputs(scan(mini_cards), known=first.hashed)
    assert reads.names == []
    assert second.digest == first.digest


def test_an_edit_that_keeps_size_and_modification_time_is_seen(
    mini_cards: Path, tmp_path: Path
) -> None:
    first = _hashed_when_settled(mini_cards)
    fact = mini_cards / "facts" / "imaging.yaml"
    before = fact.stat()
    text = fact.read_text(encoding="utf-8")
    fact.write_text(text.replace("MRI", "mri", 1), encoding="utf-8")  # same size
    os.utime(fact, ns=(before.st_atime_ns, before.st_mtime_ns))  # the same mtime too
    assert fact.stat().st_size == before.st_size
    assert Inputs(scan(mini_cards), known=first.hashed).digest != first.digest


def test_a_file_changed_just_before_it_was_hashed_is_read_again(
    mini_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write in the same clock tick as the hashing could leave size and times as they
    were: such a file's stat is not trusted."""
    _settle(mini_cards)
    _wait_to_settle()
    (mini_cards / "facts" / "imaging.yaml").touch()
    first = Inputs(scan(mini_cards))
    reads = Reads(monkeypatch)
    Inputs(scan(mini_cards), known=first.hashed)
    assert reads.names == ["imaging.yaml"]


def test_a_build_with_errors_keeps_no_hashes(mini_cards: Path, tmp_path: Path) -> None:
    (mini_cards / "facts" / "imaging.yaml").write_text("id: [", encoding="utf-8")
    with pytest.raises(InvalidCards):
        build(cards_dir=mini_cards, out_dir=tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_library_versions_are_those_importlib_metadata_gives() -> None:
    """The versions read from dist-info folder names are what importlib.metadata reports,
    for every distribution installed here (and "missing" for one that is not)."""
    from importlib import metadata

    from deckgen.state.nochange import library_versions

    names = sorted({dist.metadata["Name"] for dist in metadata.distributions()})
    assert len(names) > 20
    expected = {name: metadata.version(name) for name in names}
    assert library_versions([*names, "no-such-distribution"]) == {
        **expected,
        "no-such-distribution": "missing",
    }


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(["points", "facts", "x", "/", ".", "yaml", "yml", "YAML", "a", " ", "\n"]),
        max_size=8,
    ).map("".join)
)
def test_a_note_file_is_a_yaml_file_straight_in_a_kinds_folder(name: str) -> None:
    """`is_note_file` (one pattern) says what its definition says, for any name."""
    folder, _, rest = name.partition("/")
    defined = (
        folder in registry.folders()
        and rest.endswith((".yaml", ".yml"))
        and not rest.startswith(".")
        and "/" not in rest
    )
    assert is_note_file(name) == defined
