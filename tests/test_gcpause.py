"""The cyclic collector is paused while a build or a load runs, and resumes after."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from deckgen.build.gcpause import gc_paused
from deckgen.build.load import load_folder
from deckgen.kinds import registry
from deckgen.kinds.fact import FactKind


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


def test_loading_a_folder_runs_paused(mini_cards: Path) -> None:
    seen: list[bool] = []

    class Watched(FactKind):  # the checks across files run in the middle of a load
        def check_across(self, *args: Any) -> None:
            seen.append(gc.isenabled())

    with registry.using(Watched()):
        load_folder(mini_cards)
    assert seen == [False]
    assert gc.isenabled()
