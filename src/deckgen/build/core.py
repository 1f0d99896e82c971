"""The build: cards folder -> validated notes -> ids and times from the lock -> .apkg."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

from deckgen.anki.package import PackagedDeck, PackagedNote, render_collection, write_zip
from deckgen.anki.zipwrite import Deflater
from deckgen.build.gcpause import gc_paused
from deckgen.build.load import load_folder
from deckgen.kinds.deck import Source
from deckgen.kinds.drawing import MediaFile
from deckgen.kinds.folder import Cards
from deckgen.kinds.html import attribute, plain
from deckgen.kinds.ids import slug, stable_id
from deckgen.kinds.notes import facts_read, notes_reusing
from deckgen.kinds.spec import KeptNote
from deckgen.source.errors import DeckgenError, Problem, display_path
from deckgen.source.files import Listing, file_sha256, scan
from deckgen.state import cache as buildcache
from deckgen.state import mutex
from deckgen.state import nochange as buildstate
from deckgen.state.changes import Changes, stamp
from deckgen.state.commit import (
    SCRATCH_PREFIX,
    Commit,
    WriteFailed,
    failing_as,
    make_folder,
    sweep,
)
from deckgen.state.lock import ID_SPACING, LOCK_FILE, Lock, build_time


@dataclass(frozen=True)
class DeckCount:
    name: str
    notes: int
    cards: int


@dataclass(frozen=True)
class BuildReport:
    output: Path
    size: int | None  # None when nothing was written (dry run)
    decks: tuple[DeckCount, ...]
    media: int
    changes: Changes
    warnings: tuple[Problem, ...] = ()
    #: What the build repaired in a lock (see `lock.read_lock`).
    repairs: tuple[Problem, ...] = ()


#: Called as notes are made: (records done, records in all).
Progress = Callable[[int, int], None]


def output_name(deck_name: str) -> str:
    """A stable file name: 'Acupuncture for Facial Spasm' -> 'acupuncture-for-facial-spasm.apkg'."""
    return f"{slug(deck_name) or 'deck'}.apkg"


def build(
    *,
    cards_dir: Path,
    out_dir: Path,
    dry_run: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
    waiting: Waiting | None = None,
) -> BuildReport:
    """Build the cards folder into `out_dir/<deck>.apkg` and update the lock beside the cards.

    Nothing is written unless everything is valid (with `strict`, free of warnings too);
    then the .apkg, the lock and the build's cache are written whole, all or none (see
    `commit`)."""
    (report,) = build_each(
        cards_dirs=[cards_dir],
        out_dir=out_dir,
        dry_run=dry_run,
        strict=strict,
        progress=progress,
        waiting=waiting,
    )
    return report


#: Called once when the build waits for another build that holds `folder`.
Waiting = Callable[[Path], None]


@contextmanager
def _one_at_a_time(
    out_dir: Path, cards_dirs: Sequence[Path], *, dry_run: bool, waiting: Waiting | None
) -> Iterator[None]:
    """Hold the output folder and the cards folders against other builds (see `mutex`),
    and remove what builds killed before their end left there."""
    _distinct_folders(cards_dirs)
    if not dry_run:
        make_folder(out_dir)
    with mutex.exclusive([out_dir, *cards_dirs], waiting=waiting) as alone:
        if alone and not dry_run:  # else another build's files may be among them
            sweep(out_dir)
            for cards_dir in cards_dirs:
                sweep(cards_dir, prefix=LOCK_FILE)
                buildcache.drop_legacy(out_dir, cards_dir)

        yield


@gc_paused
def build_each(
    *,
    cards_dirs: Sequence[Path],
    out_dir: Path,
    dry_run: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
    waiting: Waiting | None = None,
) -> list[BuildReport]:
    """Build each cards folder into its own `out_dir/<deck>.apkg`. Every folder is
    validated before any is written, and all are written together or not at all."""
    with _one_at_a_time(out_dir, cards_dirs, dry_run=dry_run, waiting=waiting):
        now = build_time()
        plans: list[_Plan] = []
        for cards_dir in cards_dirs:
            listing = scan(cards_dir) if cards_dir.is_dir() else None
            state = buildcache.cache_path(out_dir, cards_dir)
            known = buildcache.known_hashes(state)
            inputs = buildstate.Inputs(listing, known=known) if listing else None
            saved = buildcache.unchanged_report(state, inputs=inputs.digest) if inputs else None
            if saved is not None and not (strict and saved["warnings"]):
                plans.append(_Plan(cards_dir, inputs, state, saved=saved))
            else:
                cache = buildcache.load(state, cards_dir, inputs) if inputs else None
                folder = _prepare(
                    cards_dir,
                    strict=strict,
                    progress=progress,
                    now=now,
                    cache=cache,
                    listing=listing,
                )
                plans.append(_Plan(cards_dir, inputs, state, folder=folder))
        _distinct_outputs({plan.cards_dir: plan.target(out_dir) for plan in plans})
        with Commit() as commit:
            reports = [plan.finish(out_dir, dry_run=dry_run, commit=commit) for plan in plans]
            commit.commit()
        for plan in plans:
            if plan.saved is not None and plan.inputs is not None and not dry_run:
                # Files touched but the same: not read next time.
                buildcache.remember_hashes(plan.state, plan.inputs)
    return reports


@dataclass
class _Plan:
    """One folder's build: either unchanged since the saved state, or prepared to write."""

    cards_dir: Path
    inputs: buildstate.Inputs | None
    state: Path  # the cache file (see `deckgen.state.cache`)
    saved: dict[str, Any] | None = None
    folder: _Folder | None = None

    def target(self, out_dir: Path) -> Path:
        if self.saved is not None:
            return out_dir / Path(self.saved["output"]).name
        assert self.folder is not None
        return out_dir / output_name(self.folder.cards.deck.name)

    def finish(self, out_dir: Path, *, dry_run: bool, commit: Commit) -> BuildReport:
        """The report of this folder's build; unless `dry_run`, its files are staged."""
        if self.saved is not None:
            return _unchanged_report(self.saved, out_dir=out_dir, dry_run=dry_run)
        assert self.folder is not None and self.inputs is not None  # validated folders only
        folder, inputs = self.folder, self.inputs
        target = self.target(out_dir)
        earlier = {} if dry_run else buildcache.deflated_blocks(self.state, target)
        deflater = Deflater(earlier)

        def remember(
            collection: Path, package: Path, locks: Mapping[Path, str], report: BuildReport
        ) -> None:
            """Keep this build's collection and notes for the next build to reuse."""
            for digest in locks.values():
                inputs.written(LOCK_FILE, digest)
            for name, digest in folder.cards.read.items():  # as parsed, if changed since
                inputs.written(name, digest)
            with failing_as(target):
                written = file_sha256(package)
            buildcache.stage(
                commit,
                self.state,
                collection=collection,
                inputs=inputs,
                cards=folder.cards,
                reads=folder.reads,
                packaged=folder.packaged,
                placed=deflater.placed,
                report=report,
                output_sha256=written,
                previous=folder.cache,
                kept=folder.kept,
            )

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
    with _one_at_a_time(out_dir, cards_dirs, dry_run=dry_run, waiting=waiting):
        now = build_time()
        folders = [
            _prepare(cards_dir, strict=strict, progress=progress, now=now)
            for cards_dir in cards_dirs
        ]
        _check_distinct(folders)
        _distinct_ids(folders)
        target = out_dir / output_name(name)
        with Commit() as commit:
            report = _package(folders, target=target, commit=None if dry_run else commit)
            commit.commit()
    return report


