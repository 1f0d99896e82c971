"""The command line: thin commands over the stages, and how their results are printed."""

from deckgen.cli.commands import cli, main

__all__ = ["cli", "main"]
