"""User-facing errors: every problem names its file, line and column."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import click


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it
    (as written, else once links are followed)."""
    cwd = Path.cwd()
    absolute = Path(os.path.normpath(cwd / path))  # not resolved: a link keeps its own name
    if absolute.is_relative_to(cwd):
        return str(absolute.relative_to(cwd))
    with contextlib.suppress(OSError, RuntimeError):  # only now: following links costs
        real_cwd = cwd.resolve()
        for inside in (absolute, path.resolve()):
            if inside.is_relative_to(real_cwd):
                return str(inside.relative_to(real_cwd))
    return str(path)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the cards, at a 1-based line and column of a file."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


def one_line(text: str) -> str:
    """`text` with line breaks and other unprintable characters escaped, so that every
    problem stays on one line whatever the author typed."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escaped(c) for c in text)


def _escaped(character: str) -> str:
    """An unprintable character as Python writes it; a byte of a file name that is not
    UTF-8 (which the system gives as a surrogate, U+DC80 to U+DCFF) as that byte."""
    if 0xDC80 <= ord(character) <= 0xDCFF:
        return f"\\x{ord(character) - 0xDC00:02x}"
    return repr(character)[1:-1]


def problem_at(path: Path, line: int, column: int, message: str) -> Problem:
    return Problem(one_line(display_path(path)), line, column, one_line(message))


def problems_at(path: Path, found: Iterable[tuple[int, int, str]]) -> tuple[Problem, ...]:
    """A problem at each (line, column, message) of one file: its path worked out once."""
    shown = one_line(display_path(path))
    return tuple(Problem(shown, line, column, one_line(message)) for line, column, message in found)


@dataclass
class Findings:
    """Problems collected while checking: errors stop a build, warnings do not."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, problem: Problem) -> None:
        self.errors.append(problem)

    def warn(self, problem: Problem) -> None:
        self.warnings.append(problem)

    def extend(self, other: Findings) -> None:
        self.errors += other.errors
        self.warnings += other.warnings


def labelled(errors: Iterable[Problem], warnings: Iterable[Problem]) -> list[str]:
    """`Error: ...` and `Warning: ...` lines, in file order."""
    tagged = [(p, "Error") for p in set(errors)] + [(p, "Warning") for p in set(warnings)]
    return [f"{label}: {problem}" for problem, label in sorted(tagged)]


class DeckgenError(click.ClickException):
    """An error the user can fix; Click shows it as `Error: ...` with exit status 1."""


class InvalidCards(DeckgenError):
    """The cards folder has problems; nothing was written.

    `problems` are the errors; `warnings` are shown beside them but did not cause the failure
    (with `--strict` they are passed as problems instead).
    """

    def __init__(self, problems: Iterable[Problem], warnings: Iterable[Problem] = ()) -> None:
        self.problems = sorted(set(problems))
        self.warnings = sorted(set(warnings) - set(self.problems))
        super().__init__(self._summary())

    def _summary(self) -> str:
        found = plural(len(self.problems), "problem")
        if self.warnings:
            found += f" and {plural(len(self.warnings), 'warning')}"
        return f"{found} found; nothing was written."

    def show(self, file: IO[Any] | None = None) -> None:
        for line in labelled(self.problems, self.warnings):
            click.echo(line, file=file, err=True)
        click.echo(self._summary(), file=file, err=True)
