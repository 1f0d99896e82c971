"""What the last build of a cards folder left, and whether anything has changed since;
and holding the folders against other builds while one runs. Light on purpose: a rebuild
with nothing to do is answered from here without loading the stages."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deckgen.build.distinct import distinct_folders
from deckgen.build.report import BuildReport, unchanged_report
from deckgen.source.cardsfolder import LOCK_FILE
from deckgen.source.files import Listing, scan
from deckgen.state import cachefile, mutex
from deckgen.state.commit import make_folder, sweep
from deckgen.state.nochange import Inputs

#: Called once when the build waits for another build that holds `folder`.
Waiting = Callable[[Path], None]


@dataclass(frozen=True)
class LastBuild:
    """A cards folder as the last build into an output folder left it: its files now,
    their digests, the cache file, and that build's report if building again would only
    write the same bytes (`saved`, else None)."""

    cards_dir: Path
    listing: Listing | None  # None: the folder is not there (the stages say so)
    inputs: Inputs | None
    state: Path  # the cache file (see `deckgen.state.cache`)
    saved: dict[str, Any] | None

    def target(self, out_dir: Path) -> Path:
        """The .apkg the last build wrote (only when `saved`)."""
        assert self.saved is not None
        return out_dir / Path(self.saved["output"]).name

    def report(self, out_dir: Path, *, dry_run: bool) -> BuildReport:
        """The report of building again, nothing having changed (only when `saved`)."""
        assert self.saved is not None
        return unchanged_report(self.saved, out_dir=out_dir, dry_run=dry_run)


def look_back(cards_dir: Path, out_dir: Path, *, strict: bool) -> LastBuild:
    """What the last build of `cards_dir` into `out_dir` left, and whether anything it
    read has changed since (with `strict`, a build that had warnings counts as changed:
    this one must fail)."""
    listing = scan(cards_dir) if cards_dir.is_dir() else None
    state = cachefile.cache_path(out_dir, cards_dir)
    inputs = Inputs(listing, known=cachefile.known_hashes(state)) if listing else None
    saved = cachefile.saved_report(state, inputs=inputs.digest) if inputs else None
    if saved is not None and strict and saved["warnings"]:
        saved = None
    return LastBuild(cards_dir, listing, inputs, state, saved)


@contextmanager
def one_at_a_time(
    out_dir: Path, cards_dirs: Sequence[Path], *, dry_run: bool, waiting: Waiting | None
) -> Iterator[None]:
    """Hold the output folder and the cards folders against other builds (see `mutex`),
    and remove what builds killed before their end left there."""
    distinct_folders(cards_dirs)
    if not dry_run:
        make_folder(out_dir)
    with mutex.exclusive([out_dir, *cards_dirs], waiting=waiting) as alone:
        if alone and not dry_run:  # else another build's files may be among them
            sweep(out_dir)
            for cards_dir in cards_dirs:
                sweep(cards_dir, prefix=LOCK_FILE)
                cachefile.drop_legacy(out_dir, cards_dir)
        yield
