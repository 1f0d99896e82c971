"""--watch, with real file-system events."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import pytest

from deckgen.authoring.watch import BuildOutcome, watch
from deckgen.build import BuildReport
from deckgen.source.errors import InvalidCards


def _wait_for(outcomes: list[BuildOutcome], count: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while len(outcomes) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(outcomes) >= count, f"only {len(outcomes)} builds after {timeout}s"


@pytest.mark.slow
def test_watch_rebuilds_on_save_and_keeps_the_last_good_package(
    mini_cards: Path, tmp_path: Path
) -> None:
    outcomes: list[BuildOutcome] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=watch,
        kwargs={
            "cards_dir": mini_cards,
            "out_dir": tmp_path / "out",
            "on_build": outcomes.append,
            "stop": stop,
            "debounce_ms": 100,
        },
    )
    thread.start()
    try:
        _wait_for(outcomes, 1)
        first = outcomes[0]
        assert isinstance(first, BuildReport)
        time.sleep(0.5)  # let the watcher settle after the first build's own writes
        assert len(outcomes) == 1, "the build's own lock write must not trigger a rebuild"

        st2 = mini_cards / "points" / "ST2.yaml"
        st2.write_text(st2.read_text().replace("foramen.", "foramen, below the pupil."))
        _wait_for(outcomes, 2)
        second = outcomes[1]
        assert isinstance(second, BuildReport)
        assert [key for key, _ in second.changes.changed] == ["point:ST2", "point-cloze:ST2"]
        good = hashlib.sha256(second.output.read_bytes()).hexdigest()

        st2.write_text("code: ST2\nlocation: [broken\n")
        _wait_for(outcomes, 3)
        assert isinstance(outcomes[2], InvalidCards)
        assert hashlib.sha256(second.output.read_bytes()).hexdigest() == good
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
