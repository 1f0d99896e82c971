"""Watch mode: the time from a saved edit to a rewritten .apkg, as the user waits for it.

`deckgen build --watch` runs as a subprocess on a synthetic deck. Its start is not
counted: the harness waits for its first build to end (the watcher prints "[HH:MM:SS]
rebuilt", the report and "Watching ..."), then `settle` seconds more, because the watcher
registers its file watches only once that first build has returned: a save before then
would not be seen by anyone. Then each edit rewrites one note file, differently each time,
and the wait is the wall time from the moment the file is written and closed to the moment
the .apkg is replaced (a new file renamed into place; its inode, size and time are polled
every millisecond). That wait holds all that the user waits for: the file-system event,
watchfiles' debounce (it yields a burst of changes 10-20 ms after the last), and the
rebuild inside the running watcher (whose interpreter start and imports were paid at its
start). Beside it: the watcher's CPU time (`/proc/PID/stat`) from the save to the end of
its rebuild (lock and cache written, report printed, so it can exceed the wait).
Each rebuild must report exactly one changed note.
"""

from __future__ import annotations

import math
import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from benchmarks.process import BenchmarkError, Timing, deckgen_command
from benchmarks.synth import Synthetic, edit_one_note

#: Seconds between two looks at the .apkg.
POLL = 0.001
#: Revisions of the edited note that the watch's edits write (the rounds use 1, 2, ...).
FIRST_REVISION = 1001
_REBUILT = re.compile(r"^\[\d\d:\d\d:\d\d\] rebuilt$")


def measure_watch(
    synthetic: Synthetic,
    *,
    out: Path,
    edits: int,
    env: dict[str, str] | None = None,
    settle: float = 1.0,
    timeout: float = 120.0,
    log: Callable[[str], None] = lambda message: None,
) -> list[Timing]:
    """Start `deckgen build --watch` on `synthetic` (writing to `out`), make `edits` one-note
    edits one after the other; the wall time each waited for its .apkg, and the watcher's
    CPU time from the save to the end of that rebuild."""
    base = synthetic.cards.parent
    command = deckgen_command(
        "build", "--watch", "--cards", str(synthetic.cards), "--out", str(out), "--no-color"
    )
    lines: queue.Queue[str | None] = queue.Queue()
    with (base / "watch.err").open("w") as err:
        process = subprocess.Popen(
            command, cwd=base, stdout=subprocess.PIPE, stderr=err, env=env, text=True
        )
        assert process.stdout is not None
        reader = threading.Thread(target=_read, args=(process.stdout, lines), daemon=True)
        reader.start()
        try:
            return _edits(process, lines, synthetic, out, edits, settle, timeout, log)
        finally:
            _stop(process)
            reader.join(timeout=5)


def _edits(
    process: subprocess.Popen[str],
    lines: queue.Queue[str | None],
    synthetic: Synthetic,
    out: Path,
    edits: int,
    settle: float,
    timeout: float,
    log: Callable[[str], None],
) -> list[Timing]:
    err = synthetic.cards.parent / "watch.err"
    first = _build_output(lines, timeout, err, "the first build")
    packages = sorted(out.glob("*.apkg"))
    if len(packages) != 1:
        raise BenchmarkError(f"the watcher's first build left {len(packages)} .apkg in {out}")
    apkg = packages[0]
    log(f"  watch: first build done ({_changed(first)} changed); edits follow")
    time.sleep(settle)
    samples = []
    for index in range(edits):
        before = _identity(apkg)
        cpu = _cpu(process.pid)
        edit_one_note(synthetic, FIRST_REVISION + index)
        saved = time.perf_counter()
        while _identity(apkg) == before:
            if process.poll() is not None:
                raise BenchmarkError(f"the watcher exited ({process.returncode}); see {err}")
            if time.perf_counter() - saved > timeout:
                raise BenchmarkError(f"no new .apkg {timeout:.0f} s after edit {index + 1}")
            time.sleep(POLL)
        waited = time.perf_counter() - saved
        report = _build_output(lines, timeout, err, f"edit {index + 1}")
        samples.append(Timing(_cpu(process.pid) - cpu, waited))
        if _changed(report) != 1:
            raise BenchmarkError(f"the watcher's rebuild after edit {index + 1} said: {report}")
        log(f"  watch edit {index + 1}: {waited:.3f}s wall, watcher {samples[-1].cpu:.2f}s cpu")
        time.sleep(settle / 2)  # a second rebuild for the same save would show up here
        if not lines.empty():
            extra = _build_output(lines, timeout, err, "an extra rebuild")
            raise BenchmarkError(f"the watcher rebuilt twice for edit {index + 1}: {extra}")
    return samples


def _read(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _build_output(lines: queue.Queue[str | None], timeout: float, err: Path, what: str) -> str:
    """The watcher's output for one build, up to its "Watching ..." line; raises unless the
    build succeeded (a failed build prints no "rebuilt" line on stdout)."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise BenchmarkError(f"the watcher said nothing of {what} in {timeout:.0f} s") from None
        if line is None:
            raise BenchmarkError(f"the watcher exited during {what}; see {err}")
        if line.startswith("Watching "):
            break
        seen.append(line)
    if not any(_REBUILT.match(line) for line in seen):
        detail = err.read_text(errors="replace").strip().splitlines()[-10:]
        raise BenchmarkError(f"the watcher did not rebuild after {what}: " + "\n".join(detail))
    return "\n".join(seen)


def _changed(report: str) -> int | None:
    match = re.search(r"(\d+) changed", report)
    return int(match[1]) if match else None


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_mtime_ns, status.st_size


def _cpu(pid: int) -> float:
    """CPU seconds (user + system, with waited-for children) of a running process so far;
    NaN where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        ticks = sum(int(value) for value in fields[11:15])
    except (OSError, ValueError, IndexError):
        return math.nan
    return ticks / os.sysconf("SC_CLK_TCK")


def _stop(process: subprocess.Popen[str]) -> None:
    """Ctrl-C, as a user stops the watcher; killed if it does not stop."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
