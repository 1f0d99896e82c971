"""The command line: thin commands over the stages, and how their results are printed.

`main` is the `deckgen` command; it loads a command's module only when that command runs
(see `deckgen.cli.root`)."""

from deckgen.cli.root import cli, main

__all__ = ["cli", "main"]
