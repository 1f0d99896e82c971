"""The command line: each command parses its options and calls the core; the core never
prints. Exit status: 0 success, 1 problems in the cards (or another user error), 2 a
command-line usage error."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from deckgen import __version__
from deckgen.authoring.pointdoc import points_markdown, stale_pages, write_pages
from deckgen.authoring.scaffold import new_note
from deckgen.authoring.schemas import write_schemas
from deckgen.authoring.start import start_project
from deckgen.authoring.watch import BuildOutcome, watch
from deckgen.build import BuildReport, Progress, build_combined, build_each
from deckgen.build.load import load_folder
from deckgen.cli.reference import cli_reference
from deckgen.cli.registered import KindChoice, KindsCommand
from deckgen.cli.report import format_report
from deckgen.kinds import registry
from deckgen.source.errors import DeckgenError, Problem, display_path, labelled, plural

F = TypeVar("F", bound=Callable[..., Any])

#: Builds of at least this many notes show a progress bar (on a terminal, without -q).
PROGRESS_MIN_NOTES = 300

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


def _out_option(default: str, help_text: str) -> Callable[[F], F]:
    """`--out DIR`: where a command writes."""
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path),  # a file in the way is reported by the command
        metavar="DIRECTORY",
        default=default,
        show_default=True,
        help=help_text,
    )


QUIET_OPTION = click.option("-q", "--quiet", is_flag=True, help="Print only errors and warnings.")
VERBOSE_OPTION = click.option(
    "-v", "--verbose", is_flag=True, help="List every note that was added, changed or kept."
)


def _color() -> bool | None:
    """No colour when NO_COLOR is set (https://no-color.org); else Click decides (a tty)."""
    return False if os.environ.get("NO_COLOR") else None


def _echo(text: str, *, err: bool = False, **style: Any) -> None:
    click.echo(click.style(text, **style) if style else text, err=err, color=_color())


def _warn(warnings: Iterable[Problem]) -> None:
    for line in labelled((), warnings):
        _echo(line, err=True, fg="yellow")


def _repairs(repairs: Iterable[Problem]) -> None:
    """What a build repairs (or, for `check`, will repair) in a lock."""
    for problem in sorted(repairs):
        _echo(f"Repair: {problem}", err=True, fg="yellow")


def _waiting(folder: Path) -> None:
    _echo(f"Waiting for another deckgen build using {display_path(folder)} to finish...", err=True)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 88},
    epilog="Exit status: 0 success; 1 problems in the cards or another user error; "
    "2 a usage error. Run 'deckgen COMMAND --help' for a command's options and examples.",
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
      deckgen preview           see every card in a browser first
    """


@cli.command("build")
@click.option(
    "--cards",
    "cards_dirs",
    type=click.Path(file_okay=False, path_type=Path),
    default=["cards"],
    multiple=True,
    show_default=True,
    help="Folder with deck.yaml, sources.yaml and the note folders; repeat it to build "
    "several decks (one .apkg each, or one with --combined).",
)
@click.option(
    "--combined",
    metavar="NAME",
    help="Build every --cards folder into one OUT/NAME.apkg instead of one file per deck.",
)
@_out_option("build", "Folder the .apkg is written to.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--watch", is_flag=True, help="Rebuild on every save until Ctrl-C.")
@STRICT_OPTION
@QUIET_OPTION
@VERBOSE_OPTION
def build_command(
    cards_dirs: tuple[Path, ...],
    combined: str | None,
    out_dir: Path,
    dry_run: bool,
    watch: bool,
    strict: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Validate the cards and write OUT/<deck>.apkg for import into Anki.

    Also updates CARDS/deckgen.lock, which keeps each note's modification time moving only
    when the note changes (commit it). Prints notes and cards per deck and what changed
    since the last build. Nothing is written if the cards have errors (or, with --strict,
    warnings): the previous .apkg and lock stay as they were. The .apkg, the lock and the
    build's cache are written all or nothing, so a full disk or a read-only folder changes
    nothing either; a second build in the same folders waits for the first.

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
        _watch(cards_dirs[0], out_dir, strict=strict, quiet=quiet, verbose=verbose)
        return
    with _progress_bar(enabled=not quiet) as progress:
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
        _show_report(report, quiet=quiet, verbose=verbose)


def _show_report(report: BuildReport, *, quiet: bool, verbose: bool) -> None:
    _warn(report.warnings)
    _repairs(report.repairs)
    if not quiet:
        head, *rest = format_report(report, verbose=verbose).split("\n")
        _echo(head, bold=True)
        for line in rest:
            _echo(line)


def _watch(cards_dir: Path, out_dir: Path, *, strict: bool, quiet: bool, verbose: bool) -> None:
    def show(outcome: BuildOutcome) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        if isinstance(outcome, BuildReport):
            if not quiet:
                _echo(f"[{stamp}] rebuilt", fg="green")
            _show_report(outcome, quiet=quiet, verbose=verbose)
        else:
            _echo(f"[{stamp}] not rebuilt; the last good .apkg is unchanged", err=True, fg="red")
            outcome.show()
        if not quiet:
            _echo(f"Watching {display_path(cards_dir)} for changes (Ctrl-C to stop)...")

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
@QUIET_OPTION
def check_command(cards_dir: Path, strict: bool, quiet: bool) -> None:
    """Validate the cards without writing anything.

    Reports every problem at once as PATH:LINE:COLUMN: MESSAGE; exits with status 1 on
    errors (or, with --strict, on warnings).

    \b
    Examples:
      deckgen check
      deckgen check --cards my-cards --strict
    """
    loaded = load_folder(cards_dir, strict=strict)
    cards = loaded.cards
    _warn(cards.warnings)
    _repairs(loaded.lock.repairs)
    if quiet:
        return
    counts = ", ".join(
        plural(len(cards.of_kind(kind.name)), kind.name) for kind in registry.kinds()
    )
    summary = f"OK: {display_path(cards_dir)} has {plural(len(cards.records), 'note')} ({counts})"
    if cards.warnings:
        summary += f" and {plural(len(cards.warnings), 'warning')}"
    _echo(summary + ".")


@cli.command("preview")
@CARDS_OPTION
@_out_option("build", "The site is written to OUT/preview/.")
@STRICT_OPTION
def preview_command(cards_dir: Path, out_dir: Path, strict: bool) -> None:
    """Write a static site showing every card, front and back, as Anki renders it.

    Cards are grouped by deck and kind, with a filter by tag and text; open the printed
    index.html in a browser. Writes no .apkg and no lock.

    \b
    Examples:
      deckgen preview
      deckgen preview --cards my-cards --out /tmp
    """
    loaded = load_folder(cards_dir, strict=strict)  # validated once, used for the page too
    _warn(loaded.cards.warnings)
    from deckgen.authoring.preview import write_preview  # here: the renderer is only needed here

    index = write_preview(cards_dir=cards_dir, out_dir=out_dir / "preview", loaded=loaded)
    _echo(f"Preview written to {display_path(index)}")


@cli.command("init")
@click.argument(
    "folder", type=click.Path(file_okay=False, path_type=Path), default=".", required=False
)
@click.option("--name", help="The deck's name  [default: from the folder's name]")
def init_command(folder: Path, name: str | None) -> None:
    """Start a deck in FOLDER (default: the current folder) that builds at once.

    Writes cards/ (deck.yaml with the deck's own id, sources.yaml, one example note per
    kind), schemas/, editor settings mapping each folder to its schema, a .gitignore for
    build/ and a .gitattributes for the lock. Never overwrites a file.

    \b
    Examples:
      deckgen init my-deck --name "Facial palsy"
      cd my-deck && deckgen build
    """
    started = start_project(folder, name=name)
    for path in started.written:
        _echo(f"Wrote {display_path(path)}")
    for path in started.kept:
        _echo(f"Kept {display_path(path)}: it exists already")
    go = "" if folder.resolve() == Path.cwd().resolve() else f"cd {display_path(folder)} && "
    _echo(f"Next: {go}deckgen check && deckgen build")


@cli.command("new", cls=KindsCommand)
@click.argument("kind", type=KindChoice())
@click.argument("note_id", metavar="ID")
@CARDS_OPTION
def new_command(kind: str, note_id: str, cards_dir: Path) -> None:
    """Write a YAML skeleton for a new note, with every field and short comments.

    KIND is {kinds}; ID is a point's code (e.g. ST7) or a
    lower-case id (e.g. liver-wind). Never overwrites an existing file; `deckgen check`
    then points at each blank still to fill in.

    \b
    Examples:
      deckgen new point ST7
      deckgen new concept liver-wind
    """
    for path in new_note(cards_dir=cards_dir, kind=kind, note_id=note_id):
        _echo(f"Wrote {display_path(path)}")


@cli.command("stats")
@CARDS_OPTION
def stats_command(cards_dir: Path) -> None:
    """Count notes and cards per deck, kind and tag, and what each kind tells of its notes.

    For points: the notes per channel, and the points without a diagram.

    \b
    Example:
      deckgen stats
    """
    from deckgen.authoring.stats import (  # here: it renders templates, which only it needs
        format_stats,
        stats_of,
    )

    _echo(format_stats(stats_of(cards_dir)))


@cli.command("schema", cls=KindsCommand)
@_out_option("schemas", "Folder the JSON Schema files are written to.")
def schema_command(out_dir: Path) -> None:
    """Write JSON Schemas of the YAML files, for completion and checking in your editor.

    Writes {schemas} .schema.json files.

    \b
    Example:
      deckgen schema --out schemas
    """
    for path in write_schemas(out_dir):
        _echo(f"Wrote {display_path(path)}")


@cli.command("docs")
@CARDS_OPTION
@_out_option("docs", "Folder for points.md and cli.md.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the files are stale.")
def docs_command(cards_dir: Path, out_dir: Path, check: bool) -> None:
    """Generate docs/points.md (every point and its location) and docs/cli.md (this help).

    \b
    Examples:
      deckgen docs
      deckgen docs --check
    """
    pages = {
        out_dir / "points.md": points_markdown(load_folder(cards_dir).cards),
        out_dir / "cli.md": cli_reference(cli),
    }
    stale = stale_pages(pages)
    if check and stale:
        names = ", ".join(display_path(path) for path in stale)
        raise DeckgenError(f"{names} out of date: run 'deckgen docs'")
    if not check:
        for path in write_pages(pages, stale):
            _echo(f"Wrote {display_path(path)}")
    if not stale:
        _echo("Docs are current.")


def main() -> None:
    try:
        cli(prog_name="deckgen")
    except OSError as error:  # e.g. an output folder that cannot be written: no traceback
        where = f"{error.filename}: " if error.filename else ""
        _echo(f"Error: {where}{error.strerror or error}", err=True, fg="red")
        sys.exit(1)
