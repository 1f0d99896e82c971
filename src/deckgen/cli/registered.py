"""What the commands say of the registered kinds, asked for when it is shown, so that a
kind registered after the commands were made (a plugin's, a test's) is named too."""

from __future__ import annotations

import click

from deckgen.authoring.scaffold import kind_names
from deckgen.kinds import registry


class KindChoice(click.Choice):  # type: ignore[type-arg]
    """The registered kinds' names, as they are when the command runs."""

    def __init__(self) -> None:
        super().__init__([])

    @property  # type: ignore[override]
    def choices(self) -> list[str]:
        return kind_names()

    @choices.setter
    def choices(self, value: object) -> None:
        pass


class KindsCommand(click.Command):
    """A command whose help names the registered kinds as they are when it is shown:
    '{kinds}' in it becomes 'point, concept, condition or fact', and '{schemas}' the
    schema files' names ('point, concept, condition, fact, deck and sources')."""

    _help_text: str | None = None

    @property
    def help(self) -> str | None:
        if self._help_text is None:
            return None
        names = [kind.name for kind in registry.kinds()]
        return self._help_text.replace("{kinds}", _listed(names, "or")).replace(
            "{schemas}", _listed([*names, "deck", "sources"], "and")
        )

    @help.setter
    def help(self, value: str | None) -> None:
        self._help_text = value


def _listed(names: list[str], conjunction: str) -> str:
    """'a, b, c' with the last joined by `conjunction`: 'a, b or c'."""
    head = ", ".join(names[:-1])
    return f"{head} {conjunction} {names[-1]}" if head else "".join(names)
