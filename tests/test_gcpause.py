"""The cyclic collector is paused while a build or a load runs, and resumes after."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from deckgen.build.gcpause import gc_paused
from deckgen.kinds import folder as cards_module


def test_paused_inside_resumed_after_even_on_error() -> None:
    seen: list[bool] = []

    @gc_paused
    def work(fail: bool) -> None:
        seen.append(gc.isenabled())
        if fail:
            raise ValueError("boom")

    assert gc.isenabled()
    work(False)
    with pytest.raises(ValueError):
        work(True)
    assert seen == [False, False]
    assert gc.isenabled()


def test_a_caller_that_paused_it_keeps_it_paused() -> None:
    gc.disable()
    try:
        gc_paused(lambda: None)()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_load_cards_runs_paused(mini_cards: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    real = cards_module.check_references  # type: ignore[attr-defined]

    def spy(*args: object, **kwargs: object) -> None:
        seen.append(gc.isenabled())
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cards_module, "check_references", spy)
    cards_module.load_cards(mini_cards)
    assert seen == [False]
    assert gc.isenabled()
