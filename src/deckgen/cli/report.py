"""Human-readable build reports."""

from __future__ import annotations

from deckgen.build import BuildReport
from deckgen.source.errors import display_path, plural
from deckgen.state.changes import REMOVED_TAG

#: How many note keys a report line lists before it says "and N more".
LISTED = 8


def _listed(keys: list[str], verbose: bool) -> str:
    if verbose or len(keys) <= LISTED:
        return ", ".join(keys)
    return ", ".join(keys[:LISTED]) + f" and {len(keys) - LISTED} more"


def format_report(report: BuildReport, *, verbose: bool = False) -> str:
    """The build summary as printed by `deckgen build`; `verbose` lists every note key."""
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
    changes = report.changes
    lines.append(
        f"  Notes: {len(changes.added)} added, {len(changes.changed)} changed, "
        f"{len(changes.removed)} removed, {len(changes.unchanged)} unchanged"
    )
    if changes.added:
        lines.append(f"    added: {_listed(list(changes.added), verbose)}")
    if changes.changed:
        described = [f"{key} ({', '.join(fields)})" for key, fields in changes.changed]
        lines.append(f"    changed: {_listed(described, verbose)}")
    if verbose and changes.unchanged:
        lines.append(f"    unchanged: {_listed(list(changes.unchanged), verbose)}")
    if changes.removed:
        lines.append(f"    removed: {_listed(list(changes.removed), verbose)}")
        lines.append(
            "  Anki never deletes notes on import: removed notes are shipped tagged "
            f"{REMOVED_TAG}; find them in the browser with 'tag:{REMOVED_TAG}' and delete them."
        )
    for key, number, why in changes.emptied:
        lines.append(
            f"  Card {number} of {key} {why}: "
            "Anki shows the card as empty; delete it with Tools → Empty Cards."
        )
    for change in changes.notetypes:
        if change.fields_changed:
            lines.append(
                f"  Note type '{change.name}' changed its fields or card types: when importing, "
                "tick 'Merge note types' and set 'Update notes' to 'Always', or Anki makes "
                f"a copy named '{change.name}+' and leaves your notes as they were."
            )
        else:
            lines.append(
                f"  Note type '{change.name}' changed its templates or style: "
                "Anki updates it in place with the default import options."
            )
    return "\n".join(lines)
