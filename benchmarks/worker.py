"""Run one measured operation in this fresh process; write its timings as JSON.

    python benchmarks/worker.py RESULT.json deckgen build --cards DIR --out DIR
    python benchmarks/worker.py RESULT.json baseline INPUT_DIR OUT.apkg [CARDS_DIR]

`import` is the time to import the tool, `work` the operation itself, `peak_rss_kib` the
process's peak RSS (VmHWM); the parent adds the wall and CPU time of the whole process.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

_STARTED = time.perf_counter()


def main(argv: list[str]) -> int:
    result_path, operation, *args = argv
    where: dict[str, str] = {}
    if operation == "deckgen":
        import deckgen
        from deckgen.cli import cli

        imported = time.perf_counter()
        where["deckgen"] = deckgen.__file__ or ""
        cli.main(args=args, prog_name="deckgen", standalone_mode=False)
    elif operation == "baseline":
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        import genanki  # noqa: F401  (counted as import time, like deckgen's imports)
        import yaml  # noqa: F401

        from benchmarks.baseline import write_package

        imported = time.perf_counter()
        cards = Path(args[2]) if len(args) > 2 else None
        write_package(Path(args[0]), Path(args[1]), cards=cards)
    else:
        raise SystemExit(f"unknown operation {operation!r}")
    finished = time.perf_counter()
    timings: dict[str, object] = {"import": imported - _STARTED, "work": finished - imported}
    timings |= where
    peak = _peak_rss_kib()
    if peak is not None:
        timings["peak_rss_kib"] = peak
    Path(result_path).write_text(json.dumps(timings), encoding="utf-8")
    return 0


def _peak_rss_kib() -> int | None:
    """This process's peak resident set size (VmHWM), or None where /proc is missing.

    Not `ru_maxrss`: that survives exec, so a child forked from a large parent would
    report at least the parent's size.
    """
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
