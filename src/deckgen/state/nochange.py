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
import marshal
import os
import time
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import deckgen
from deckgen.source.errors import Problem
from deckgen.source.files import (
    Listing,
    Refused,
    file_digest,
    file_sha256,
    is_scratch,
    read_regular,
)
from deckgen.state.changes import Changes
from deckgen.state.commit import Commit

#: The state of one cards folder's build: `.deckgen-state-<folder digest>.json` in the output
#: folder, so that several folders built into one output folder each keep their own.
STATE_PREFIX = ".deckgen-state-"


def state_path(out_dir: Path, cards_dir: Path) -> Path:
    return out_dir / f"{STATE_PREFIX}{folder_digest(cards_dir)}.json"


def folder_digest(cards_dir: Path) -> str:
    """A short name for a cards folder, for the files kept about it in the output folder."""
    return hashlib.sha256(str(cards_dir.resolve()).encode()).hexdigest()[:12]


STATE_VERSION = 1


class Inputs:
    """The digest of every file that a build reads: each file under the cards folder and
    deckgen's own package. Files are hashed once; after the build only the lock it wrote
    is hashed again (`refresh`).

    With `known` (a file this class keeps), a file is not read again when it looks exactly
    as when it was last hashed: the same size, modification and change times (ns) and
    inode. On POSIX systems any write to a file sets its change time, which no tool can
    set back (on Windows every file is read: there it is the creation time). As git does
    with its index, a file modified less than `SETTLE_NS` before it was hashed is hashed
    again next time: a write within the same clock tick could otherwise go unseen.
    """

    def __init__(self, listing: Listing, *, known: Path | None = None) -> None:
        self.cards_dir = listing.root
        self._known = known if os.name == "posix" else None
        package = Path(deckgen.__file__).parent
        self._seen = _load_known(self._known) if self._known is not None else {}
        self._hashed: dict[str, _Known] = {}
        self.files = {
            **_hashes(_listed(listing), "cards", self._seen, self._hashed, root=listing.root),
            **_hashes(_walked(package), "deckgen", self._seen, self._hashed),
        }
        # What the build refuses or sees as a folder decides its problems: a new pipe or
        # link must be reported, not skipped as "nothing changed".
        for name, why in listing.refused.items():
            self.files[f"refused/{name}"] = why
        for name in listing.folders:
            self.files[f"folder/{name}"] = ""
        # The libraries that shape the output: an upgrade must rebuild.
        for name in _LIBRARIES:
            self.files[f"library/{name}"] = _library_version(name)

    def written(self, name: str, digest: str) -> None:
        """Note the digest of a file under the cards folder that the build rewrites."""
        self.files[f"cards/{name}"] = digest

    def remember(self, commit: Commit) -> None:
        """Keep the stat and digest of the files hashed, for the next build (see `known`),
        with the files of a build that succeeds."""
        if self._known is not None and self._hashed != self._seen:
            commit.stage_bytes(self._known, marshal.dumps((_KNOWN_VERSION, self._hashed)))

    @property
    def digest(self) -> str:
        return digest_of(self.files.items())


def digest_of(items: Iterable[tuple[str, str]]) -> str:
    """One digest of (name, digest) pairs, in name order: all joined, then hashed once."""
    joined = "".join(f"{n}\0{d}\0" for n, d in sorted(items))
    return hashlib.sha256(joined.encode("utf-8", "surrogateescape")).hexdigest()  # any name


#: How long before it was hashed a file must have last changed for its stat to be trusted.
SETTLE_NS = 2_000_000_000
#: A file as last hashed: (size, mtime_ns, ctime_ns, inode, sha256).
_Known = tuple[int, int, int, int, str]
_KNOWN_VERSION = 1


def _load_known(path: Path) -> dict[str, _Known]:
    try:
        version, known = marshal.loads(read_regular(path))
    except (Refused, EOFError, ValueError, TypeError):
        return {}
    if version != _KNOWN_VERSION or not isinstance(known, dict):
        return {}
    well_formed = all(
        type(entry) is tuple and len(entry) == 5 and type(entry[4]) is str
        for entry in known.values()
    )
    return known if well_formed else {}  # damaged: hash every file again


