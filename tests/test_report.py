"""`format_report`: the summary `deckgen build` prints, from a `BuildReport` made here (no
build runs): counts and their plurals, what changed, and the advice each change needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckgen.build import BuildReport, DeckCount
from deckgen.cli.report import LISTED, format_report
from deckgen.source.errors import problem_at
from deckgen.state.changeset import Changes, NotetypeChange

NO_CHANGES = Changes(added=(), changed=(), removed=(), unchanged=(), notetypes=())
DECKS = (DeckCount("Test Deck::Points", 3, 10), DeckCount("Test Deck::Facts", 1, 1))


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from `tmp_path`: the output is shown relative to the working directory."""
    monkeypatch.chdir(tmp_path)


def _report(
    changes: Changes = NO_CHANGES,
    *,
    size: int | None = 12_345,
    decks: tuple[DeckCount, ...] = DECKS,
    media: int = 2,
) -> BuildReport:
    return BuildReport(
        output=Path.cwd() / "build" / "test-deck.apkg",
        size=size,
        decks=decks,
        media=media,
        changes=changes,
    )


def test_the_summary_gives_each_deck_s_notes_and_cards_the_media_and_the_changes() -> None:
    changes = Changes(
        added=("fact:new",), changed=(), removed=(), unchanged=("point:ST2",) * 3, notetypes=()
    )
    assert format_report(_report(changes)) == (
        "Built build/test-deck.apkg (12.3 kB)\n"
        "  Test Deck::Points    3 notes   10 cards\n"
        "  Test Deck::Facts      1 note     1 card\n"
        "  Media: 2 files\n"
        "  Notes: 1 added, 0 changed, 0 removed, 3 unchanged\n"
        "    added: fact:new"
    )


def test_counts_of_one_are_singular_and_of_zero_plural() -> None:
    decks = (DeckCount("Deck", 1, 1), DeckCount("Empty", 0, 0), DeckCount("Big", 2, 1000))
    lines = format_report(_report(decks=decks, media=1)).splitlines()
    assert lines[1:5] == [
        "  Deck      1 note     1 card",
        "  Empty    0 notes    0 cards",
        "  Big      2 notes  1000 cards",
        "  Media: 1 file",
    ]
    assert format_report(_report(media=0)).splitlines()[3] == "  Media: 0 files"


def test_the_size_is_in_kilobytes_with_one_decimal() -> None:
    assert format_report(_report(size=999)).startswith("Built build/test-deck.apkg (1.0 kB)\n")
    assert format_report(_report(size=2_049_951)).startswith(
        "Built build/test-deck.apkg (2050.0 kB)\n"
    )


def test_a_dry_run_says_what_it_would_write_and_no_size() -> None:
    first, *rest = format_report(_report(size=None)).splitlines()
    assert first == "Dry run: would write build/test-deck.apkg"
    assert rest == format_report(_report()).splitlines()[1:]


def test_changed_notes_name_their_fields_and_removed_notes_say_how_to_find_them() -> None:
    changes = Changes(
        added=(),
        changed=(("point:ST2", ("Location", "tags")), ("fact:b-cun", ("deck",))),
        removed=("point:LI4",),
        unchanged=("point:GB14",),
        notetypes=(),
    )
    assert format_report(_report(changes)).splitlines()[4:] == [
        "  Notes: 0 added, 2 changed, 1 removed, 1 unchanged",
        "    changed: point:ST2 (Location, tags), fact:b-cun (deck)",
        "    removed: point:LI4",
        "  Anki never deletes notes on import: removed notes are shipped tagged "
        "deckgen::removed; find them in the browser with 'tag:deckgen::removed' and delete them.",
    ]


def test_unchanged_notes_are_listed_only_when_verbose() -> None:
    changes = Changes(
        added=(), changed=(), removed=(), unchanged=("point:GB14", "point:ST2"), notetypes=()
    )
    assert "unchanged:" not in format_report(_report(changes))
    verbose = format_report(_report(changes), verbose=True).splitlines()
    assert verbose[-2:] == ["    unchanged point:GB14", "    unchanged point:ST2"]


def test_long_lists_are_cut_short_unless_verbose() -> None:
    keys = tuple(f"fact:f{i}" for i in range(LISTED + 3))
    changes = Changes(added=keys, changed=(), removed=keys, unchanged=(), notetypes=())
    lines = format_report(_report(changes)).splitlines()
    shown = ", ".join(keys[:LISTED]) + " and 3 more"
    assert f"    added: {shown}" in lines
    assert f"    removed: {shown}" in lines
    verbose = format_report(_report(changes), verbose=True).splitlines()
    assert [line for line in verbose if line.startswith("    added")] == [
        f"    added {key}" for key in keys
    ]  # every one, one per line
    assert [line for line in verbose if line.startswith("    removed")] == [
        f"    removed {key}" for key in keys
    ]
    exactly = Changes(added=keys[:LISTED], changed=(), removed=(), unchanged=(), notetypes=())
    assert f"    added: {', '.join(keys[:LISTED])}" in format_report(_report(exactly)).splitlines()


def test_an_emptied_occlusion_card_says_which_point_it_asked_about() -> None:
    changes = Changes(
        added=(),
        changed=(("occlusion:test-deck/face", ("Occlusion",)),),
        removed=(),
        unchanged=(),
        notetypes=(),
        emptied=(("occlusion:test-deck/face", 2, "asked about point ST2, which left the diagram"),),
    )
    assert format_report(_report(changes)).splitlines()[-1] == (
        "  Card 2 of occlusion:test-deck/face asked about point ST2, which left the diagram: "
        "Anki shows the card as empty; delete it with Tools → Empty Cards."
    )


def test_a_changed_note_type_says_whether_anki_must_merge_it() -> None:
    changes = Changes(
        added=(),
        changed=(),
        removed=(),
        unchanged=(),
        notetypes=(NotetypeChange("deckgen Point", True), NotetypeChange("deckgen Q&A", False)),
    )
    assert format_report(_report(changes)).splitlines()[-2:] == [
        "  Note type 'deckgen Point' changed its fields or card types: when importing, tick "
        "'Merge note types' and set 'Update notes' to 'Always', or Anki makes a copy named "
        "'deckgen Point+' and leaves your notes as they were.",
        "  Note type 'deckgen Q&A' changed its templates or style: "
        "Anki updates it in place with the default import options.",
    ]


def test_an_output_outside_the_working_directory_is_shown_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    elsewhere = tmp_path / "elsewhere" / "deck.apkg"
    report = BuildReport(output=elsewhere, size=None, decks=(), media=0, changes=NO_CHANGES)
    assert format_report(report).splitlines() == [
        f"Dry run: would write {elsewhere}",
        "  Media: 0 files",
        "  Notes: 0 added, 0 changed, 0 removed, 0 unchanged",
    ]


def test_warnings_and_repairs_are_left_to_the_command_which_prints_them_once() -> None:
    """`deckgen build` prints a report's warnings and lock repairs itself, before this
    summary: the summary repeating them would show each twice."""
    warning = problem_at(Path("cards/points/ST2.yaml"), 3, 1, "unknown key 'englsh'")
    repair = problem_at(Path("cards/deckgen.lock"), 7, 1, "two notes shared an id")
    plain = _report()
    noted = BuildReport(
        output=plain.output,
        size=plain.size,
        decks=plain.decks,
        media=plain.media,
        changes=plain.changes,
        warnings=(warning,),
        repairs=(repair,),
    )
    assert format_report(noted) == format_report(plain)
    assert format_report(noted, verbose=True) == format_report(plain, verbose=True)
