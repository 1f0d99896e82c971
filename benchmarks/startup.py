"""Start-up: `deckgen --version` and a no-op `deckgen build` of the shipped deck, each
side by side with `python -c "import click"`, in fresh processes of the same run.

The shipped deck (the repository's `cards/`) is copied to a scratch folder, so the
repository's lock is never written, and built there once, so that the no-op build finds
its lock and cache. The copy must be two seconds old before that build: the build trusts
a file's stat only when the file had not changed for two seconds (git's "racy" rule), and
a user's cards are older than that.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.process import BenchmarkError, Timing, deckgen_command, median, spawn

#: The operations, in the order of each round.
OPERATIONS = ("click", "version", "noop")
LABELS = {
    "click": '`python -c "import click"`',
    "version": "`deckgen --version`",
    "noop": "No-op `deckgen build` of the shipped deck",
}
#: Seconds a copied file must be unchanged before a build trusts its stat.
SETTLED = 2.1


@dataclass
class StartupResult:
    deck: str  # what was built: the shipped deck's note files and Anki notes
    clock: str = "cpu"
    samples: dict[str, list[Timing]] = field(default_factory=dict)

    def median(self, operation: str, attribute: str | None = None) -> float:
        attribute = attribute or self.clock
        return median([getattr(t, attribute) for t in self.samples.get(operation, [])])

    @property
    def runs(self) -> int:
        return min((len(samples) for samples in self.samples.values()), default=0)


class ShippedDeck:
    """A copy of the shipped deck in `dest`, made now, measured later (see module doc)."""

    def __init__(self, cards: Path, dest: Path) -> None:
        if not (cards / "deck.yaml").is_file():
            raise BenchmarkError(f"no shipped deck at {cards}")
        self.base = dest
        self.cards = dest / "cards"
        shutil.copytree(cards, self.cards)
        self.copied = time.monotonic()
        self.notes = sum(1 for path in self.cards.rglob("*.yaml") if path.parent != self.cards)

    def build_command(self) -> list[str]:
        return deckgen_command("build", "--cards", str(self.cards), "--out", str(self.base / "out"))


def measure_startup(
    shipped: ShippedDeck,
    *,
    repeat: int,
    env: dict[str, str] | None,
    clock: str = "cpu",
    log: Callable[[str], None] = lambda message: None,
) -> StartupResult:
    """Build the shipped deck once, then `repeat` rounds of the three operations."""
    base = shipped.base
    _check_import(base, env)
    time.sleep(max(0.0, shipped.copied + SETTLED - time.monotonic()))
    spawn(shipped.build_command(), cwd=base, label="shipped-build", env=env)
    built = (base / "shipped-build.out").read_text(errors="replace")
    anki = re.search(r"(\d+) unchanged", built) or re.search(r"(\d+) added", built)
    notes = f"{shipped.notes} note files" + (f", {anki[1]} Anki notes" if anki else "")
    result = StartupResult(deck=notes, clock=clock)
    commands = {
        "click": [sys.executable, "-c", "import click"],
        "version": deckgen_command("--version"),
        "noop": shipped.build_command(),
    }
    for revision in range(1, repeat + 1):
        for operation in OPERATIONS:
            timing, _ = spawn(commands[operation], cwd=base, label=operation, env=env)
            result.samples.setdefault(operation, []).append(timing)
        changed = re.search(r"(\d+) changed", (base / "noop.out").read_text(errors="replace"))
        if changed is None or int(changed[1]) != 0:
            raise BenchmarkError(f"the shipped deck's no-op build changed notes: {base}/noop.out")
        log(
            f"  start-up run {revision}: "
            + ", ".join(
                f"{name} {result.samples[name][-1].cpu:.3f}s cpu/"
                f"{result.samples[name][-1].wall:.3f}s wall"
                for name in OPERATIONS
            )
        )
    return result


def _check_import(base: Path, env: dict[str, str] | None) -> None:
    """The `python -c` entry imports deckgen from the run's snapshot, as the worker does."""
    expected = (env or {}).get("PYTHONPATH", "").split(os.pathsep)[0]
    if not expected:
        return
    command = [sys.executable, "-c", "import deckgen; print(deckgen.__file__)"]
    spawn(command, cwd=base, label="which-deckgen", env=env)
    imported = (base / "which-deckgen.out").read_text().strip()
    if not imported.startswith(expected):
        raise BenchmarkError(f"deckgen is imported from {imported}, not from {expected}")
