"""How every command prints: `-q`, `-v` and `--color/--no-color` (with NO_COLOR and
FORCE_COLOR), errors in red and warnings in yellow wherever they come from, and problems as
text, GitHub workflow annotations or JSON."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from deckgen.source.errors import InvalidCards, Problem, labelled

F = TypeVar("F", bound=Callable[..., Any])
_KEY = "deckgen.output"
#: `--format` of the commands that report problems.
FORMATS = ("text", "github", "json")


@dataclass
class Output:
    quiet: bool = False
    verbose: bool = False


def _output() -> Output:
    context = click.get_current_context(silent=True)
    if context is None:
        return Output()
    found = context.meta.setdefault(_KEY, Output())
    assert isinstance(found, Output)
    return found


def _set(name: str) -> Callable[[click.Context, click.Parameter, bool], None]:
    def store(context: click.Context, _: click.Parameter, value: bool) -> None:
        if value:
            setattr(context.meta.setdefault(_KEY, Output()), name, True)

    return store


def colour_wanted(flag: bool | None) -> bool | None:
    """--color/--no-color; else no colour with NO_COLOR (https://no-color.org), colour with
    FORCE_COLOR (https://force-color.org); else None: colour on a terminal only."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    return None


def colour_of_args(args: Iterable[str]) -> bool | None:
    """`colour_wanted` from a command line that could not be parsed: its last
    --color or --no-color, else the environment."""
    flags = [arg == "--color" for arg in args if arg in ("--color", "--no-color")]
    return colour_wanted(flags[-1] if flags else None)


def _colour(context: click.Context, _: click.Parameter, flag: bool | None) -> None:
    wanted = colour_wanted(flag)
    for each in (context, context.find_root()):
        each.color = wanted


def output_options(function: F) -> F:
    """-q, -v and --color/--no-color: every command has them."""
    options = [
        click.option(
            "--color/--no-color",
            default=None,
            is_eager=True,
            expose_value=False,
            callback=_colour,
            help="Colour the output  [default: on a terminal, unless NO_COLOR is set]",
        ),
        click.option(
            "-v",
            "--verbose",
            is_flag=True,
            expose_value=False,
            callback=_set("verbose"),
            help="Say more: every note, one per line.",
        ),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            expose_value=False,
            callback=_set("quiet"),
            help="Print only errors and warnings.",
        ),
    ]
    for option in options:
        function = option(function)
    return function


def quiet() -> bool:
    return _output().quiet


def verbose() -> bool:
    return _output().verbose and not _output().quiet


def echo(text: str, *, err: bool = False, **style: Any) -> None:
    """Print always (colour as the command was told)."""
    click.echo(click.style(text, **style) if style else text, err=err)


def say(text: str, **style: Any) -> None:
    """Print unless -q."""
    if not quiet():
        echo(text, **style)


def detail(text: str) -> None:
    """Print only with -v."""
    if verbose():
        echo(text)


def problems(errors: Iterable[Problem], warnings: Iterable[Problem]) -> None:
    """`Error: ...` lines in red and `Warning: ...` lines in yellow, in file order, on stderr."""
    for line in labelled(errors, warnings):
        echo(line, err=True, fg="red" if line.startswith("Error") else "yellow")


def repairs(found: Iterable[Problem]) -> None:
    """What a build repairs (or, for `check`, will repair) in a lock."""
    for problem in sorted(found):
        echo(f"Repair: {problem}", err=True, fg="yellow")


def error(failure: click.ClickException) -> None:
    """A failed command's error, as every command shows it (usage first for a usage error)."""
    if isinstance(failure, InvalidCards):
        problems(failure.problems, failure.warnings)
        echo(failure.format_message(), err=True)
        return
    context = failure.ctx if isinstance(failure, click.UsageError) else None
    if context is not None:
        hint = ""
        if context.command.get_help_option(context) is not None:
            hint = f"Try '{context.command_path} {context.help_option_names[0]}' for help.\n"
        echo(f"{context.get_usage()}\n{hint}", err=True)
    echo(f"Error: {failure.format_message()}", err=True, fg="red")


def formatted(errors: Iterable[Problem], warnings: Iterable[Problem], form: str) -> str:
    """Problems as GitHub workflow commands (`::error file=...,line=...,col=...::...`) or
    as a JSON list of {severity, file, line, column, message}."""
    tagged = sorted([(p, "error") for p in set(errors)] + [(p, "warning") for p in set(warnings)])
    if form == "json":
        found = [
            {"severity": severity, "file": p.path, "line": p.line, "column": p.column}
            | {"message": p.message}
            for p, severity in tagged
        ]
        return json.dumps(found, indent=2, ensure_ascii=False)
    return "\n".join(
        f"::{severity} file={_property(p.path)},line={p.line},col={p.column}::{_data(p.message)}"
        for p, severity in tagged
    )


def _data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's runner reads it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
