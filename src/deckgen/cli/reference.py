"""docs/cli.md: the CLI reference, generated from the commands' own --help texts."""

from __future__ import annotations

import click


def cli_reference(group: click.Group) -> str:
    """Markdown with the --help text of the group and of each of its commands."""
    sections = [
        "# Command-line reference",
        "",
        "Generated from `--help` by `python scripts/cli_reference.py`.",
        "",
    ]
    with group.make_context("deckgen", [], resilient_parsing=True) as context:
        context.terminal_width = 88
        sections += ["## deckgen", "", "```", group.get_help(context), "```", ""]
        for name in group.list_commands(context):
            command = group.get_command(context, name)
            if command is None or command.hidden:
                continue
            with command.make_context(name, [], parent=context, resilient_parsing=True) as sub:
                sub.terminal_width = 88
                sections += [f"## deckgen {name}", "", "```", command.get_help(sub), "```", ""]
    return "\n".join(sections)
