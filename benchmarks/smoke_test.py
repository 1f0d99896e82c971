"""The benchmark at a tiny size, for CI: every measurement runs and yields numbers.

    from benchmarks.smoke_test import run_smoke
    results = run_smoke()

Timings are never asserted (they mean nothing at 50 notes); what is checked is that each
operation ran at each size, produced finite, positive times and memory, and that every
target could be computed. Takes a few seconds.
"""

from __future__ import annotations

import math
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as `python benchmarks/smoke_test.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import (
    OPERATIONS,
    SMOKE_SIZES,
    SMOKE_STARTUP_REPEAT,
    SMOKE_WATCH_EDITS,
    report,
    run_benchmarks,
)
from benchmarks.startup import OPERATIONS as STARTUP_OPERATIONS


class SmokeFailure(AssertionError):
    """A measurement did not run or did not produce a number."""


def run_smoke() -> dict[str, object]:
    """Run every measurement once at 20 and 50 notes; return the results as plain data.

    Raises `SmokeFailure` if a measurement is missing or not a finite, positive number,
    and `benchmarks.run.BenchmarkError` if an operation failed.
    """
    with tempfile.TemporaryDirectory(prefix="deckgen-bench-smoke-") as workdir:
        results = run_benchmarks(
            sizes=SMOKE_SIZES,
            repeat=1,
            workdir=Path(workdir),
            smoke=True,
            startup_repeat=SMOKE_STARTUP_REPEAT,
            watch_edits=SMOKE_WATCH_EDITS,
            command="benchmarks.smoke_test.run_smoke()",
        )
    problems: list[str] = []
    for size in results.sizes:
        for operation in OPERATIONS:
            samples = size.samples.get(operation, [])
            if not samples:
                problems.append(f"{size.notes} notes: {operation} did not run")
            for sample in samples:
                for name in ("cpu", "wall", "work", "imports", "rss_mb"):
                    value = getattr(sample, name)
                    if not (math.isfinite(value) and value > 0):
                        problems.append(f"{size.notes} notes: {operation}.{name} is {value!r}")
        if not size.watch:
            problems.append(f"{size.notes} notes: the watch edits did not run")
        for timing in size.watch:
            if not (math.isfinite(timing.wall) and timing.wall > 0 and not timing.cpu < 0):
                problems.append(f"{size.notes} notes: a watch edit took {timing!r}")
        if not all(size.anki.get(key, 0) > 0 for key in ("notes", "cards", "media")):
            problems.append(f"{size.notes} notes: the .apkg counts are {size.anki}")
    startup = results.startup
    for operation in STARTUP_OPERATIONS:
        timings = startup.samples.get(operation, []) if startup is not None else []
        if not timings:
            problems.append(f"start-up: {operation} did not run")
        for timing in timings:
            if not (math.isfinite(timing.cpu) and timing.cpu > 0 and timing.wall > 0):
                problems.append(f"start-up: {operation} took {timing!r}")
    targets = results.targets()
    expected = {f"baseline-{notes}" for notes in SMOKE_SIZES} | {
        *("noop", "edit", "rss", "linearity"),
        *("watch", "startup-version", "startup-noop"),
    }
    if {target.key for target in targets} != expected:
        problems.append(f"targets computed: {[target.key for target in targets]}")
    for target in targets:
        if not (math.isfinite(target.value) and target.value > 0):
            problems.append(f"target {target.key} is {target.value!r}")
    if problems:
        raise SmokeFailure("; ".join(problems))
    data = results.to_dict()
    data["markdown"] = report(results)
    return data


if __name__ == "__main__":
    print(run_smoke()["markdown"])
