"""A kind of note that deckgen does not ship, for tests that add one (see `herb`)."""
