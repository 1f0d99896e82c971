"""deckgen's benchmark: full build, no-op and one-note rebuilds, check, peak memory, the
wait for a rebuilt .apkg in watch mode, and start-up, each against the right reference, all
measured in one run; every target of issues 8 and 18 is reported with PASS or FAIL.

    python benchmarks/run.py                      # 2,000 and 20,000 notes, ~10 minutes
    python benchmarks/run.py --sizes 500,5000     # other sizes
    python benchmarks/run.py --smoke              # 20 and 50 notes, ~15 s (for CI)
    python benchmarks/run.py --write-docs         # also rewrite docs/performance.md

Run it with the Python of the virtualenv where deckgen is installed. Each measured
operation runs in a fresh process (interpreter start and imports included, as a user
waits for them), which reports its own peak RSS; its CPU and wall time come from
`os.wait4`. Runs are interleaved (full build, no-op rebuild, one-note edit, check, the
genanki baselines; then again), and each figure is the median of the runs made. After the
rounds of each size, `deckgen build --watch` runs on the same deck for five one-note edits
(benchmarks/watching.py); after all sizes, `deckgen --version` and a no-op build of the
shipped deck run beside `python -c "import click"` (benchmarks/startup.py). Results are
ratios within one run, never absolute times. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import math
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

if __package__ in (None, ""):  # run as `python benchmarks/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.baseline import package_counts, prepare
from benchmarks.process import BenchmarkError, Timing, median, spawn
from benchmarks.startup import LABELS as STARTUP_LABELS
from benchmarks.startup import ShippedDeck, StartupResult, measure_startup
from benchmarks.synth import Synthetic, edit_one_note, generate
from benchmarks.watching import measure_watch

ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).resolve().parent / "worker.py"
DOCS = ROOT / "docs" / "performance.md"
#: The package measured: copied at the start of each run (see `snapshot`).
SOURCE: Path | None = ROOT / "src" / "deckgen" if (ROOT / "src" / "deckgen").is_dir() else None
DEFAULT_SIZES = (2_000, 20_000)
SMOKE_SIZES = (20, 50)
#: The deck that `deckgen` ships, whose no-op build is timed at start-up.
SHIPPED = ROOT / "cards"
#: Rounds of the start-up measurements (each a few tenths of a second).
STARTUP_REPEAT = 9
SMOKE_STARTUP_REPEAT = 1
#: One-note edits made while `deckgen build --watch` runs, at each size.
WATCH_EDITS = 5
SMOKE_WATCH_EDITS = 2
#: The size the watch target is judged at (or the smallest measured, if not measured).
WATCH_NOTES = 2_000
OPERATIONS = ("build", "noop", "edit", "check", "baseline", "baseline_yaml")
LABELS = {
    "build": "Full build (fresh output, no lock)",
    "noop": "No-op rebuild (nothing changed, lock present)",
    "edit": "Rebuild after editing one note",
    "check": "`deckgen check`",
    "baseline": "Bare genanki script, same notes and media",
    "baseline_yaml": "Bare genanki script + libyaml parse of every YAML file",
}
#: The packages whose versions a report gives, and their distributions' names.
DISTRIBUTIONS = {
    "deckgen": "deckgen-anki",
    "genanki": "genanki",
    "PyYAML": "PyYAML",
    "pydantic": "pydantic",
    "watchfiles": "watchfiles",
}
#: The name of the per-size target of the full build against bare genanki.
BASELINE_TARGET = "Full build / genanki baseline"
WATCH_TARGET = "Watch: saved edit to new .apkg / full build, wall"
START_MARK = "<!-- benchmark-results:start -->"
END_MARK = "<!-- benchmark-results:end -->"

Log = Callable[[str], None]


@dataclass(frozen=True)
class Sample:
    """One run of one operation in a fresh process."""

    cpu: float  # seconds of CPU (user + system), whole process
    wall: float  # seconds, whole process
    work: float  # seconds, the operation alone (without interpreter start and imports)
    imports: float  # seconds spent importing the tool
    rss_mb: float  # peak resident set size, MiB


@dataclass
class SizeResult:
    notes: int  # note files
    files: dict[str, int]  # note files by folder
    diagram_points: int
    clock: str = "cpu"  # what the ratios compare: "cpu" or "wall" seconds
    anki: dict[str, int] = field(default_factory=dict)  # notes, cards, media in the .apkg
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    #: `deckgen build --watch`: per edit, the wall time from the save to the new .apkg and
    #: the watcher's CPU time in that wait (see benchmarks/watching.py).
    watch: list[Timing] = field(default_factory=list)

    def watch_median(self, attribute: str = "wall") -> float:
        return median([getattr(timing, attribute) for timing in self.watch])

    def watch_ratio(self) -> float:
        """The wait for a rebuilt .apkg in watch mode / a full build, both wall time."""
        return self.watch_median("wall") / self.median("build", "wall")

    def median(self, operation: str, attribute: str | None = None) -> float:
        """The median over runs of one operation's `attribute` (default: the clock compared)."""
        attribute = attribute or self.clock
        values = [getattr(sample, attribute) for sample in self.samples.get(operation, [])]
        return median(values)

    def peak_rss(self, operation: str) -> float:
        return max((sample.rss_mb for sample in self.samples.get(operation, [])), default=math.nan)

    @property
    def runs(self) -> int:
        return min((len(samples) for samples in self.samples.values()), default=0)


