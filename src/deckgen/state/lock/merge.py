"""Reading a lock file that git left with conflict markers: each side read, and the two
merged, each resolution described."""

from __future__ import annotations

from pathlib import Path

from deckgen.source.errors import problem_at
from deckgen.state.lock.damage import _line_of_text, _occlusion_line
from deckgen.state.lock.entries import NoteEntries
from deckgen.state.lock.file import Lock
from deckgen.state.lock.layout import _encode
from deckgen.state.lock.parse import _parsed

#: The start of the line git writes where a merge left a conflict.
_CONFLICT = b"<<<<<<< "


def _merged(path: Path, raw: bytes) -> Lock:
    """The lock that git left with conflict markers, resolved: each side's entries kept;
    of a note both sides changed, the later entry, against which the build compares the
    note the merged cards give (the same: unchanged, and the other side's readers take
    it as newer; else changed, and newer than both); of a note type both changed, the
    later; each diagram's occlusion numbers, the union, a number two points claim kept
    by the point shipped first (the older note id). Each resolution is reported in
    `Lock.repairs`."""
    ours, theirs = (_parsed(path, _with_commas(side)) for side in _sides(raw))
    merged = Lock(
        notes=NoteEntries(source=path),
        repairs=[*ours.repairs, *theirs.repairs],
        deck_id=ours.deck_id or theirs.deck_id,
    )
    both: list[str] = []
    for key in sorted({*ours.notes, *theirs.notes}):
        if key not in theirs.notes or key not in ours.notes:
            merged.notes.keep(key, ours.notes if key in ours.notes else theirs.notes)
            continue
        mine, other = ours.notes[key], theirs.notes[key]
        # The later; of two as late, the one whose text sorts last: the same either way
        # round, whichever side merged which.
        latest = max(mine, other, key=lambda entry: (entry.mod, _encode(entry.to_json())))
        merged.notes[key] = latest
        if mine != other:
            both.append(key)
    for key in sorted({*ours.notetypes, *theirs.notetypes}):
        found = [lock.notetypes[key] for lock in (ours, theirs) if key in lock.notetypes]
        merged.notetypes[key] = max(found, key=lambda entry: (entry.mod, entry.hash))
    ids = {key: merged.notes[key].id for key in merged.notes if key.startswith("point:")}
    merged.occlusion = _merged_numbers(ours.occlusion, theirs.occlusion, ids, path, merged)
    summary = f"git left a conflict in the lock: both sides' notes are kept ({len(merged.notes)})"
    if both:
        shown = ", ".join(both[:8]) + (f" and {len(both) - 8} more" if len(both) > 8 else "")
        summary += f"; of the notes that differ, the later is compared with the cards: {shown}"
    merged.repairs.insert(0, problem_at(path, _line_of_text(path, "<<<<<<< "), 1, summary))
    return merged


def _sides(raw: bytes) -> tuple[bytes, bytes]:
    """The text of each side of a file with git's conflict markers (a common ancestor's
    part, in the diff3 style, left out)."""
    ours: list[bytes] = []
    theirs: list[bytes] = []
    into: tuple[list[bytes], ...] = (ours, theirs)
    for line in raw.splitlines(keepends=True):
        if line.startswith(b"<<<<<<< "):
            into = (ours,)
        elif line.startswith(b"||||||| "):
            into = ()
        elif line.rstrip(b"\r\n") == b"=======":
            into = (theirs,)
        elif line.startswith(b">>>>>>> "):
            into = (ours, theirs)
        else:
            for side in into:
                side.append(line)
    return b"".join(ours), b"".join(theirs)


def _with_commas(text: bytes) -> bytes:
    """One side of a conflict, with the commas between the lines of a section as JSON
    wants them: a merge can leave a section's last line with one, or a line without."""
    lines = text.split(b"\n")
    for index in range(len(lines) - 1):
        line, following = lines[index].rstrip(), lines[index + 1].lstrip()
        if line.endswith(b",") and following.startswith(b"}"):
            lines[index] = line[:-1]
        elif line.endswith((b"}", b"]")) and following.startswith(b'"'):
            lines[index] = line + b","
    return b"\n".join(lines)


def _merged_numbers(
    ours: dict[str, dict[str, int]],
    theirs: dict[str, dict[str, int]],
    ids: dict[str, int],
    path: Path,
    merged: Lock,
) -> dict[str, dict[str, int]]:
    """Each diagram's occlusion numbers from both sides (see `_merged`)."""
    numbers: dict[str, dict[str, int]] = {}
    for name in sorted({*ours, *theirs}):
        claims = sorted(  # (number, first shipped, code): the point shipped first wins
            (number, ids.get(f"point:{code}", 0), code)
            for side in (ours.get(name, {}), theirs.get(name, {}))
            for code, number in side.items()
        )
        kept: dict[str, int] = {}
        owners: dict[int, str] = {}
        for number, _, code in claims:
            if code in kept:
                continue  # the same point on both sides: its smaller number
            if number in owners:
                message = (
                    f"occlusion card {number} of diagram '{name}' keeps asking about point "
                    f"{owners[number]}; point {code}, given it on another branch, gets a new "
                    "card number"
                )
                merged.repairs.append(problem_at(path, _occlusion_line(path, name), 1, message))
                continue
            kept[code], owners[number] = number, code
        numbers[name] = kept
    return numbers