#: The libraries whose versions shape the output: an upgrade must rebuild.
_LIBRARIES = ("genanki", "markdown-it-py", "nh3", "pydantic", "PyYAML")


def _library_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "missing"


def _listed(listing: Listing) -> Iterator[tuple[str, str]]:
    """(name relative to the cards folder, path) of each file listed."""
    top = str(listing.root)
    return ((name, f"{top}{os.sep}{name}") for name in listing.files)


def _walked(root: Path) -> Iterator[tuple[str, str]]:
    """(name relative to `root`, path) of each file below `root` but caches and scratch."""
    top = str(root)
    for folder, directories, files in os.walk(top):
        directories[:] = [d for d in directories if d != "__pycache__"]
        relative = os.path.relpath(folder, top).replace(os.sep, "/")
        for name in files:
            if not is_scratch(name):
                yield (name if relative == "." else f"{relative}/{name}"), f"{folder}{os.sep}{name}"


def _hashes(
    files: Iterable[tuple[str, str]],
    label: str,
    seen: dict[str, _Known],
    hashed: dict[str, _Known],
    *,
    root: Path | None = None,
) -> dict[str, str]:
    """`label`/name -> sha256 of each of `files` (string paths: fast at scale). A file
    found in `seen` as it is now is not read; `hashed` gets each file whose stat may be
    trusted next time. A file gone or turned into something else since it was listed is
    left out (the build's own reading then says so)."""
    hashes: dict[str, str] = {}
    settled = time.time_ns() - SETTLE_NS
    for name, path in files:
        key = f"{label}/{name}"
        try:
            stat = os.stat(path)  # noqa: PTH116 (strings: fast at scale)
            look = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
            known = seen.get(key)
            unchanged = known is not None and known[:4] == look
            digest = known[4] if known is not None and unchanged else file_sha256(path, root=root)
        except (OSError, Refused):
            continue
        hashes[key] = digest
        if max(stat.st_mtime_ns, stat.st_ctime_ns) < settled:
            hashed[key] = (*look, digest)
    return hashes


def save(commit: Commit, path: Path, *, inputs: str, report: Any, output_sha256: str) -> None:
    """Stage the inputs and the report of a build that writes `report.output` (whose
    digest is `output_sha256`), to be written with it."""
    state = {
        "version": STATE_VERSION,
        "inputs": inputs,
        "output": report.output.name,
        "output_sha256": output_sha256,
        "report": report,
    }
    commit.stage_bytes(path, json.dumps(state, ensure_ascii=False, default=_plain).encode())


def load_unchanged(path: Path, *, inputs: str) -> dict[str, Any] | None:
    """The saved report if the inputs are the same and the .apkg is still the one written."""
    try:
        state = json.loads(read_regular(path))
    except (Refused, ValueError):
        return None
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        return None
    if state.get("inputs") != inputs:
        return None
    if file_digest(path.parent / str(state.get("output"))) != state.get("output_sha256"):
        return None
    report = state.get("report")
    return report if isinstance(report, dict) else None


def _plain(value: Any) -> Any:
    """JSON for what json cannot encode itself: a dataclass as a mapping of its fields (one
    level at a time: `dataclasses.asdict` would copy each of a big build's note keys), a
    path as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot save {type(value).__name__} in the build state")


def unchanged_changes(saved: dict[str, Any]) -> Changes:
    """The changes of a build that changed nothing: every note of the last build is kept."""
    last = saved["changes"]
    kept = [*last["added"], *(key for key, _ in last["changed"]), *last["unchanged"]]
    return Changes(added=(), changed=(), removed=(), unchanged=tuple(kept), notetypes=())


def saved_warnings(saved: dict[str, Any]) -> tuple[Problem, ...]:
    return tuple(Problem(**warning) for warning in saved["warnings"])