@dataclass(frozen=True)
class Target:
    key: str  # baseline-NOTES (one per size), noop, edit, rss, linearity, watch, startup-...
    name: str
    value: float
    limit: float
    unit: str  # "x" for ratios, " MB" for memory
    where: str  # the size it is judged at

    @property
    def passed(self) -> bool:
        return self.value <= self.limit

    def shown(self, value: float | None = None) -> str:
        return _number(self.value if value is None else value, self.unit)


@dataclass
class Results:
    sizes: list[SizeResult]
    smoke: bool
    clock: str
    repeat: int
    budget: float | None
    command: str
    machine: dict[str, str]
    started: str
    elapsed: float = 0.0
    startup: StartupResult | None = None

    def targets(self) -> list[Target]:
        """The targets of issues 8 and 18: the full build against the genanki baseline at
        every size; the no-op, edit and memory targets at the largest size; linearity as
        largest / smallest."""
        large, small = self.sizes[-1], self.sizes[0]
        where = f"{large.notes:,} notes"
        build = large.median("build")
        targets = [
            Target(
                f"baseline-{size.notes}",
                BASELINE_TARGET,
                size.median("build") / size.median("baseline"),
                1.5,
                "x",
                f"{size.notes:,} notes",
            )
            for size in self.sizes
        ]
        targets += [
            Target(
                "noop", "No-op rebuild / full build", large.median("noop") / build, 0.1, "x", where
            ),
            Target(
                "edit", "One-note edit / full build", large.median("edit") / build, 0.3, "x", where
            ),
            Target("rss", "Peak RSS of a full build", large.peak_rss("build"), 250.0, " MB", where),
        ]
        if len(self.sizes) > 1:
            scale = large.notes / small.notes
            targets.append(
                Target(
                    "linearity",
                    f"Full build {large.notes:,} / {small.notes:,} notes",
                    build / small.median("build"),
                    round(1.1 * scale, 2),
                    "x",
                    f"{scale:g}x the notes",
                )
            )
        watched = [size for size in self.sizes if size.watch]
        if watched:
            judged = next((s for s in watched if s.notes == WATCH_NOTES), watched[0])
            targets.append(
                Target(
                    "watch",
                    WATCH_TARGET,
                    judged.watch_ratio(),
                    0.15,
                    "x",
                    f"{judged.notes:,} notes",
                )
            )
        return targets + self.startup_targets()

    def startup_targets(self) -> list[Target]:
        """`deckgen --version` and a no-op build of the shipped deck against Click's import."""
        startup = self.startup
        if startup is None:
            return []
        click = startup.median("click")
        where = "start-up, fresh processes"
        return [
            Target(
                "startup-version",
                "`deckgen --version` / `import click`",
                startup.median("version") / click,
                1.5,
                "x",
                where,
            ),
            Target(
                "startup-noop",
                "No-op build of the shipped deck / `import click`",
                startup.median("noop") / click,
                3.0,
                "x",
                where,
            ),
        ]

    def failed(self) -> list[Target]:
        return [target for target in self.targets() if not target.passed]

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["targets"] = [asdict(target) | {"passed": target.passed} for target in self.targets()]
        return data


