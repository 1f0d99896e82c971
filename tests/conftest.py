from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ankitest import Collection
from deckgen.kinds import registry
from deckgen.kinds.fact import FactKind

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


class Unread(FactKind):
    """The fact kind, failing the test if a build so much as checks the notes."""

    def check_across(self, *args: Any) -> None:
        pytest.fail("the cards were read")


@pytest.fixture
def no_reading() -> Iterator[None]:
    """While it is in use, reading a cards folder fails the test."""
    with registry.using(Unread()):
        yield
