"""User-facing errors: every problem names its file, line and column."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import click


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the cards, at a 1-based line and column of a file."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


def problem_at(path: Path, line: int, column: int, message: str) -> Problem:
    return Problem(display_path(path), line, column, message)


class DeckgenError(click.ClickException):
    """An error the user can fix; Click shows it as `Error: ...` with exit status 1."""


class InvalidCards(DeckgenError):
    """The cards folder has problems; nothing was written."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__(self._summary())

    def _summary(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        return f"{count} {noun} found; nothing was written."

    def show(self, file: IO[Any] | None = None) -> None:
        for problem in self.problems:
            click.echo(f"Error: {problem}", file=file, err=True)
        click.echo(self._summary(), file=file, err=True)
