"""The cache file of a cards folder, read without the stages: where it is, the stat and
digest of each input the last build hashed, and that build's report, so that a rebuild with
nothing to do need not load the kinds or the package writer (see `deckgen.state.cache` for
the rest of what the file holds, and how it is written)."""

from __future__ import annotations

import json
import marshal
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from stat import S_ISREG
from typing import Any

from deckgen.source.errors import DeckgenError
from deckgen.source.files import file_digest
from deckgen.state.nochange import Inputs, Known, folder_digest

CACHE_PREFIX = ".deckgen-cache-"


class CacheDamaged(DeckgenError):
    """The cache file turned out not to be as a build wrote it, once in use; it has been
    removed, and building again without it gives what a build from scratch gives."""


def cache_path(out_dir: Path, cards_dir: Path) -> Path:
    """The cache file of one cards folder built into `out_dir`."""
    return out_dir / f"{CACHE_PREFIX}{folder_digest(cards_dir)}.sqlite"


@contextmanager
def reading(path: Path) -> Iterator[sqlite3.Connection | None]:
    """The cache file, open for reading; None if there is none or it is not a regular file."""
    try:
        if not S_ISREG(path.lstat().st_mode):
            raise FileNotFoundError(path)
        connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except (OSError, sqlite3.Error):
        yield None
        return
    with closing(connection):
        yield connection


def meta_values(connection: sqlite3.Connection | None, *keys: str) -> dict[str, Any]:
    """The `deckgen_meta` values of `keys` (unmarshalled) that the file has."""
    if connection is None:
        return {}
    marks = ",".join("?" * len(keys))
    try:
        rows = connection.execute(
            f"SELECT key, value FROM deckgen_meta WHERE key IN ({marks})", keys
        ).fetchall()
        return {key: marshal.loads(value) for key, value in rows}
    except (sqlite3.Error, EOFError, ValueError, TypeError):
        return {}


def known_hashes(path: Path) -> dict[str, Known]:
    """The stat and digest of each input the last build hashed (see `nochange.Inputs`)."""
    with reading(path) as connection:
        found = meta_values(connection, "hashes").get("hashes")
    return _well_formed(found)


def saved_report(path: Path, *, inputs: str) -> dict[str, Any] | None:
    """The last build's report, if its inputs are `inputs` and its .apkg is still the one
    it wrote (then building again would only write the same bytes)."""
    with reading(path) as connection:
        meta = meta_values(connection, "inputs", "state")
    if meta.get("inputs", inputs) != inputs:  # said apart: a rebuild need not decode the rest
        return None
    state = meta.get("state")
    try:
        saved = json.loads(state) if isinstance(state, (str, bytes)) else None
    except ValueError:
        return None
    if not isinstance(saved, dict) or saved.get("inputs") != inputs:
        return None
    output = path.parent / Path(str(saved.get("output"))).name
    if file_digest(output) != saved.get("output_sha256"):
        return None
    report = saved.get("report")
    return report if isinstance(report, dict) else None


def remember_hashes(path: Path, inputs: Inputs) -> None:
    """After a rebuild with nothing changed: keep the stat and digest of the inputs it
    hashed (files touched but the same are not read next time), in place."""
    if not inputs.rehashed:
        return
    with suppress(OSError, sqlite3.Error):
        if not S_ISREG(path.lstat().st_mode):
            return
        with closing(sqlite3.connect(path)) as connection, connection:
            connection.execute(
                "UPDATE deckgen_meta SET value = ? WHERE key = 'hashes'",
                (marshal.dumps(inputs.hashed),),
            )


def drop_legacy(out_dir: Path, cards_dir: Path) -> None:
    """Remove what deckgen 0.1's builds kept instead (a folder and a state file)."""
    digest = folder_digest(cards_dir)
    folder = out_dir / f"{CACHE_PREFIX}{digest}"
    with suppress(OSError):  # a cache: what cannot be removed does no harm
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
        state = out_dir / f".deckgen-state-{digest}.json"
        if state.is_file():
            state.unlink()


def _well_formed(found: Any) -> dict[str, Known]:
    if not isinstance(found, dict):
        return {}
    fine = all(
        type(entry) is tuple and len(entry) == 5 and type(entry[4]) is str
        for entry in found.values()
    )
    return found if fine else {}  # damaged: hash every file again
