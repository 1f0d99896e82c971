"""What a build reads, as digests: so that a rebuild with nothing changed does no work.

`Inputs` holds a digest of every input: each file under the cards folder (the lock
included), deckgen's own code, templates and drawings, the code and templates of every
registered kind, and the versions of the libraries that shape the output. Builds are
reproducible, so when the inputs are the same and the .apkg is still the one written,
building again would only write the same bytes. The cache file (`deckgen.state.cache`)
keeps them with the report of the build they gave.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import deckgen
from deckgen.source.errors import Problem
from deckgen.source.files import Listing, Refused, file_sha256, is_scratch
from deckgen.state.changeset import Changes


def folder_digest(cards_dir: Path) -> str:
    """A short name for a cards folder, for the files kept about it in the output folder."""
    return hashlib.sha256(str(cards_dir.resolve()).encode()).hexdigest()[:12]


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

    def __init__(self, listing: Listing, *, known: Mapping[str, Known] | None = None) -> None:
        self.cards_dir = listing.root
        package = Path(deckgen.__file__).parent
        self._seen = known if known is not None and os.name == "posix" else {}
        #: The stat and digest of each file hashed whose stat may be trusted next time.
        self.hashed: dict[str, Known] = {}
        self.files = {
            **_hashes(_listed(listing), "cards", self._seen, self.hashed, root=listing.root),
            **_hashes(_walked(package), "deckgen", self._seen, self.hashed),
            **_hashes(_kind_files(package), "kinds", self._seen, self.hashed),
        }
        # What the build refuses or sees as a folder decides its problems: a new pipe or
        # link must be reported, not skipped as "nothing changed".
        for name, why in listing.refused.items():
            self.files[f"refused/{name}"] = why
        for name in listing.folders:
            self.files[f"folder/{name}"] = ""
        # The libraries that shape the output: an upgrade must rebuild.
        for name, version in library_versions(_LIBRARIES).items():
            self.files[f"library/{name}"] = version

    def written(self, name: str, digest: str) -> None:
        """Note the digest of a file under the cards folder that the build rewrites."""
        self.files[f"cards/{name}"] = digest

    @property
    def rehashed(self) -> bool:
        """Whether a file was hashed anew (its stat is not what `known` said)."""
        return self.hashed != self._seen

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
Known = tuple[int, int, int, int, str]


#: The libraries whose versions shape the output: an upgrade must rebuild.
_LIBRARIES = ("genanki", "markdown-it-py", "nh3", "pydantic", "PyYAML", "yaml-rs")


def library_versions(names: Iterable[str]) -> dict[str, str]:
    """The installed version of each distribution in `names` ("missing" if none), as
    `importlib.metadata.version` gives it: from the first `NAME-VERSION.dist-info` folder
    on `sys.path`, found by listing each folder once (importlib.metadata itself costs a
    tenth of a second to import, more than a rebuild with nothing to do)."""
    wanted = {_normalised(name): name for name in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        if len(found) == len(wanted):
            break
        try:
            listing = os.scandir(entry or ".")
        except OSError:  # not a folder: a zip file, or gone
            continue
        with listing:
            for item in listing:
                stem, _, suffix = item.name.rpartition(".")
                project, _, version = stem.partition("-")
                name = wanted.get(_normalised(project)) if suffix == "dist-info" else None
                if name is not None and name not in found and version:
                    found[name] = version
    for name in wanted.values():
        if name not in found:  # installed some other way (an egg, say): ask the slow way
            found[name] = _metadata_version(name)
    return {name: found[name] for name in wanted.values()}


def _normalised(name: str) -> str:
    """A distribution's name as its dist-info folder spells it (PEP 503, then PEP 427)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _metadata_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "missing"


def _kind_files(package: Path) -> Iterator[tuple[str, str]]:
    """(name, path) of the code and template files of the registered kinds that are not
    deckgen's own (those are hashed with deckgen): a kind's code shapes its notes.

    Another kind is registered through the registry, so while it is not loaded there is
    none: a rebuild with nothing to do need not load the kinds to know it."""
    registry = sys.modules.get("deckgen.kinds.registry")
    if registry is None:
        return
    inside = str(package) + os.sep
    seen: set[str] = set()
    for kind in registry.kinds():
        paths = [inspect.getsourcefile(type(kind)) or ""]
        for notetype in kind.note_types:
            if notetype.folder is not None:
                paths += [str(p) for p in sorted(notetype.folder.iterdir()) if p.is_file()]
        for path in paths:
            if path and not path.startswith(inside) and path not in seen:
                seen.add(path)
                yield f"{kind.name}/{path}", path


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
    seen: Mapping[str, Known],
    hashed: dict[str, Known],
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


def plain(value: Any) -> Any:
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
