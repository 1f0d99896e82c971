"""The commands for writing a deck: init, new, preview, stats, schema and docs."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from deckgen.authoring.pointdoc import points_markdown, stale_pages, write_pages
from deckgen.authoring.scaffold import new_note
from deckgen.authoring.schemas import write_schemas
from deckgen.authoring.start import start_project
from deckgen.build.load import load_folder
from deckgen.cli import output
from deckgen.cli.options import CARDS_OPTION, STRICT_OPTION, out_option
from deckgen.cli.output import output_options
from deckgen.cli.registered import KindChoice, KindsCommand
from deckgen.source.errors import DeckgenError, InvalidCards, display_path


@click.command("init")
@click.argument(
    "folder", type=click.Path(file_okay=False, path_type=Path), default=".", required=False
)
@click.option("--name", help="The deck's name  [default: from the folder's name]")
@output_options
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
        output.detail(f"Wrote {display_path(path)}")
    for path in started.kept:
        output.say(f"Kept {display_path(path)}: it exists already")
    cards = display_path(folder / "cards")
    output.say(f"Started a deck in {cards} ({len(started.written)} files written).")
    go = "" if folder.resolve() == Path.cwd().resolve() else f"cd {display_path(folder)} && "
    output.say(f"Next: {go}deckgen check && deckgen build")


@click.command("new", cls=KindsCommand)
@click.argument("kind", type=KindChoice())
@click.argument("note_id", metavar="ID")
@CARDS_OPTION
@output_options
def new_command(kind: str, note_id: str, cards_dir: Path) -> None:
    """Write a YAML skeleton for a new note, with every field and short comments.

    KIND is {kinds}; ID is a point's code (e.g. ST7) or a
    lower-case id (e.g. liver-wind). Never overwrites an existing file; writes the
    schemas beside the cards folder if they are missing. `deckgen check` then points at
    each blank still to fill in.

    \b
    Examples:
      deckgen new point ST7
      deckgen new concept liver-wind
    """
    path, *schemas = new_note(cards_dir=cards_dir, kind=kind, note_id=note_id)
    output.say(f"Wrote {display_path(path)}")
    for schema in schemas:
        output.detail(f"Wrote {display_path(schema)}")
    if schemas:
        output.say(f"Wrote the schemas its first line names to {display_path(schemas[0].parent)}")


@click.command("preview")
@CARDS_OPTION
@out_option("build", "The site is written to OUT/preview/.")
@STRICT_OPTION
@click.option(
    "--serve",
    is_flag=True,
    help="Serve the site on localhost, write it again on every save and reload open pages.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port for --serve (0: any free port).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address for --serve.")
@output_options
def preview_command(
    cards_dir: Path, out_dir: Path, strict: bool, serve: bool, port: int, host: str
) -> None:
    """Write a static site showing every card, front and back, as Anki renders it.

    Cards are grouped by deck and kind, with a filter by tag and text; open the printed
    index.html in a browser. Writes no .apkg and no lock. With --serve, the site is served
    on http://127.0.0.1:8000/ and written again on every save; open pages reload by
    themselves, and a save with errors keeps the last good page with the problems on top
    (Ctrl-C stops).

    \b
    Examples:
      deckgen preview
      deckgen preview --serve
      deckgen preview --cards my-cards --out /tmp
    """
    if serve:
        _serve(cards_dir, out_dir / "preview", strict=strict, host=host, port=port)
        return
    loaded = load_folder(cards_dir, strict=strict)  # validated once, used for the page too
    output.problems((), loaded.cards.warnings)
    from deckgen.authoring.preview import write_preview  # here: the renderer is only needed here

    index = write_preview(cards_dir=cards_dir, out_dir=out_dir / "preview", loaded=loaded)
    output.say(f"Preview written to {display_path(index)}")


def _serve(cards_dir: Path, site_dir: Path, *, strict: bool, host: str, port: int) -> None:
    from deckgen.authoring.serve import PreviewSite, serve

    def rewritten(outcome: Path | DeckgenError) -> None:
        if isinstance(outcome, InvalidCards):
            output.problems(outcome.problems, outcome.warnings)
            output.echo(f"{outcome} The page shows the last good preview.", err=True)
        elif isinstance(outcome, DeckgenError):
            output.echo(f"Error: {outcome}", err=True, fg="red")
        else:
            output.say(f"Preview written to {display_path(outcome)}")

    serve(
        PreviewSite(cards_dir, site_dir, strict=strict),
        host=host,
        port=port,
        on_ready=lambda url: output.say(f"Serving the preview on {url} (Ctrl-C stops)", bold=True),
        on_rewrite=rewritten,
    )


@click.command("stats")
@CARDS_OPTION
@click.option(
    "--format",
    "form",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text, or json: one object with every count.",
)
@output_options
def stats_command(cards_dir: Path, form: str) -> None:
    """Count notes and cards per deck, kind and tag, and what each kind tells of its notes.

    For points: the notes per channel, and the points without a diagram.

    \b
    Examples:
      deckgen stats
      deckgen stats --format json
    """
    from deckgen.authoring.stats import (  # here: it renders templates, which only it needs
        format_stats,
        stats_of,
    )

    loaded = load_folder(cards_dir)
    output.problems((), loaded.cards.warnings)
    found = stats_of(cards_dir, loaded=loaded)
    if form == "json":
        output.echo(json.dumps(asdict(found), indent=2, ensure_ascii=False))
    else:
        output.say(format_stats(found))


@click.command("schema", cls=KindsCommand)
@out_option("schemas", "Folder the JSON Schema files are written to.")
@output_options
def schema_command(out_dir: Path) -> None:
    """Write JSON Schemas of the YAML files, for completion and checking in your editor.

    Writes {schemas} .schema.json files.

    \b
    Example:
      deckgen schema --out schemas
    """
    for path in write_schemas(out_dir):
        output.say(f"Wrote {display_path(path)}")


@click.command("docs")
@CARDS_OPTION
@out_option("docs", "Folder for the deck's pages.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the pages are stale.")
@output_options
def docs_command(cards_dir: Path, out_dir: Path, check: bool) -> None:
    """Write the deck's pages: OUT/points.md lists every point, its location and diagram.

    \b
    Examples:
      deckgen docs
      deckgen docs --check      in CI or a pre-commit hook
    """
    cards = load_folder(cards_dir).cards
    output.problems((), cards.warnings)
    pages = {out_dir / "points.md": points_markdown(cards)}
    stale = stale_pages(pages)
    if check and stale:
        names = ", ".join(display_path(path) for path in stale)
        raise DeckgenError(f"{names} out of date: run 'deckgen docs'")
    if not check:
        for path in write_pages(pages, stale):
            output.say(f"Wrote {display_path(path)}")
    if not stale:
        output.say("Docs are current.")
