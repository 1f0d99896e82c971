"""What the last build saw and wrote, so that a rebuild with nothing changed does no work.

The state file sits beside the .apkg (in the git-ignored build folder). It holds a digest of
every input — each file under the cards folder (the lock included) and deckgen's own code,
templates and drawings — with the digest of the .apkg that those inputs produced and the
report that was printed. Builds are reproducible, so when the inputs are the same and the
.apkg is still the one written, building again would only write the same bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import deckgen
from deckgen.changes import Changes
from deckgen.errors import Problem

STATE_FILE = ".deckgen-state.json"
STATE_VERSION = 1


def inputs_digest(cards_dir: Path) -> str:
    """A digest of every file that a build reads."""
    digest = hashlib.sha256()
    package = Path(deckgen.__file__).parent
    for root in (cards_dir, package):
        for path in sorted(
            p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
        ):
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def file_digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def save(out_dir: Path, *, inputs: str, report: Any) -> None:
    """Record the inputs and the report of a build that just wrote `report.output`."""
    state = {
        "version": STATE_VERSION,
        "inputs": inputs,
        "output": report.output.name,
        "output_sha256": file_digest(report.output),
        "report": _encode(report),
    }
    path = out_dir / STATE_FILE
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    temporary.replace(path)


def load_unchanged(out_dir: Path, *, inputs: str) -> dict[str, Any] | None:
    """The saved report if the inputs are the same and the .apkg is still the one written."""
    try:
        state = json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        return None
    if state.get("inputs") != inputs:
        return None
    if file_digest(out_dir / str(state.get("output"))) != state.get("output_sha256"):
        return None
    report = state.get("report")
    return report if isinstance(report, dict) else None


def _encode(report: Any) -> dict[str, Any]:
    data: dict[str, Any] = dataclasses.asdict(report)
    data["output"] = str(report.output)
    return data


def unchanged_changes(saved: dict[str, Any]) -> Changes:
    """The changes of a build that changed nothing: every note of the last build is kept."""
    last = saved["changes"]
    kept = [*last["added"], *(key for key, _ in last["changed"]), *last["unchanged"]]
    return Changes(added=(), changed=(), removed=(), unchanged=tuple(kept), notetypes=())


def saved_warnings(saved: dict[str, Any]) -> tuple[Problem, ...]:
    return tuple(Problem(**warning) for warning in saved["warnings"])
