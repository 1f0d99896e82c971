"""The command line: each command parses its options and calls the core."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click

from deckgen import __version__
from deckgen.build import build
from deckgen.cards import load_cards
from deckgen.errors import Problem, display_path, labelled, plural
from deckgen.json_schema import write_schemas
from deckgen.report import format_report

CARDS_OPTION = click.option(
    "--cards",
    "cards_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="cards",
    show_default=True,
    help="Folder with deck.yaml, sources.yaml and the note folders.",
)
STRICT_OPTION = click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings (unknown keys, unused media, raw HTML, ...) as errors.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deckgen")
def cli() -> None:
    """Turn YAML study notes into Anki decks that update in place when you regenerate them."""


@cli.command("build")
@CARDS_OPTION
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="build",
    show_default=True,
    help="Folder the .apkg is written to.",
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@STRICT_OPTION
def build_command(cards_dir: Path, out_dir: Path, dry_run: bool, strict: bool) -> None:
    """Validate the cards and write BUILD/<deck>.apkg for import into Anki.

    Nothing is written if the cards have errors (or, with --strict, warnings).

    \b
    Examples:
      deckgen build
      deckgen build --cards my-cards --out dist
      deckgen build --dry-run
    """
    cards = load_cards(cards_dir, strict=strict)  # raises before anything is written
    _warn(cards.warnings)
    report = build(cards_dir=cards_dir, out_dir=out_dir, dry_run=dry_run)
    click.echo(format_report(report))


@cli.command("check")
@CARDS_OPTION
@STRICT_OPTION
def check_command(cards_dir: Path, strict: bool) -> None:
    """Validate the cards without writing anything.

    Reports every problem at once as PATH:LINE:COLUMN: MESSAGE; exits with status 1 on
    errors (or, with --strict, on warnings).

    \b
    Example:
      deckgen check --cards cards
    """
    cards = load_cards(cards_dir, strict=strict)
    _warn(cards.warnings)
    counts = ", ".join(
        plural(len(records), noun)
        for records, noun in (
            (cards.points, "point"),
            (cards.concepts, "concept"),
            (cards.conditions, "condition"),
            (cards.facts, "fact"),
        )
    )
    summary = f"OK: {display_path(cards_dir)} has {plural(len(cards.records), 'note')} ({counts})"
    if cards.warnings:
        summary += f" and {plural(len(cards.warnings), 'warning')}"
    click.echo(summary + ".")


@cli.command("schema")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="schemas",
    show_default=True,
    help="Folder the JSON Schema files are written to.",
)
def schema_command(out_dir: Path) -> None:
    """Write JSON Schemas of the YAML files, for completion and checking in your editor.

    Writes point, concept, condition, fact, deck and sources .schema.json files.

    \b
    Example:
      deckgen schema --out schemas
    """
    for path in write_schemas(out_dir):
        click.echo(f"Wrote {display_path(path)}")


def _warn(warnings: Iterable[Problem]) -> None:
    for line in labelled((), warnings):
        click.echo(line, err=True)


def main() -> None:
    cli(prog_name="deckgen")
