"""Human-readable build reports."""

from __future__ import annotations

from deckgen.build import BuildReport
from deckgen.source.errors import display_path, plural
from deckgen.state.changeset import REMOVED_TAG

#: How many note keys a report line lists before it says "and N more".
LISTED = 8


def _listed(keys: list[str]) -> str:
    if len(keys) <= LISTED:
        return ", ".join(keys)
    return ", ".join(keys[:LISTED]) + f" and {len(keys) - LISTED} more"


def format_report(report: BuildReport, *, verbose: bool = False) -> str:
    """The build summary as printed by `deckgen build`; `verbose` lists every note, one per
    line, the unchanged too."""
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
    changed = [f"{key} ({', '.join(fields)})" for key, fields in changes.changed]
    listed = [("added", list(changes.added)), ("changed", changed)]
    if verbose:
        listed.append(("unchanged", list(changes.unchanged)))
    listed.append(("removed", list(changes.removed)))
    for what, keys in listed:
        if verbose:  # one note per line
            lines += [f"    {what} {key}" for key in keys]
        elif keys:
            lines.append(f"    {what}: {_listed(keys)}")
    if changes.removed:
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