def _number(value: float, unit: str = "") -> str:
    if math.isnan(value):
        return "n/a"
    if unit == "x":
        return f"{value:.2f}x" if value < 10 else f"{value:.1f}x"
    if unit == " MB":
        return f"{value:,.0f} MB"
    return f"{value:.2f}" if value < 100 else f"{value:,.0f}"


# --- running one operation -------------------------------------------------------------


def snapshot(package: Path, dest: Path) -> tuple[dict[str, str], str]:
    """Copy the deckgen package at `package` under `dest` and compile it; return the
    environment that makes child processes import that copy, and a digest of its files.

    Others may edit src/ while a run takes its ten minutes: every measurement of one run
    then uses the same code, the code as it was when the run began.
    """
    copy = dest / package.name
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    compileall.compile_dir(copy, quiet=1)
    digest = hashlib.sha256()
    for path in sorted(p for p in copy.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(copy).as_posix().encode() + b"\0" + path.read_bytes())
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(dest), env.get("PYTHONPATH")]))
    return env, digest.hexdigest()[:12]


def measure(
    arguments: Sequence[str], *, cwd: Path, label: str, env: dict[str, str] | None = None
) -> Sample:
    """Run `worker.py` with `arguments` in a fresh process; its times and peak RSS."""
    result = cwd / f".{label}.json"
    result.unlink(missing_ok=True)
    command = [sys.executable, str(WORKER), str(result), *arguments]
    timing, usage = spawn(command, cwd=cwd, label=label, env=env)
    if not result.is_file():
        raise BenchmarkError(f"{label} wrote no timings; see {cwd / (label + '.err')}")
    timings = json.loads(result.read_text())
    expected = (env or {}).get("PYTHONPATH", "").split(os.pathsep)[0]
    imported = str(timings.get("deckgen", ""))
    if expected and imported and not imported.startswith(expected):
        raise BenchmarkError(f"{label} imported deckgen from {imported}, not from {expected}")
    # The child's own VmHWM; ru_maxrss (KiB on Linux) includes the parent's size at fork.
    peak_kib = timings.get("peak_rss_kib", usage.ru_maxrss)
    return Sample(timing.cpu, timing.wall, timings["work"], timings["import"], peak_kib / 1024)


def _changed(output: Path) -> int | None:
    """How many notes a build reported as changed, if its report says so."""
    match = re.search(r"(\d+) changed", output.read_text(errors="replace"))
    return int(match[1]) if match else None


