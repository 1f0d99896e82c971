"""Stage 3: writing Anki's package (the collection, its cards, the zip)."""
