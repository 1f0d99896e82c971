"""The command line: each command parses its options and calls one core function."""

from __future__ import annotations

from pathlib import Path

import click

from deckgen import __version__
from deckgen.build import build, check
from deckgen.errors import display_path
from deckgen.report import format_report, plural

CARDS_OPTION = click.option(
    "--cards",
    "cards_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="cards",
    show_default=True,
    help="Folder with deck.yaml, sources.yaml and the note folders.",
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
def build_command(cards_dir: Path, out_dir: Path, dry_run: bool) -> None:
    """Validate the cards and write BUILD/<deck>.apkg for import into Anki.

    \b
    Examples:
      deckgen build
      deckgen build --cards my-cards --out dist
      deckgen build --dry-run
    """
    report = build(cards_dir=cards_dir, out_dir=out_dir, dry_run=dry_run)
    click.echo(format_report(report))


@cli.command("check")
@CARDS_OPTION
def check_command(cards_dir: Path) -> None:
    """Validate the cards without writing anything.

    \b
    Example:
      deckgen check --cards cards
    """
    cards = check(cards_dir=cards_dir)
    counts = ", ".join(
        plural(len(records), noun)
        for records, noun in (
            (cards.points, "point"),
            (cards.concepts, "concept"),
            (cards.conditions, "condition"),
            (cards.facts, "fact"),
        )
    )
    click.echo(
        f"OK: {display_path(cards_dir)} has {plural(len(cards.records), 'note')} ({counts})."
    )


def main() -> None:
    cli(prog_name="deckgen")
