"""The options the commands share: the cards folder (found as git finds its repository),
the output folder beside it, and --strict."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from deckgen.build.locate import CARDS, find_cards
from deckgen.source.cardsfolder import START_HINT
from deckgen.source.errors import display_path

F = TypeVar("F", bound=Callable[..., Any])
_PROJECT = "deckgen.project"


class CardsFolder(click.ParamType):  # type: ignore[type-arg]
    """A cards folder that exists: anything else is a usage error (exit status 2)."""

    name = "directory"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        path = value if isinstance(value, Path) else Path(os.fsdecode(value))
        if not path.is_dir():
            what = "is not a folder" if os.path.lexists(path) else "does not exist"
            self.fail(f"cards folder '{display_path(path)}' {what}{START_HINT}", param, ctx)
        return path


def _found(context: click.Context) -> Path:
    """The cards folder of the project the working directory is in (see `find_cards`); its
    parent is the project, where the output goes by default."""
    found = find_cards(Path.cwd())
    if found is None and Path(CARDS).is_dir():
        found = Path(CARDS)  # a cards folder still without deck.yaml: check says so
    if found is None:
        raise click.UsageError(
            f"no cards folder here or above (no deck.yaml, no {CARDS}/deck.yaml){START_HINT}",
            context,
        )
    context.meta[_PROJECT] = found.parent
    return Path(display_path(found))


def _one(context: click.Context, _: click.Parameter, value: Path | None) -> Path:
    return value if value is not None else _found(context)


def _many(context: click.Context, _: click.Parameter, value: tuple[Path, ...]) -> tuple[Path, ...]:
    return value or (_found(context),)


_CARDS_HELP = (
    "Folder with deck.yaml, sources.yaml and the note folders  [default: the one this "
    "folder is in or holds, as git finds its repository]"
)
CARDS_OPTION = click.option(
    "--cards", "cards_dir", type=CardsFolder(), callback=_one, help=_CARDS_HELP
)
CARDS_OPTIONS = click.option(
    "--cards",
    "cards_dirs",
    type=CardsFolder(),
    multiple=True,
    callback=_many,
    help=_CARDS_HELP + "; repeat it to build several decks (one .apkg each, or one with "
    "--combined).",
)
STRICT_OPTION = click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings (unused media, raw HTML, giveaways, ...) as errors.",
)


def out_option(default: str, help_text: str) -> Callable[[F], F]:
    """`--out DIR`: where a command writes; by default `default` in the project folder (the
    cards folder's parent) when the cards folder was found, else in the working directory."""

    def resolve(context: click.Context, _: click.Parameter, value: Path | None) -> Path:
        if value is not None:
            return value
        project = context.meta.get(_PROJECT)
        return Path(display_path(project / default)) if project is not None else Path(default)

    return click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path),  # a file in the way is reported by the command
        metavar="DIRECTORY",
        callback=resolve,
        help=f"{help_text}  [default: {default}, beside the cards folder]",
    )
