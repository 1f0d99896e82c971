"""What keeps a large build's memory down (issue 18), checked by what a build keeps rather
than by measuring it: see docs/performance.md for the measured peak."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

from deckgen.build import build_each
from deckgen.kinds.folder import load_cards
from deckgen.kinds.point import PointKind


def test_a_build_makes_no_reference_cycles(mini_cards: Path, tmp_path: Path) -> None:
    """A build pauses the cyclic collector (see `gcpause`): a cycle it makes (a recursive
    closure, say) is kept until the build ends. Reference counting frees all else."""
    build_each(cards_dirs=[mini_cards], out_dir=tmp_path / "warm")  # first-use caches
    again = tmp_path / "again"
    shutil.copytree(mini_cards, again, ignore=shutil.ignore_patterns("deckgen.lock"))
    gc.collect()
    gc.disable()
    try:
        build_each(cards_dirs=[again], out_dir=tmp_path / "out")
        found = gc.collect()
    finally:
        gc.enable()
    assert found == 0


def test_records_share_their_sets_of_fields_given(mini_cards: Path) -> None:
    """Pydantic keeps in every model the set of fields it was given: equal sets are one,
    in the records and in the models inside them."""
    points = load_cards(mini_cards).records_of(PointKind())
    assert len(points) > 1
    for models in (points, [point.needling for point in points]):
        distinct = {frozenset(model.model_fields_set) for model in models}
        assert len({id(model.model_fields_set) for model in models}) == len(distinct)
