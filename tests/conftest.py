from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import deckgen.kinds.folder
from ankitest import Collection
from deckgen.source.yamldoc import read_yaml

REPO = Path(__file__).resolve().parent.parent
SHIPPED_CARDS = REPO / "cards"


@pytest.fixture
def cards_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped cards (without its lock), safe to edit."""
    target = tmp_path / "cards"
    shutil.copytree(SHIPPED_CARDS, target, ignore=shutil.ignore_patterns("deckgen.lock"))
    return target


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Collection]:
    """A fresh, empty Anki collection using the real backend."""
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()


MINI_CARDS = REPO / "tests" / "data" / "mini"


@pytest.fixture
def mini_cards(tmp_path: Path) -> Path:
    """A private copy of the small test deck (tests/data/mini), safe to edit."""
    target = tmp_path / "mini"
    shutil.copytree(MINI_CARDS, target, ignore=shutil.ignore_patterns("deckgen.lock"))
    return target


class Parsed:
    """Counts the YAML files that loading a cards folder parses. (A test that expects none
    first sees it count some: so that it cannot pass because parsing moved elsewhere.)"""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []

        def counting(path: Path, *, root: Path | None = None) -> object:
            self.names.append(path.name)
            return read_yaml(path, root=root)

        monkeypatch.setattr(deckgen.kinds.folder, "read_yaml", counting)
