"""The benchmark harness at a tiny size: every measurement runs and yields numbers.

Timings are never asserted here (issue 8: benchmarks are not timed tests); the real run is
`python benchmarks/run.py`, reported in docs/performance.md."""

from __future__ import annotations

import pytest
from benchmarks.smoke_test import run_smoke

pytestmark = pytest.mark.slow  # builds and imports decks of every benchmark shape


def test_every_benchmark_measurement_runs() -> None:
    results = run_smoke()
    assert results["smoke"] is True
    assert results["targets"]
