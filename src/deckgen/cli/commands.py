"""The command line: each command parses its options and calls the core; the core never
prints. Exit status: 0 success, 1 problems in the cards (or another user error), 2 a
command-line usage error (a cards folder that is not there among them)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from deckgen.authoring.watch import BuildOutcome, watch
from deckgen.build import BuildReport, Progress, build_combined, build_each
from deckgen.build.load import load_folder
from deckgen.cli import output
from deckgen.cli.options import CARDS_OPTION, CARDS_OPTIONS, STRICT_OPTION, out_option
from deckgen.cli.output import FORMATS, output_options
from deckgen.cli.report import format_report
from deckgen.kinds import registry
from deckgen.source.errors import DeckgenError, InvalidCards, Problem, display_path, plural

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
    they were. The .apkg, the lock and the build's cache are written all or nothing, so a
    full disk or a read-only folder changes nothing either; a second build in the same
    folders waits for the first.

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


@click.command("check")
@CARDS_OPTION
@STRICT_OPTION
@click.option(
    "--format",
    "form",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="How to report problems: text; github (workflow annotations, "
    "::error file=...,line=...,col=...::); json (a list of {severity, file, line, column, "
    "message}).",
)
@output_options
def check_command(cards_dir: Path, strict: bool, form: str) -> None:
    """Validate the cards without writing anything.

    Reports every problem at once as PATH:LINE:COLUMN: MESSAGE; exits with status 1 on
    errors (or, with --strict, on warnings). With -v, lists every note, one per line.

    \b
    Examples:
      deckgen check
      deckgen check --cards my-cards --strict
      deckgen check --format github      in a GitHub Actions workflow
    """
    try:
        loaded = load_folder(cards_dir, strict=strict)
    except InvalidCards as failure:
        if form == "text":
            raise
        output.echo(output.formatted(failure.problems, failure.warnings, form))
        raise click.exceptions.Exit(1) from None
    except DeckgenError as failure:  # e.g. an empty cards folder: one problem, no place
        if form == "text":
            raise
        where = output.formatted([_unplaced(cards_dir, failure)], [], form)
        output.echo(where)
        raise click.exceptions.Exit(1) from None
    cards = loaded.cards
    if form != "text":
        output.echo(output.formatted([], cards.warnings, form))
        return
    output.problems((), cards.warnings)
    output.repairs(loaded.lock.repairs)
    for file in cards.files:
        output.detail(f"{file.kind.name} {file.note_id}: {display_path(file.path)}")
    counts = ", ".join(
        plural(len(cards.of_kind(kind.name)), kind.name)
        for kind in registry.kinds()
        if cards.of_kind(kind.name)
    )
    summary = f"OK: {display_path(cards_dir)} has {plural(len(cards.records), 'note')} ({counts})"
    if cards.warnings:
        summary += f" and {plural(len(cards.warnings), 'warning')}"
    output.say(summary + ".")


def _unplaced(cards_dir: Path, failure: DeckgenError) -> Problem:
    return Problem(display_path(cards_dir), 1, 1, failure.format_message())