def _one_round(
    synthetic: Synthetic,
    result: SizeResult,
    revision: int,
    log: Log,
    env: dict[str, str] | None = None,
) -> None:
    """Full build, no-op rebuild, one-note edit, check and baselines: one sample of each."""
    base = synthetic.cards.parent
    cards, out = synthetic.cards, base / "out"
    build = ["deckgen", "build", "--cards", str(cards), "--out", str(out)]
    samples = result.samples

    shutil.rmtree(out, ignore_errors=True)
    (cards / "deckgen.lock").unlink(missing_ok=True)
    samples.setdefault("build", []).append(measure(build, cwd=base, label="build", env=env))
    apkg = next(out.glob("*.apkg"))
    baseline_input = base / "baseline-input"
    if not result.anki:
        result.anki = package_counts(apkg)
        prepare(apkg, baseline_input)

    samples.setdefault("noop", []).append(measure(build, cwd=base, label="noop", env=env))
    if _changed(base / "noop.out") not in (0, None):
        raise BenchmarkError(f"the no-op rebuild changed notes; see {base / 'noop.out'}")

    edit_one_note(synthetic, revision)
    samples.setdefault("edit", []).append(measure(build, cwd=base, label="edit", env=env))
    if _changed(base / "edit.out") not in (1, None):
        raise BenchmarkError(f"the one-note edit did not change one note; see {base / 'edit.out'}")

    check = ["deckgen", "check", "--cards", str(cards)]
    samples.setdefault("check", []).append(measure(check, cwd=base, label="check", env=env))

    baseline_apkg = base / "baseline-out" / "baseline.apkg"
    shutil.rmtree(baseline_apkg.parent, ignore_errors=True)
    baseline_apkg.parent.mkdir()
    baseline = ["baseline", str(baseline_input), str(baseline_apkg)]
    samples.setdefault("baseline", []).append(
        measure(baseline, cwd=base, label="baseline", env=env)
    )
    with_yaml = [*baseline, str(cards)]
    samples.setdefault("baseline_yaml", []).append(
        measure(with_yaml, cwd=base, label="baseline_yaml", env=env)
    )
    if revision == 1:
        written = package_counts(baseline_apkg)
        if written != result.anki:
            raise BenchmarkError(f"baseline wrote {written}, deckgen wrote {result.anki}")
    log(
        f"  run {revision}: "
        + ", ".join(
            f"{name} {samples[name][-1].cpu:.2f}s cpu/{samples[name][-1].wall:.2f}s wall"
            for name in OPERATIONS
        )
        + f"; build peak RSS {samples['build'][-1].rss_mb:.0f} MB"
    )


def run_benchmarks(
    *,
    sizes: Sequence[int],
    repeat: int = 3,
    budget: float | None = None,
    workdir: Path,
    smoke: bool = False,
    clock: str = "cpu",
    command: str = "",
    source: Path | None = SOURCE,
    shipped: Path | None = SHIPPED,
    startup_repeat: int = STARTUP_REPEAT,
    watch_edits: int = WATCH_EDITS,
    log: Log = lambda message: None,
) -> Results:
    """Measure every operation at every size (smallest first), `repeat` times each, and
    `watch_edits` edits under `deckgen build --watch`; then the start-up of `deckgen`
    (with the `shipped` deck), `startup_repeat` times.

    With a `budget` in seconds, a size makes fewer runs (at least one) when more would not
    fit, keeping time for the larger sizes (estimated to scale with the number of notes).
    """
    ordered = sorted(set(sizes))
    started = time.monotonic()
    env: dict[str, str] | None = None
    facts = machine_facts()
    if source is not None:
        env, digest = snapshot(source, workdir / "src")
        facts["source"] = f"snapshot of src/deckgen taken at the start, files sha256 {digest}"
    results = Results(
        sizes=[],
        smoke=smoke,
        clock=clock,
        repeat=repeat,
        budget=budget,
        command=command,
        machine=facts,
        started=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )
    # Copied first, measured last: by then the copy is old enough to be trusted.
    deck = ShippedDeck(shipped, workdir / "shipped") if shipped is not None else None
    for index, notes in enumerate(ordered):
        base = workdir / f"n{notes}"
        log(f"{notes:,} notes: generating in {base}")
        synthetic = generate(base / "cards", notes)
        result = SizeResult(notes, synthetic.counts, synthetic.diagram_points, clock)
        results.sizes.append(result)
        round_time = 0.0
        for revision in range(1, repeat + 1):
            if budget is not None and revision > 1:
                later = sum(round_time * size / notes for size in ordered[index + 1 :])
                if time.monotonic() - started + round_time + later > budget:
                    log(f"  stopping after {revision - 1} run(s) to stay within the budget")
                    break
            began = time.monotonic()
            _one_round(synthetic, result, revision, log, env)
            round_time = time.monotonic() - began
        if watch_edits > 0:
            result.watch = measure_watch(
                synthetic,
                out=base / "out",
                edits=watch_edits,
                env=env,
                settle=0.5 if smoke else 1.0,
                log=log,
            )
    if deck is not None:
        log(f"start-up: the shipped deck ({deck.notes} note files) in {deck.base}")
        results.startup = measure_startup(
            deck, repeat=startup_repeat, env=env, clock=clock, log=log
        )
    results.elapsed = time.monotonic() - started
    results.machine["load"] += " -> " + _load()
    return results


