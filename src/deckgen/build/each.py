"""Build each cards folder into its own .apkg. A folder whose inputs and .apkg are as its
last build left them is answered with that build's report, without loading the stages:
the common rebuild, nothing changed, costs little more than starting Python. The others
go through every stage (`deckgen.build.core`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from deckgen.build.distinct import distinct_outputs
from deckgen.build.gcpause import gc_paused
from deckgen.build.lookback import Waiting, look_back, one_at_a_time
from deckgen.build.report import BuildReport, Progress
from deckgen.state import cachefile


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
    then the .apkg and the lock are written whole, both or neither (see `commit`), and
    then the build's cache (see `deckgen.build.core`)."""
    (report,) = build_each(
        cards_dirs=[cards_dir],
        out_dir=out_dir,
        dry_run=dry_run,
        strict=strict,
        progress=progress,
        waiting=waiting,
    )
    return report


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
    with one_at_a_time(out_dir, cards_dirs, dry_run=dry_run, waiting=waiting):
        last = [look_back(cards_dir, out_dir, strict=strict) for cards_dir in cards_dirs]
        if all(seen.saved is not None for seen in last):
            distinct_outputs({seen.cards_dir: seen.target(out_dir) for seen in last})
            reports = [seen.report(out_dir, dry_run=dry_run) for seen in last]
        else:
            from deckgen.build.core import build_looked_back  # only now: the stages are large

            # A damaged cache is removed: look again, and build without it. Each folder's
            # cache is found damaged at most once, and one at a time.
            for retries_left in range(len(cards_dirs), -1, -1):
                try:
                    reports = build_looked_back(
                        last, out_dir=out_dir, dry_run=dry_run, strict=strict, progress=progress
                    )
                    break
                except cachefile.CacheDamaged:
                    if not retries_left:
                        raise
                    last = [look_back(d, out_dir, strict=strict) for d in cards_dirs]
        for seen in last:
            if seen.saved is not None and seen.inputs is not None and not dry_run:
                # Files touched but the same: not read next time.
                cachefile.remember_hashes(seen.state, seen.inputs)
    return reports
