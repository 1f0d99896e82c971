"""deckgen: turn YAML study notes into Anki decks that update in place."""

#: The one place the version is written: pyproject.toml reads it from here.
__version__ = "0.1.0"
