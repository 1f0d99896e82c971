"""`deckgen build`: options in, the build's report out. The stages are loaded only when a
folder has changed since its last build (see `deckgen.build.each`), and watch mode only
with --watch, so that a rebuild with nothing to do starts quickly."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from deckgen.build import BuildReport, Progress, build_each
from deckgen.cli import output
from deckgen.cli.options import CARDS_OPTIONS, STRICT_OPTION, out_option
from deckgen.cli.output import output_options
from deckgen.cli.report import format_report
from deckgen.source.errors import display_path

if TYPE_CHECKING:
    from deckgen.authoring.watch import BuildOutcome

#: Builds of at least this many notes show a progress bar (on a terminal, without -q).
PROGRESS_MIN_NOTES = 300


def _waiting(folder: Path) -> None:
    output.echo(
        f"Waiting for another deckgen build using {display_path(folder)} to finish...", err=True
    )


@click.command("build")
@CARDS_OPTIONS
@click.option(
    "--combined",
    metavar="NAME",
    help="Build every --cards folder into one OUT/NAME.apkg instead of one file per deck.",
)
@out_option("build", "Folder the .apkg is written to.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--watch", is_flag=True, help="Rebuild on every save until Ctrl-C.")
@STRICT_OPTION
@output_options
def build_command(
    cards_dirs: tuple[Path, ...],
    combined: str | None,
    out_dir: Path,
    dry_run: bool,
    watch: bool,
    strict: bool,
) -> None:
    """Validate the cards and write OUT/<deck>.apkg for import into Anki.

    Also updates CARDS/deckgen.lock, which keeps each note's modification time moving only
    when the note changes (commit it). Prints notes and cards per deck and what changed
    since the last build (with -v, every note, one per line). Nothing is written if the
    cards have errors (or, with --strict, warnings): the previous .apkg and lock stay as
    they were. The .apkg and the lock are written all or nothing, so a full disk or a
    read-only folder changes nothing either (the build's cache follows them); a second
    build in the same folders waits for the first.

    \b
    Examples:
      deckgen build
      deckgen build --cards my-cards --out dist
      deckgen build --dry-run -v
      deckgen build --watch
      deckgen build --cards facial-spasm --cards headache --combined acupuncture
    """
    if watch:
        if dry_run or combined or len(cards_dirs) > 1:
            raise click.UsageError("--watch builds one --cards folder, without --dry-run")
        _watch(cards_dirs[0], out_dir, strict=strict)
        return
    with _progress_bar(enabled=not output.quiet()) as progress:
        if combined:
            from deckgen.build import build_combined

            reports = [
                build_combined(
                    cards_dirs=cards_dirs,
                    name=combined,
                    out_dir=out_dir,
                    dry_run=dry_run,
                    strict=strict,
                    progress=progress,
                    waiting=_waiting,
                )
            ]
        else:
            reports = build_each(
                cards_dirs=cards_dirs,
                out_dir=out_dir,
                dry_run=dry_run,
                strict=strict,
                progress=progress,
                waiting=_waiting,
            )
    for report in reports:
        _show_report(report)


def _show_report(report: BuildReport) -> None:
    output.problems((), report.warnings)
    output.repairs(report.repairs)
    head, *rest = format_report(report, verbose=output.verbose()).split("\n")
    output.say(head, bold=True)
    for line in rest:
        output.say(line)


def _watch(cards_dir: Path, out_dir: Path, *, strict: bool) -> None:
    from deckgen.authoring.watch import watch

    def show(outcome: BuildOutcome) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        if isinstance(outcome, BuildReport):
            output.say(f"[{stamp}] rebuilt", fg="green")
            _show_report(outcome)
        else:
            output.echo(
                f"[{stamp}] not rebuilt; the last good .apkg is unchanged", err=True, fg="red"
            )
            output.error(outcome)
        output.say(f"Watching {display_path(cards_dir)} for changes (Ctrl-C to stop)...")

    with suppress(KeyboardInterrupt):
        watch(cards_dir=cards_dir, out_dir=out_dir, on_build=show, strict=strict)


@contextmanager
def _progress_bar(*, enabled: bool) -> Iterator[Progress | None]:
    """A progress callback drawing a bar on stderr for large builds on a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    bars: list[Any] = []

    def update(done: int, total: int) -> None:
        if total < PROGRESS_MIN_NOTES:
            return
        if not bars:
            bar = click.progressbar(length=total, label="Building notes", file=sys.stderr)
            bars.append(bar.__enter__())
        bars[0].update(done - bars[0].pos)

    try:
        yield update
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)
