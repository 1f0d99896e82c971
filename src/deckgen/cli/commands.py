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

from deckgen import __version__
from deckgen.authoring.watch import BuildOutcome, watch
from deckgen.build import BuildReport, Progress, build_combined, build_each
from deckgen.build.load import load_folder
from deckgen.cli import output
from deckgen.cli.authoring import (
    docs_command,
    init_command,
    new_command,
    preview_command,
    schema_command,
    stats_command,
)
from deckgen.cli.options import CARDS_OPTION, CARDS_OPTIONS, STRICT_OPTION, out_option
from deckgen.cli.output import FORMATS, output_options
from deckgen.cli.report import format_report
from deckgen.kinds import registry
from deckgen.source.errors import DeckgenError, InvalidCards, Problem, display_path, plural

#: Builds of at least this many notes show a progress bar (on a terminal, without -q).
PROGRESS_MIN_NOTES = 300


_ARGS = "deckgen.args"


class Commands(click.Group):
    """The commands, each showing its errors as every command does (`output.error`): in
    colour as it was told, card problems with exit status 1, usage errors with 2."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_ARGS] = tuple(args)  # for the colour of an error before they are parsed
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as failure:
            if ctx.color is None:  # failed before --color/--no-color was read: read it here
                ctx.color = output.colour_of_args(ctx.meta.get(_ARGS, ()))
            output.error(failure)
            raise click.exceptions.Exit(failure.exit_code) from None


def _waiting(folder: Path) -> None:
    output.echo(
        f"Waiting for another deckgen build using {display_path(folder)} to finish...", err=True
    )


@click.group(
    "deckgen",
    cls=Commands,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 88},
    epilog="Exit status: 0 success; 1 problems in the cards or another user error; "
    "2 a usage error. Every command takes -q, -v and --color/--no-color (NO_COLOR and "
    "FORCE_COLOR are honoured). Run 'deckgen COMMAND --help' for its options and examples.",
)
@click.version_option(__version__, "-V", "--version", prog_name="deckgen")
def cli() -> None:
    """Turn YAML study notes into Anki decks that update in place when you regenerate them.

    \b
    Typical session:
      deckgen init my-deck      start a deck (then cd my-deck)
      deckgen new point ST7     write a skeleton to fill in
      deckgen check             find every problem at once
      deckgen build             write build/<deck>.apkg, then import it into Anki
      deckgen preview --serve   see every card in a browser as you edit
    """


@cli.command("build")
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


@cli.command("check")
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


for _command in (
    init_command,
    new_command,
    preview_command,
    stats_command,
    schema_command,
    docs_command,
):
    cli.add_command(_command)


def main() -> None:
    try:
        cli(prog_name="deckgen")
    except OSError as error:  # e.g. an output folder that cannot be written: no traceback
        where = f"{error.filename}: " if error.filename else ""
        output.echo(f"Error: {where}{error.strerror or error}", err=True, fg="red")
        sys.exit(1)
