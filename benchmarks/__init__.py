"""deckgen's benchmark harness: synthetic decks, timed runs, and the targets of issue 8.

Run it with `python benchmarks/run.py` (see `docs/performance.md`).
"""