# --- reporting ---------------------------------------------------------------------------


def machine_facts() -> dict[str, str]:
    facts = {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": _cpu_model(),
        "memory": _memory(),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "load": _load(),
    }
    for package, distribution in DISTRIBUTIONS.items():
        try:
            facts[package] = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            facts[package] = "not installed"
    try:
        import yaml

        facts["PyYAML"] += " (libyaml available)" if yaml.__with_libyaml__ else " (no libyaml)"
    except ImportError:
        pass
    facts["commit"] = _commit()
    return facts


def _load() -> str:
    """The 1-minute load average: other work on the machine inflates wall times."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError):
        pass
    return "unknown"


def _commit() -> str:
    """The checked-out commit (read only; the working tree may hold uncommitted changes)."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()


def markdown_table(results: Results) -> str:
    """The results as a Markdown table: one column per size, targets judged at the largest."""
    sizes = results.sizes
    targets = {target.key: target for target in results.targets()}
    header = ["Measurement", *(f"{size.notes:,} notes" for size in sizes), "Target", "Result"]
    rows: list[list[str]] = []

    def verdict(key: str) -> tuple[str, str]:
        target = targets[key]
        return f"<= {_number(target.limit, target.unit)} at {target.where}", _verdict(
            results, target
        )

    def ratio(key: str, value: Callable[[SizeResult], float]) -> None:
        cells = [_number(value(size), "x") for size in sizes]
        rows.append([targets[key].name, *cells, *verdict(key)])

    def seconds(operation: str) -> None:
        cells = [
            f"{_number(size.median(operation, 'cpu'))} ({_number(size.median(operation, 'wall'))})"
            for size in sizes
        ]
        rows.append([f"{LABELS[operation]}, s CPU (wall)", *cells, "", ""])

    rows.append(
        [
            "Note files (points / concepts / conditions / facts)",
            *(" / ".join(f"{n:,}" for n in size.files.values()) for size in sizes),
            "",
            "",
        ]
    )
    rows.append(
        [
            "In the .apkg: notes / cards / media files",
            *(
                " / ".join(f"{size.anki.get(key, 0):,}" for key in ("notes", "cards", "media"))
                for size in sizes
            ),
            "",
            "",
        ]
    )
    seconds("build")
    seconds("baseline")
    per_size = [targets[f"baseline-{size.notes}"] for size in sizes]
    rows.append(
        [
            BASELINE_TARGET,
            *(target.shown() for target in per_size),
            f"<= {_number(per_size[0].limit, 'x')} at every size",
            "n/a (smoke)"
            if results.smoke
            else "; ".join(f"{target.where}: {_verdict(results, target)}" for target in per_size),
        ]
    )
    seconds("baseline_yaml")
    rows.append(
        [
            "Full build / (genanki + libyaml parse)",
            *(_number(s.median("build") / s.median("baseline_yaml"), "x") for s in sizes),
            "(no target)",
            "",
        ]
    )
    seconds("noop")
    ratio("noop", lambda s: s.median("noop") / s.median("build"))
    seconds("edit")
    ratio("edit", lambda s: s.median("edit") / s.median("build"))
    if "watch" in targets:
        rows.append(
            [
                "Watch: saved edit to new .apkg, s wall (the watcher's CPU)",
                *(
                    f"{_number(size.watch_median('wall'))} ({_number(size.watch_median('cpu'))})"
                    for size in sizes
                ),
                "",
                "",
            ]
        )
        ratio("watch", SizeResult.watch_ratio)
    seconds("check")
    rows.append(
        [
            "`deckgen check` / full build",
            *(_number(size.median("check") / size.median("build"), "x") for size in sizes),
            "(no target)",
            "",
        ]
    )
    rss = [_number(size.peak_rss("build"), " MB") for size in sizes]
    rows.append([targets["rss"].name, *rss, *verdict("rss")])
    rows.append(
        [
            "Peak RSS: no-op / check / baseline",
            *(
                " / ".join(
                    _number(size.peak_rss(op), " MB") for op in ("noop", "check", "baseline")
                )
                for size in sizes
            ),
            "",
            "",
        ]
    )
    linear = targets.get("linearity")
    if linear is not None:
        cells = ["" for _ in sizes[:-1]] + [linear.shown()]
        rows.append([linear.name, *cells, *verdict("linearity")])
    rows.append(
        [
            "Import time inside each deckgen run, s",
            *(_number(size.median("build", "imports")) for size in sizes),
            "",
            "",
        ]
    )
    rows.append(["Runs per figure (median of)", *(str(size.runs) for size in sizes), "", ""])
    return _render(header, rows)


