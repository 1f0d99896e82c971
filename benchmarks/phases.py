"""CPU time of each phase of a full build and of one-note edits of a synthetic deck.

    python benchmarks/phases.py                # 20,000 notes, three edits
    python benchmarks/phases.py --notes 2000 --edits 5

Each build runs in a fresh process that times the build's phases directly: the functions
that `build_each` calls once per build are wrapped with a CPU clock, so the timing costs
nothing per note (a profiler's hook inflates code that makes many calls). Prints, per
phase, the full build's time and the median of the edits; then the floor: the CPU time of
the bare genanki script (benchmarks/baseline.py) writing the same notes and media, and of
parsing every YAML file with libyaml. It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python benchmarks/phases.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.baseline import prepare
from benchmarks.synth import edit_one_note, generate

FLOOR_PARSE = "libyaml parse of every YAML file (PyYAML's CSafeLoader)"
FLOOR_GENANKI = "bare genanki script writing the same notes and media"

#: (module, attribute, label): each called once per build, so timing it costs nothing.
PHASES = (
    ("deckgen.build.lookback", "Inputs", "hashing the inputs"),
    ("deckgen.build.core", "buildcache.load", "reading the cache"),
    ("deckgen.build.load", "read_cards", "read_cards (parse, validate, check)"),
    ("deckgen.build.load", "read_lock", "reading the lock"),
    ("deckgen.build.prepare", "notes_reusing", "making the notes"),
    ("deckgen.build.prepare", "stamp", "stamping against the lock"),
    ("deckgen.build.core", "render_collection", "writing the collection"),
    ("deckgen.build.core", "write_zip", "zipping the package"),
    ("deckgen.state.lock.file", "Lock.stage", "writing the lock"),
    ("deckgen.build.core", "buildcache.stage", "writing the cache"),
)


def worker(cards: Path, out: Path) -> dict[str, float]:
    """One build of `cards` into `out`, in this process; CPU seconds per phase."""
    from deckgen.build import build_each

    times = {"interpreter start and imports": time.process_time()}
    for module_name, attribute, label in PHASES:
        *path, name = attribute.split(".")
        owner: Any = importlib.import_module(module_name)
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, name, _timed(getattr(owner, name), label, times))
    before = time.process_time()
    build_each(cards_dirs=[cards], out_dir=out)
    times["build, in all"] = time.process_time() - before
    times["process, in all"] = time.process_time()
    return times


def floor(cards: Path, baseline_input: Path, target: Path) -> dict[str, float]:
    """The floor, in this process (imports not counted): CPU seconds of parsing every YAML
    file with libyaml, and of the bare genanki script writing the same notes and media."""
    import genanki  # noqa: F401
    import yaml  # noqa: F401

    from benchmarks.baseline import parse_yaml, write_package

    before = time.process_time()
    parse_yaml(cards)
    parsed = time.process_time()
    write_package(baseline_input, target)
    written = time.process_time()
    return {FLOOR_PARSE: parsed - before, FLOOR_GENANKI: written - parsed}


def _timed(function: Callable[..., Any], label: str, times: dict[str, float]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        before = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            times[label] = times.get(label, 0.0) + time.process_time() - before

    return timed


def _run(*paths: Path, option: str = "--worker") -> dict[str, float]:
    command = [sys.executable, __file__, option, *map(str, paths)]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return dict(json.loads(result.stdout))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/phases.py", description=__doc__)
    parser.add_argument("--notes", type=int, default=20_000, help="deck size (default 20000)")
    parser.add_argument("--edits", type=int, default=3, help="one-note edits (default 3)")
    parser.add_argument("--worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor-worker", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0
    if args.floor_worker:
        print(json.dumps(floor(*args.floor_worker)))
        return 0
    work = Path(tempfile.mkdtemp(prefix="deckgen-phases-"))
    try:
        synthetic = generate(work / "cards", args.notes)
        time.sleep(2.1)  # let the new files settle, as files being edited have (see Inputs)
        full = _run(synthetic.cards, work / "out")
        prepare(next((work / "out").glob("*.apkg")), work / "baseline-input")
        floors = _run(
            synthetic.cards,
            work / "baseline-input",
            work / "baseline.apkg",
            option="--floor-worker",
        )
        edits = []
        for revision in range(1, args.edits + 1):
            edit_one_note(synthetic, revision)
            edits.append(_run(synthetic.cards, work / "out"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.notes:,} notes; CPU seconds; edits: median of {args.edits}")
    print("| Phase | full build | one-note edit |\n| --- | ---: | ---: |")
    for label in full:
        edit = statistics.median(times.get(label, 0.0) for times in edits)
        print(f"| {label} | {full[label]:.2f} | {edit:.2f} |")
    print("\nThe floor, CPU seconds in one process, imports not counted:")
    print("| Floor | CPU seconds |\n| --- | ---: |")
    for label, seconds in floors.items():
        print(f"| {label} | {seconds:.2f} |")
    print(f"| both | {sum(floors.values()):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
