"""The names every cards folder uses, kept apart from the code that reads them so that the
command line can find a cards folder without loading the kinds."""

#: The deck's settings: its name, id, subdecks and diagrams.
DECK_FILE = "deck.yaml"
#: The sources every note cites.
SOURCES_FILE = "sources.yaml"
#: The lock: each note's id and modification time, committed with the cards.
LOCK_FILE = "deckgen.lock"
#: The cards folder's name in a project (`deckgen init` makes it).
CARDS = "cards"
#: How to start a deck, said wherever one is missing.
START_HINT = " (run 'deckgen init' to start a deck)"
