"""The `deckgen` command group, light to start: each command's module is imported only
when that command runs (or help lists them all), so `deckgen --version` loads no more
than Click."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from deckgen import __version__

#: Each command, and where it is defined: imported when it is asked for.
COMMANDS = {
    "init": "deckgen.cli.authoring:init_command",
    "new": "deckgen.cli.authoring:new_command",
    "build": "deckgen.cli.build:build_command",
    "check": "deckgen.cli.check:check_command",
    "preview": "deckgen.cli.authoring:preview_command",
    "stats": "deckgen.cli.authoring:stats_command",
    "schema": "deckgen.cli.authoring:schema_command",
    "docs": "deckgen.cli.authoring:docs_command",
}
_ARGS = "deckgen.args"


class Commands(click.Group):
    """The commands, loaded when asked for, each showing its errors as every command does
    (`output.error`): in colour as it was told, card problems with exit status 1, usage
    errors with 2."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in COMMANDS:
            module, _, name = COMMANDS[cmd_name].partition(":")
            found = getattr(importlib.import_module(module), name)
            assert isinstance(found, click.Command)
            self.add_command(found, cmd_name)
        return found

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_ARGS] = tuple(args)  # for the colour of an error before they are parsed
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as failure:
            from deckgen.cli import output  # only now: --version need not load it

            if ctx.color is None:  # failed before --color/--no-color was read: read it here
                ctx.color = output.colour_of_args(ctx.meta.get(_ARGS, ()))
            output.error(failure)
            raise click.exceptions.Exit(failure.exit_code) from None


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


def main() -> None:
    try:
        cli(prog_name="deckgen")
    except OSError as error:  # e.g. an output folder that cannot be written: no traceback
        from deckgen.cli import output

        where = f"{error.filename}: " if error.filename else ""
        output.echo(f"Error: {where}{error.strerror or error}", err=True, fg="red")
        sys.exit(1)
