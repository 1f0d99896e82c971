"""Write docs/cli.md, deckgen's own command-line reference, from the commands' --help.

Run from the repository root: `python scripts/cli_reference.py` (tests/test_cli.py checks
that the committed page is current). `deckgen docs` writes a deck's own pages instead.
"""

from __future__ import annotations

from pathlib import Path

from deckgen.cli import cli
from deckgen.cli.reference import cli_reference

PAGE = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

if __name__ == "__main__":
    PAGE.write_text(cli_reference(cli), encoding="utf-8")
    print(f"Wrote {PAGE}")