def startup_table(results: Results) -> str:
    """Start-up against Click's import, measured in fresh processes in the same run."""
    startup = results.startup
    if startup is None:
        return ""
    targets = {target.key: target for target in results.startup_targets()}
    header = [
        f"Start-up (the shipped deck: {startup.deck})",
        "s CPU (wall)",
        "/ `import click`",
        "Target",
        "Result",
    ]
    rows = []
    for operation, label in STARTUP_LABELS.items():
        seconds = (
            f"{startup.median(operation, 'cpu'):.3f} ({startup.median(operation, 'wall'):.3f})"
        )
        target = targets.get(f"startup-{operation}")
        ratio = startup.median(operation) / startup.median("click")
        limit = "" if target is None else f"<= {_number(target.limit, target.unit)}"
        verdict = "" if target is None else _verdict(results, target)
        rows.append([label, seconds, _number(ratio, "x"), limit, verdict])
    rows.append(["Runs per figure (median of)", str(startup.runs), "", "", ""])
    return _render(header, rows)


def _verdict(results: Results, target: Target) -> str:
    if results.smoke:
        return "n/a (smoke)"
    return "PASS" if target.passed else "FAIL"


def targets_table(results: Results) -> str:
    """Every target of the run, one per row, with its verdict; then a line that sums up."""
    header = ["Target", "Judged at", "Measured", "Limit", "Result"]
    targets = results.targets()
    rows = [
        [
            target.name,
            target.where,
            target.shown(),
            f"<= {_number(target.limit, target.unit)}",
            _verdict(results, target),
        ]
        for target in targets
    ]
    failed = results.failed()
    if results.smoke:
        summary = f"{len(targets)} targets computed; none judged at smoke sizes."
    elif not failed:
        summary = f"All {len(targets)} targets PASS."
    else:
        names = "; ".join(f"{target.name} at {target.where}" for target in failed)
        summary = f"{len(failed)} of {len(targets)} targets FAIL: {names}."
    return _render(header, rows, numeric=(2, 3)) + "\n\n" + summary


