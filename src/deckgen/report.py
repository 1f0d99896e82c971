"""Human-readable build reports."""

from __future__ import annotations

from deckgen.build import BuildReport
from deckgen.errors import display_path


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def format_report(report: BuildReport) -> str:
    """The build summary as printed by `deckgen build`."""
    path = display_path(report.output)
    if report.size is None:
        lines = [f"Dry run: would write {path}"]
    else:
        lines = [f"Built {path} ({report.size / 1000:.1f} kB)"]
    width = max((len(deck.name) for deck in report.decks), default=0)
    for deck in report.decks:
        notes, cards = plural(deck.notes, "note"), plural(deck.cards, "card")
        lines.append(f"  {deck.name:<{width}}  {notes:>9}  {cards:>9}")
    lines.append(f"  Media: {plural(report.media, 'file')}")
    lines.append(
        f"  Notes: {len(report.added)} added, {len(report.changed)} changed, "
        f"{len(report.removed)} removed, {len(report.unchanged)} unchanged"
    )
    for change in report.notetype_changes:
        if change.fields_changed:
            lines.append(
                f"  Note type '{change.name}' changed its fields or card types: when importing, "
                "tick 'Merge note types' and set 'Update notes' to 'Always'."
            )
        else:
            lines.append(
                f"  Note type '{change.name}' changed its templates or style: "
                "Anki updates it in place with the default import options."
            )
    if report.removed:
        lines.append(
            f"  Removed since the last build: {', '.join(report.removed)} "
            "(Anki never deletes notes on import; delete them there by hand)."
        )
    return "\n".join(lines)
