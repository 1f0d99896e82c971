"""The command line: each command parses its options and calls one core function."""

from __future__ import annotations

from pathlib import Path

import click

from deckgen import __version__
from deckgen.build import BuildReport, build, check
from deckgen.errors import display_path

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
        _plural(len(records), noun)
        for records, noun in (
            (cards.points, "point"),
            (cards.concepts, "concept"),
            (cards.conditions, "condition"),
            (cards.facts, "fact"),
        )
    )
    click.echo(
        f"OK: {display_path(cards_dir)} has {_plural(len(cards.records), 'note')} ({counts})."
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def format_report(report: BuildReport) -> str:
    """The build summary as printed by `deckgen build`."""
    path = display_path(report.output)
    if report.size is None:
        lines = [f"Dry run: would write {path}"]
    else:
        lines = [f"Built {path} ({report.size / 1000:.1f} kB)"]
    width = max((len(deck.name) for deck in report.decks), default=0)
    for deck in report.decks:
        notes, cards = _plural(deck.notes, "note"), _plural(deck.cards, "card")
        lines.append(f"  {deck.name:<{width}}  {notes:>9}  {cards:>9}")
    lines.append(f"  Media: {_plural(report.media, 'file')}")
    lines.append(
        f"  Notes: {len(report.added)} added, {len(report.changed)} changed, "
        f"{len(report.removed)} removed, {len(report.unchanged)} unchanged"
    )
    for change in report.notetype_changes:
        if change.fields_changed:
            lines.append(
                f"  Note type '{change.name}' changed its fields or card types: when importing, "
                "tick 'Merge note types' and set 'Update notes' to 'Always'."
            )
        else:
            lines.append(
                f"  Note type '{change.name}' changed its templates or style: "
                "Anki updates it in place with the default import options."
            )
    if report.removed:
        lines.append(
            f"  Removed since the last build: {', '.join(report.removed)} "
            "(Anki never deletes notes on import; delete them there by hand)."
        )
    return "\n".join(lines)


def main() -> None:
    cli(prog_name="deckgen")