def _render(header: list[str], rows: list[list[str]], numeric: Sequence[int] | None = None) -> str:
    """A Markdown table; the columns at `numeric` (default: all but the first and the last
    two) are right-aligned."""
    columns = range(1, len(header) - 2) if numeric is None else numeric
    align = ["---:" if index in columns else "---" for index in range(len(header))]
    lines = [header, align, *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def report(results: Results) -> str:
    """The table with the date, machine, command and method: the body of docs/performance.md."""
    machine = results.machine
    facts = ", ".join(f"{key} {machine[key]}" for key in DISTRIBUTIONS if key in machine)
    runs = ", ".join(f"{size.runs} at {size.notes:,}" for size in results.sizes)
    return "\n".join(
        [
            f"Measured {results.started} in {results.elapsed / 60:.1f} minutes with:",
            "",
            "```sh",
            results.command,
            "```",
            "",
            f"- Machine: {machine['nproc']} CPUs (`nproc`), {machine['cpu']}, "
            f"{machine['memory']} RAM, {machine['os']}",
            f"- {machine['python']}; {facts}; commit {machine['commit']} "
            "(plus any uncommitted changes in the working tree)",
            *([f"- Code measured: {machine['source']}"] if "source" in machine else []),
            f"- Load average (1 min) at start -> end: {machine['load']}",
            f"- Runs per figure: {runs} (median; at most {results.repeat}, fewer when the "
            "time budget ran out). Each run is a fresh process; ratios compare "
            + (
                "CPU time (user + system) of the whole process, which other work on the "
                "machine does not inflate; wall times are in brackets."
                if results.clock == "cpu"
                else "wall time of the whole process."
            ),
            "",
            markdown_table(results),
            "",
            *([startup_table(results), ""] if results.startup is not None else []),
            targets_table(results),
            "",
        ]
    )


def write_docs(results: Results, path: Path = DOCS) -> None:
    """Put the report between the markers of `path`, or write the page if it has none."""
    body = f"{START_MARK}\n{report(results)}{END_MARK}"
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if START_MARK in text and END_MARK in text:
            before, rest = text.split(START_MARK, 1)
            after = rest.split(END_MARK, 1)[1]
            path.write_text(before + body + after, encoding="utf-8")
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    title = "# Performance\n\nGenerated by `python benchmarks/run.py --write-docs`.\n\n"
    path.write_text(title + body + "\n", encoding="utf-8")


# --- command line ------------------------------------------------------------------------


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected sizes such as 2000,20000, got {text!r}"
        ) from None
    if not sizes or min(sizes) < 8:
        raise argparse.ArgumentTypeError("each size must be at least 8 notes")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="Benchmark deckgen against its targets (issues 8 and 18) on synthetic decks.",
    )
    parser.add_argument("--sizes", type=_sizes, default=DEFAULT_SIZES, help="default 2000,20000")
    parser.add_argument("--smoke", action="store_true", help="20 and 50 notes, one run each")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument(
        "--budget", type=float, default=600.0, help="seconds; fewer runs if needed (default 600)"
    )
    parser.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="time the ratios compare (default cpu: steady when other work shares the machine)",
    )
    parser.add_argument("--write-docs", action="store_true", help="rewrite docs/performance.md")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--keep", action="store_true", help="keep the generated decks")
    args = parser.parse_args(argv)
    sizes: tuple[int, ...] = SMOKE_SIZES if args.smoke else args.sizes
    repeat: int = 1 if args.smoke else max(1, args.repeat)
    shown = sys.argv[1:] if argv is None else list(argv)
    command = shlex.join(["python", "benchmarks/run.py", *shown])

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="deckgen-bench-"))
    try:
        results = run_benchmarks(
            sizes=sizes,
            repeat=repeat,
            budget=None if args.smoke else args.budget,
            startup_repeat=SMOKE_STARTUP_REPEAT if args.smoke else max(STARTUP_REPEAT, repeat),
            watch_edits=SMOKE_WATCH_EDITS if args.smoke else WATCH_EDITS,
            workdir=workdir,
            smoke=args.smoke,
            clock=args.clock,
            command=command,
            log=log,
        )
    except BenchmarkError as exc:
        log(f"benchmark failed: {exc}\n(generated files kept in {workdir})")
        return 1
    if args.keep:
        log(f"generated decks kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results.to_dict(), indent=1), encoding="utf-8")
    if args.write_docs:
        write_docs(results)
        log(f"wrote {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
