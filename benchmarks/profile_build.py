"""Profile a full build, a no-op rebuild and a one-note edit of a synthetic deck.

    pip install pyinstrument
    python benchmarks/profile_build.py                 # 20,000 notes
    python benchmarks/profile_build.py --notes 2000 --out /tmp/profiles

Each build runs in a fresh process under pyinstrument's sampling profiler (imports
included), on a copy of src/deckgen taken at the start (see `benchmarks.run.snapshot`).
For each one this writes `<name>.txt` (the call tree), `<name>.html` (to open in a
browser) and `<name>.pstats`, and prints the functions with the most time of their own.
"""

from __future__ import annotations

import argparse
import io
import pstats
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as `python benchmarks/profile_build.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import SOURCE, snapshot
from benchmarks.synth import edit_one_note, generate

WORKER = Path(__file__).resolve().parent / "worker.py"


def profile(
    arguments: list[str],
    *,
    out: Path,
    name: str,
    cwd: Path,
    interval: float = 0.002,
    env: dict[str, str] | None = None,
) -> Path:
    """Run the worker with `arguments` under pyinstrument; write the session and renderings."""
    session = out / f"{name}.pyisession"
    pyinstrument = [sys.executable, "-m", "pyinstrument"]
    result = out / f".{name}.json"
    record = [*pyinstrument, "-i", str(interval), "-r", "pyisession", "-o", str(session)]
    subprocess.run(
        [*record, str(WORKER), str(result), *arguments],
        cwd=cwd,
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    for renderer, suffix, extra in (
        ("text", "txt", ["--no-color", "--unicode"]),
        ("html", "html", []),
        ("pstats", "pstats", []),
    ):
        target = out / f"{name}.{suffix}"
        command = [*pyinstrument, "--load", str(session), "-r", renderer, "-o", str(target)]
        subprocess.run([*command, *extra], check=True)
    return out / f"{name}.pstats"


def self_time(stats_path: Path, limit: int) -> str:
    """The functions with the most time of their own, as pstats prints them."""
    stream = io.StringIO()
    stats = pstats.Stats(str(stats_path), stream=stream)
    stats.sort_stats("tottime").print_stats(limit)
    return stream.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/profile_build.py", description=__doc__)
    parser.add_argument("--notes", type=int, default=20_000, help="deck size (default 20000)")
    parser.add_argument("--out", type=Path, help="where profiles go (default: a temp folder)")
    parser.add_argument("--top", type=int, default=30, help="functions listed by own time")
    parser.add_argument(
        "--interval", type=float, default=0.002, help="seconds between samples (default 0.002)"
    )
    args = parser.parse_args(argv)
    out: Path = args.out or Path(tempfile.mkdtemp(prefix="deckgen-profile-"))
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="deckgen-profile-deck-"))
    try:
        env = snapshot(SOURCE, work / "src")[0] if SOURCE is not None else None
        synthetic = generate(work / "cards", args.notes)
        build_out = work / "out"
        build = ["deckgen", "build", "--cards", str(synthetic.cards), "--out", str(build_out)]
        for name in ("full-build", "noop-rebuild", "edit-rebuild"):
            if name == "edit-rebuild":
                edit_one_note(synthetic, 1)
            print(f"profiling {name} ...", file=sys.stderr, flush=True)
            stats = profile(build, out=out, name=name, cwd=work, interval=args.interval, env=env)
            print(f"== {name}: own time, top {args.top} ==")
            print(self_time(stats, args.top))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"profiles written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
