"""`deckgen check`: validate the cards and report every problem, as text, GitHub workflow
annotations or JSON; nothing is written."""

from __future__ import annotations

from pathlib import Path

import click

from deckgen.build.load import load_folder
from deckgen.cli import output
from deckgen.cli.options import CARDS_OPTION, STRICT_OPTION
from deckgen.cli.output import FORMATS, output_options
from deckgen.kinds import registry
from deckgen.source.errors import DeckgenError, InvalidCards, Problem, display_path, plural


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
