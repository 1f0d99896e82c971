"""Running one measured command in a fresh process: what the harness's modules share."""

from __future__ import annotations

import math
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: What the `deckgen` command runs (the console script's entry point), as `python -c`:
#: the interpreter is the harness's own and `deckgen` is imported from PYTHONPATH first.
DECKGEN = "import sys; from deckgen.cli import main; sys.argv[0] = 'deckgen'; sys.exit(main())"


class BenchmarkError(Exception):
    """A measured operation failed, or the two sides did not write the same deck."""


@dataclass(frozen=True)
class Timing:
    """One run of a command in a fresh process, or one wait for the watcher."""

    cpu: float  # seconds of CPU (user + system)
    wall: float  # seconds


def deckgen_command(*arguments: str) -> list[str]:
    """`deckgen ARGUMENTS` as the console script runs it, with the harness's Python."""
    return [sys.executable, "-c", DECKGEN, *arguments]


def spawn(
    command: Sequence[str], *, cwd: Path, label: str, env: dict[str, str] | None = None
) -> tuple[Timing, resource.struct_rusage]:
    """Run `command` to its end, output in `cwd`/LABEL.out and .err; its CPU (`os.wait4`,
    user + system) and wall time, and its resource usage. A failure raises."""
    with (cwd / f"{label}.out").open("w") as out, (cwd / f"{label}.err").open("w") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = (cwd / f"{label}.err").read_text(errors="replace").strip().splitlines()[-15:]
        detail = "\n".join(tail)
        raise BenchmarkError(f"{label} failed with exit status {process.returncode}:\n{detail}")
    return Timing(usage.ru_utime + usage.ru_stime, wall), usage


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