@dataclass
class _Folder:
    """One cards folder, validated and stamped against its lock, ready to package."""

    cards_dir: Path
    cards: Cards
    lock: Lock
    packaged: list[PackagedNote]
    changes: Changes
    media: dict[str, MediaFile]
    #: What reading the lock repaired (see `deckgen.state.lock.read_lock`).
    repairs: tuple[Problem, ...]
    #: What each record's notes read of other files (see `deckgen.kinds.notes.facts_read`).
    reads: Mapping[str, str]
    cache: buildcache.Cache | None = None
    kept: Mapping[str, tuple[KeptNote, ...]] = dataclasses.field(default_factory=dict)


def _prepare(
    cards_dir: Path,
    *,
    strict: bool,
    progress: Progress | None,
    now: int,
    cache: buildcache.Cache | None = None,
    listing: Listing | None = None,
) -> _Folder:
    loaded = load_folder(
        cards_dir, strict=strict, cached=cache.files if cache else None, listing=listing
    )
    cards, old_lock = loaded.cards, loaded.lock
    numbers = loaded.occlusion()
    reads = facts_read(cards)
    kept = cache.kept(cards, reads) if cache else {}
    deck = loaded.deck_id
    notes = notes_reusing(cards, kept, deck_id=deck, occlusion=numbers, progress=progress)
    for file in cards.files:  # made into notes: from here on only their summaries are read
        file.release()
    new_lock, packaged, changes = stamp(notes, old_lock, now)
    new_lock.occlusion = numbers
    new_lock.deck_id = deck
    media = {item.name: item for note in notes for item in note.media}
    return _Folder(
        cards_dir,
        cards,
        new_lock,
        packaged,
        changes,
        media,
        tuple(old_lock.repairs),
        reads,
        cache,
        kept,
    )


