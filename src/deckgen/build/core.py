"""The build: cards folder -> validated notes -> ids and times from the lock -> .apkg, for
each folder that changed (see `deckgen.build.each`) or several combined; all written or
none."""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from deckgen.anki.package import render_collection, write_zip
from deckgen.anki.zipwrite import Deflater
from deckgen.build.distinct import (
    distinct_decks_and_notes,
    distinct_ids,
    distinct_outputs,
)
from deckgen.build.gcpause import gc_paused
from deckgen.build.lookback import LastBuild, Waiting, one_at_a_time
from deckgen.build.prepare import Folder, decks_of, prepare
from deckgen.build.report import (
    BuildReport,
    DeckCount,
    Progress,
    count_cards,
    merged_changes,
)
from deckgen.kinds.ids import slug
from deckgen.source.errors import DeckgenError
from deckgen.source.files import file_sha256
from deckgen.state import cache as buildcache
from deckgen.state.cachefile import CacheDamaged
from deckgen.state.commit import (
    SCRATCH_PREFIX,
    Commit,
    WriteFailed,
    failing_as,
)
from deckgen.state.lock import LOCK_FILE, build_time, wrote_lock


def output_name(deck_name: str) -> str:
    """A stable file name: 'Acupuncture for Facial Spasm' -> 'acupuncture-for-facial-spasm.apkg'."""
    return f"{slug(deck_name) or 'deck'}.apkg"


def build_looked_back(
    last: Sequence[LastBuild],
    *,
    out_dir: Path,
    dry_run: bool,
    strict: bool,
    progress: Progress | None,
) -> list[BuildReport]:
    """Build each folder as `build_each` does, once it has looked at what the last builds
    left (`last`): a folder with nothing changed keeps its last report, the others go
    through every stage. The caller holds the folders (`one_at_a_time`)."""
    now = build_time()
    plans: list[_Plan] = []
    for seen in last:
        if seen.saved is not None:
            plans.append(_Plan(seen))
            continue
        cache = buildcache.load(seen.state, seen.cards_dir, seen.inputs) if seen.inputs else None
        folder = prepare(
            seen.cards_dir,
            strict=strict,
            progress=progress,
            now=now,
            cache=cache,
            listing=seen.listing,
            lock_digest=seen.inputs.files.get(_LOCK_INPUT) if seen.inputs else None,
        )
        plans.append(_Plan(seen, folder))
    distinct_outputs({plan.seen.cards_dir: plan.target(out_dir) for plan in plans})
    with Commit() as commit:
        reports = [plan.finish(out_dir, dry_run=dry_run, commit=commit) for plan in plans]
        commit.commit()
    # Each cache only now: what the user waits for is in place (see `_Plan.write_cache`).
    for plan in plans:
        plan.write_cache()
    return reports


#: The lock among a build's inputs (see `Inputs.files`).
_LOCK_INPUT = f"cards/{LOCK_FILE}"


@dataclass
class _Plan:
    """One folder's build: unchanged since its last build (`seen.saved`), or prepared to
    write (`folder`)."""

    seen: LastBuild
    folder: Folder | None = None
    #: Once the package and the lock are in place: write the cache that the next build of
    #: the folder reuses. A cache describes the files it was written with (the lock's
    #: digest is in its header, the package's in its state), so one that a failure or a
    #: killed build left from before is never taken for this build's; should writing it
    #: fail, it is removed, and the next build does all its work.
    write_cache: Callable[[], None] = lambda: None

    def target(self, out_dir: Path) -> Path:
        if self.folder is None:
            return self.seen.target(out_dir)
        return out_dir / output_name(self.folder.cards.deck.name)

    def finish(self, out_dir: Path, *, dry_run: bool, commit: Commit) -> BuildReport:
        """The report of this folder's build; unless `dry_run`, its files are staged."""
        if self.folder is None:
            return self.seen.report(out_dir, dry_run=dry_run)
        assert self.seen.inputs is not None  # validated folders only
        folder, inputs, state = self.folder, self.seen.inputs, self.seen.state
        target = self.target(out_dir)
        earlier = {} if dry_run else buildcache.deflated_blocks(state, target)
        deflater = Deflater(earlier)

        def remember(
            collection: Path, package: Path, locks: Mapping[Path, str], report: BuildReport
        ) -> None:
            """Keep this build's collection, for its cache to be written once the package
            and the lock are in place (`write_cache`)."""
            for path, digest in locks.items():
                inputs.written(LOCK_FILE, digest)
                # Should the commit fail, the file never holds these bytes: no harm done.
                wrote_lock(path, digest, folder.lock)
            for name, digest in folder.cards.read.items():  # as parsed, if changed since
                inputs.written(name, digest)
            held = commit.set_aside(collection, beside=state)
            self.write_cache = lambda: _write_cache(held, target, report)

        def _write_cache(held: Path, target: Path, report: BuildReport) -> None:
            try:
                with Commit() as cache:
                    with failing_as(target):
                        written = file_sha256(target)
                    buildcache.stage(
                        cache,
                        state,
                        collection=held,
                        inputs=inputs,
                        cards=folder.cards,
                        reads=folder.reads,
                        packaged=folder.packaged,
                        placed=deflater.placed,
                        report=report,
                        output_sha256=written,
                        previous=folder.cache,
                        kept=folder.kept,
                        layouts=folder.layouts,
                    )
                    cache.commit()
            except (DeckgenError, OSError, sqlite3.Error):  # the deck and its lock are in
                with contextlib.suppress(OSError):  # place: the build is done, and the next
                    buildcache.forget(state)  # one does all its work
            finally:
                held.unlink(missing_ok=True)  # unless moved into place

        previous = folder.cache.path if folder.cache else None
        return _package(
            [folder],
            target=target,
            commit=None if dry_run else commit,
            previous=previous,
            deflater=deflater,
            then=remember,
        )


