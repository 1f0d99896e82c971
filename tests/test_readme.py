"""The README's two commands are the ones CI runs and users type."""

from __future__ import annotations

from conftest import REPO

INSTALL_AND_BUILD = (
    "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/deckgen build"
)
INSTALL_AND_TEST = (
    'python3 -m venv .venv && .venv/bin/pip install -q -e ".[test]" && .venv/bin/pytest'
)


def test_readme_starts_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    head = readme[: readme.index("## ")]
    assert INSTALL_AND_BUILD in head
    assert INSTALL_AND_TEST in head


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "rm -rf .venv\n" + INSTALL_AND_TEST + "\n" in ci


def test_readme_counts_match_the_shipped_deck() -> None:
    import re

    from deckgen.authoring.stats import card_count
    from deckgen.build.load import load_folder
    from deckgen.kinds import registry

    loaded = load_folder(REPO / "cards")
    cards, specs = loaded.cards, loaded.notes()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(
        r"has (\d+) source notes \((\d+) points, (\d+) TCM concepts, (\d+) conditions, "
        r"(\d+) facts\)\nthat become (\d+) Anki notes and (\d+) cards",
        readme,
    )
    assert found is not None
    assert [int(n) for n in found.groups()] == [
        len(cards.records),
        *(len(cards.of_kind(kind.name)) for kind in registry.kinds()),
        len(specs),
        sum(card_count(spec) for spec in specs),
    ]