def _distinct_folders(cards_dirs: Sequence[Path]) -> None:
    """A cards folder given twice would be built twice into one file."""
    seen: dict[str, Path] = {}
    for cards_dir in cards_dirs:
        other = seen.setdefault(os.path.realpath(cards_dir), cards_dir)
        if other is not cards_dir:
            first, again = display_path(other), display_path(cards_dir)
            same = "is given twice" if first == again else f"and {again} are the same folder"
            raise DeckgenError(f"--cards {first} {same}: give each cards folder once")


def _distinct_outputs(targets: Mapping[Path, Path]) -> None:
    """Two folders whose decks would be written to one file: the second would replace the
    first. (Names are compared as a case-insensitive file system would.)"""
    seen: dict[str, Path] = {}
    for cards_dir, target in targets.items():
        other = seen.setdefault(str(target).casefold(), cards_dir)
        if other != cards_dir:
            raise DeckgenError(
                f"{display_path(other)} and {display_path(cards_dir)} would both be written to "
                f"{display_path(target)}: give one of their decks another name in deck.yaml, "
                "build them into different --out folders, or use --combined"
            )


def _check_distinct(folders: list[_Folder]) -> None:
    """Two folders in one package must not share a deck name or a note: Anki would see one."""
    decks: dict[str, tuple[Path, str]] = {}
    for folder in folders:  # Anki matches deck names regardless of case
        name = folder.cards.deck.name
        other, first = decks.setdefault(_deck_key(name), (folder.cards_dir, name))
        if other != folder.cards_dir:
            alike = "" if first == name else f" (Anki does not tell '{first}' and '{name}' apart)"
            raise DeckgenError(
                f"{display_path(other)} and {display_path(folder.cards_dir)} are both the deck "
                f"'{first}'{alike}: give one of them another name in deck.yaml"
            )
    owners: dict[str, Path] = {}
    for folder in folders:
        for note in folder.packaged:
            other = owners.setdefault(note.guid, folder.cards_dir)
            if other != folder.cards_dir:
                raise DeckgenError(
                    f"{display_path(other)} and {display_path(folder.cards_dir)} both have the "
                    f"note {note.key}: rename one of the notes, or build the folders separately"
                )


def _deck_key(name: str) -> str:
    """A deck name as Anki matches it: regardless of case (and of Unicode's forms)."""
    return unicodedata.normalize("NFC", name).casefold()


def _distinct_ids(folders: list[_Folder]) -> None:
    """Give a note whose id another folder already uses a fresh one, in its lock too.

    Ids come from each folder's first build time, so two folders can share one. Anki
    matches notes by guid and keeps its own ids for notes it has, so a new id changes
    nothing for anyone who imported the note already; it only keeps this package valid."""
    used: set[int] = set()
    highest = max((note.note_id for f in folders for note in f.packaged), default=0)
    for folder in folders:
        for index, note in enumerate(folder.packaged):
            if note.note_id in used:
                highest += ID_SPACING
                folder.packaged[index] = dataclasses.replace(note, note_id=highest)
                entry = folder.lock.notes[note.key]
                folder.lock.notes[note.key] = dataclasses.replace(entry, id=highest)
            used.add(folder.packaged[index].note_id)