@gc_paused
def build_combined(
    *,
    cards_dirs: Sequence[Path],
    out_dir: Path,
    name: str,
    dry_run: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
    waiting: Waiting | None = None,
) -> BuildReport:
    """Build several cards folders (each a top-level deck, each with its own lock) into
    one `out_dir/<name>.apkg`."""
    with one_at_a_time(out_dir, cards_dirs, dry_run=dry_run, waiting=waiting):
        now = build_time()
        folders = [
            prepare(cards_dir, strict=strict, progress=progress, now=now)
            for cards_dir in cards_dirs
        ]
        distinct_decks_and_notes(folders)
        distinct_ids(folders)
        target = out_dir / output_name(name)
        with Commit() as commit:
            report = _package(folders, target=target, commit=None if dry_run else commit)
            commit.commit()
    return report


def _package(
    folders: list[Folder],
    *,
    target: Path,
    commit: Commit | None,
    previous: Path | None = None,
    deflater: Deflater | None = None,
    then: Callable[[Path, Path, Mapping[Path, str], BuildReport], None] | None = None,
) -> BuildReport:
    """Stage the folders' locks, then their notes as one .apkg (unless `commit` is None: a
    dry run), then call `then` with the collection, the staged package, the digest of
    each lock and the report. Kept notes are copied from `previous`, and blocks compressed
    before are taken from `deflater`."""
    packaged = [note for folder in folders for note in folder.packaged]
    decks = [deck for folder in folders for deck in decks_of(folder.cards, folder.packaged)]
    media = {name: item for folder in folders for name, item in folder.media.items()}
    mods: dict[str, int] = {}
    for folder in folders:  # a note type shared by several folders: the latest change wins
        for key, entry in folder.lock.notetypes.items():
            mods[key] = max(mods.get(key, 0), entry.mod)
    scratch_in = target.parent if commit is not None else None  # beside the cache: one rename
    with _scratch(scratch_in) as scratch:
        db_path = Path(scratch) / "collection.anki2"
        try:
            render_collection(
                db_path, notes=packaged, notetype_mods=mods, decks=decks, previous=previous
            )
        except sqlite3.DatabaseError as exc:
            if previous is not None and "full" not in str(exc):  # the cache, not the disk
                previous.unlink(missing_ok=True)  # so that the build makes it anew
                raise CacheDamaged(f"the build cache was damaged ({exc})") from None
            raise WriteFailed(target.parent, str(exc)) from None
        report = _report(folders, target, count_cards(db_path, decks))
        if commit is None:
            return report

        def zipped(stream: BinaryIO) -> None:
            write_zip(stream, collection=db_path, media=list(media.values()), deflater=deflater)

        # Renamed in this order: the locks, then the package. A build killed between the
        # two leaves a lock whose package the next build writes (the lock decides it).
        locks = {
            folder.cards_dir / LOCK_FILE: folder.lock.stage(commit, folder.cards_dir / LOCK_FILE)
            for folder in folders
        }
        package = commit.stage(target, zipped)
        with failing_as(target):
            report = dataclasses.replace(report, size=package.stat().st_size)
        if then is not None:
            then(db_path, package, locks, report)
        return report


@contextmanager
def _scratch(folder: Path | None) -> Iterator[str]:
    """A temporary folder in `folder` (the system's if None), removed afterwards."""
    with failing_as(folder or Path(tempfile.gettempdir())):
        scratch = tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX, dir=folder)
    with scratch as name:
        yield name


def _report(folders: list[Folder], target: Path, decks: tuple[DeckCount, ...]) -> BuildReport:
    """The report of packaging `folders`; its size is set once the package is written."""
    return BuildReport(
        output=target,
        size=None,
        decks=decks,
        media=len({name for folder in folders for name in folder.media}),
        changes=merged_changes([folder.changes for folder in folders]),
        warnings=tuple(w for folder in folders for w in folder.cards.warnings),
        repairs=tuple(r for folder in folders for r in folder.repairs),
    )