def _package(
    folders: list[_Folder],
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
    decks = [deck for folder in folders for deck in _decks(folder.cards, folder.packaged)]
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
                previous.unlink(missing_ok=True)  # so that the next build makes it anew
                raise DeckgenError(
                    f"the build cache was damaged ({exc}) and has been removed: build again"
                ) from None
            raise WriteFailed(target.parent, str(exc)) from None
        report = _report(folders, target, _count(db_path, decks))
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


def _report(folders: list[_Folder], target: Path, decks: tuple[DeckCount, ...]) -> BuildReport:
    """The report of packaging `folders`; its size is set once the package is written."""
    return BuildReport(
        output=target,
        size=None,
        decks=decks,
        media=len({name for folder in folders for name in folder.media}),
        changes=_merged([folder.changes for folder in folders]),
        warnings=tuple(w for folder in folders for w in folder.cards.warnings),
        repairs=tuple(r for folder in folders for r in folder.repairs),
    )


def _merged(all_changes: list[Changes]) -> Changes:
    if len(all_changes) == 1:
        return all_changes[0]
    return Changes(
        added=tuple(key for c in all_changes for key in c.added),
        changed=tuple(item for c in all_changes for item in c.changed),
        removed=tuple(key for c in all_changes for key in c.removed),
        unchanged=tuple(key for c in all_changes for key in c.unchanged),
        notetypes=tuple(dict.fromkeys(n for c in all_changes for n in c.notetypes)),
        emptied=tuple(item for c in all_changes for item in c.emptied),
    )


def _unchanged_report(saved: dict[str, Any], *, out_dir: Path, dry_run: bool) -> BuildReport:
    """The report of a build whose inputs and output are as the last build left them."""
    output = out_dir / Path(saved["output"]).name
    return BuildReport(
        output=output,
        size=None if dry_run else output.stat().st_size,
        decks=tuple(DeckCount(**deck) for deck in saved["decks"]),
        media=saved["media"],
        changes=buildstate.unchanged_changes(saved),
        warnings=buildstate.saved_warnings(saved),
    )


def _decks(cards: Cards, packaged: list[PackagedNote]) -> list[PackagedDeck]:
    """The parent deck, carrying version, build date and sources, and each subdeck in use."""
    config = cards.deck
    latest = max((note.mod for note in packaged), default=0)
    built_on = datetime.fromtimestamp(latest, tz=timezone.utc).strftime("%Y-%m-%d")
    cited = sorted({key for file in cards.files for key in file.summary.sources})
    sources = "".join(_citation(cards.sources[key]) for key in cited)
    description = (
        f"<p>{plain(config.description)}</p>"
        f"<p>Version {plain(config.version)} · built {built_on} with deckgen.</p>"
        f"<p>Sources:</p><ul>{sources}</ul>"
    )
    names = [config.name, *dict.fromkeys(note.deck for note in packaged)]
    return [
        PackagedDeck(name, stable_id("deck", name), description if name == config.name else "")
        for name in names
    ]


def _citation(source: Source) -> str:
    """A source for the deck description, linked when it has a public address."""
    url = source.url or ""
    public = url.startswith(("https://", "http://"))
    link = f' <a href="{attribute(url)}">{plain(url)}</a>' if public else ""
    return f"<li>{plain(source.title)}{link}</li>"


def _count(db_path: Path, decks: list[PackagedDeck]) -> tuple[DeckCount, ...]:
    """Notes and cards per deck, read back from what was written."""
    connection = sqlite3.connect(db_path)
    try:
        rows = connection.execute(
            "SELECT did, COUNT(DISTINCT nid), COUNT(*) FROM cards GROUP BY did"
        ).fetchall()
    finally:
        connection.close()
    per_deck = {did: (notes, cards) for did, notes, cards in rows}
    return tuple(
        DeckCount(deck.name, *per_deck[deck.deck_id]) for deck in decks if deck.deck_id in per_deck
    )
