"""Compare this build with the lock: assign note ids and modification times, and say
what was added, changed, removed or left alone."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence

from deckgen.anki.cards import card_ordinals
from deckgen.anki.package import PackagedNote
from deckgen.kinds import registry
from deckgen.kinds.html import inert, inert_cloze, sanitise
from deckgen.kinds.ids import note_guid
from deckgen.kinds.notetypes import NoteType
from deckgen.kinds.spec import Kept, KeptNote, NoteSpec
from deckgen.state.changeset import REMOVED_TAG, Changes, NotetypeChange
from deckgen.state.lock import IdAllocator, Lock, NoteEntry, NotetypeEntry, next_mod


def stamp(
    specs: Sequence[NoteSpec | Kept], old: Lock, now: int
) -> tuple[Lock, list[PackagedNote], Changes]:
    """The new lock, the notes to package (removed ones included, tagged) and the changes.

    The notes of a `Kept` record are taken as the lock has them, without comparing."""
    new = Lock()
    notetypes = registry.note_types()
    fresh = sum(1 for spec in specs if isinstance(spec, NoteSpec) and spec.key not in old.notes)
    ids = IdAllocator(old, now, new=fresh)
    packaged: list[PackagedNote] = []
    added: list[str] = []
    changed: list[tuple[str, tuple[str, ...]]] = []
    emptied: list[tuple[str, int, str]] = []
    unchanged: list[str] = []
    position = 0
    for spec in specs:
        if isinstance(spec, Kept):
            for note in spec.notes:
                position += 1
                new.notes.keep(note.key, old.notes)
                unchanged.append(note.key)
                packaged.append(_kept(note, position, spec.origin, notetypes))
            continue
        position += 1
        key = spec.key  # made once: kept in the lock, the changes and the note
        previous = old.notes.get(key)
        current = NoteEntry(
            id=previous.id if previous else ids.take(key),
            mod=now,
            notetype=spec.notetype.key,
            deck=spec.deck,
            tags=spec.tags,
            names=spec.notetype.fields,
            values=spec.fields,
        )
        if previous is None or previous.removed:
            added.append(key)
            entry = current if previous is None else _moved_on(current, previous, now)
        elif previous.same_content(current):
            unchanged.append(key)
            entry = previous
        else:
            changed.append((key, tuple(current.changed_fields(previous))))
            entry = _moved_on(current, previous, now)
            emptied += _emptied(spec, previous, old)
        new.notes[key] = entry
        packaged.append(_packaged(key, entry, position, notetypes, spec.origin))

    removed: list[str] = []
    for key in sorted(set(old.notes) - set(new.notes)):
        previous = old.notes[key]
        if previous.notetype not in notetypes:
            # A note type no kind registered has (a plugin's, uninstalled): nothing to ship
            # it with, but its entry is kept, so that its notes keep their ids if it returns.
            new.notes[key] = previous
            continue
        if not previous.removed:
            removed.append(key)
            tags = (*[t for t in previous.tags if t != REMOVED_TAG], REMOVED_TAG)
            previous = NoteEntry(
                id=previous.id,
                mod=next_mod(previous.mod, now),
                notetype=previous.notetype,
                deck=previous.deck,
                tags=tags,
                names=previous.names,
                values=previous.values,
                removed=True,
            )
        new.notes[key] = previous
        # Shipped from the lock itself: what a hand edit put there is sanitised first, and
        # what Anki would read as its own syntax made inert again (sanitising decodes it).
        # Images go: their files are made only for notes still in the cards.
        inert_here = inert_cloze if notetypes[previous.notetype].cloze else inert
        stored = tuple(inert_here(sanitise(html, images=False)) for html in previous.values)
        shipped = dataclasses.replace(previous, values=stored)
        packaged.append(
            dataclasses.replace(
                _packaged(key, shipped, len(packaged) + 1, notetypes), cardless=True
            )
        )

    used = {note.notetype.key: note.notetype for note in packaged}  # keys: cheap to hash
    notetype_changes = _stamp_notetypes(used.values(), old, new, now)
    changes = Changes(
        tuple(added),
        tuple(changed),
        tuple(removed),
        tuple(unchanged),
        notetype_changes,
        tuple(emptied),
    )
    return new, packaged, changes


def _emptied(spec: NoteSpec, previous: NoteEntry, old: Lock) -> list[tuple[str, int, str]]:
    """The cards a changed note had and has no more (a template with nothing left to ask,
    a cloze or a mask gone): Anki keeps them, empty, until Tools → Empty Cards. Each as
    (key, card number, why)."""
    notetype = spec.notetype
    if previous.notetype != notetype.key:
        return []
    before = set(card_ordinals(notetype, dict(previous.fields)))
    after = set(card_ordinals(notetype, dict(zip(notetype.fields, spec.fields, strict=True))))
    gone = sorted(before - after)
    if spec.kind == "occlusion":  # each mask asked about a point
        diagram = spec.key.rpartition("/")[2]
        points = {n: code for code, n in old.occlusion.get(diagram, {}).items()}
        return [
            (spec.key, o + 1, f"asked about point {points.get(o + 1, '?')}, which left the diagram")
            for o in gone
        ]
    if notetype.cloze:
        return [(spec.key, o + 1, "has nothing left to ask") for o in gone]
    names = [template.name for template in notetype.templates]
    return [(spec.key, o + 1, f"('{names[o]}') has nothing left to ask") for o in gone]


def _moved_on(current: NoteEntry, previous: NoteEntry, now: int) -> NoteEntry:
    """`current`, stamped later than `previous` so that Anki takes it as newer."""
    return NoteEntry(
        id=previous.id,
        mod=next_mod(previous.mod, now),
        notetype=current.notetype,
        deck=current.deck,
        tags=current.tags,
        names=current.names,
        values=current.values,
    )


def _kept(
    note: KeptNote, position: int, origin: str, notetypes: Mapping[str, NoteType]
) -> PackagedNote:
    """A kept note: its rows come from the last build's collection."""
    return PackagedNote(
        guid=note.guid,
        notetype=notetypes[note.notetype],
        fields=(),
        tags=(),
        deck=note.deck,
        note_id=note.note_id,
        mod=note.mod,
        due=position,
        key=note.key,
        kept=True,
        origin=origin,
    )


def _packaged(
    key: str,
    entry: NoteEntry,
    position: int,
    notetypes: Mapping[str, NoteType],
    origin: str = "",
) -> PackagedNote:
    notetype = notetypes[entry.notetype]
    if entry.names == notetype.fields:  # as a new entry has them: its note's own values
        fields = entry.values
    else:
        stored = dict(zip(entry.names, entry.values, strict=True))
        fields = tuple(stored.get(name, "") for name in notetype.fields)
    kind, note_id = key.split(":", 1)
    return PackagedNote(
        guid=note_guid(kind, note_id),
        notetype=notetype,
        fields=fields,
        tags=entry.tags,
        deck=entry.deck,
        note_id=entry.id,
        mod=entry.mod,
        due=position,
        key=key,
        origin=origin,
    )


def notetype_hash(notetype: NoteType) -> str:
    """A hash of everything Anki stores for a note type."""
    content = [
        notetype.model_id,
        notetype.name,
        notetype.fields,
        notetype.template_texts(),
        notetype.css_text(),
        notetype.cloze,
        notetype.stock_kind,
        notetype.field_tags,
    ]
    encoded = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()[:32]


def _stamp_notetypes(
    used: Iterable[NoteType], old: Lock, new: Lock, now: int
) -> tuple[NotetypeChange, ...]:
    changes: list[NotetypeChange] = []
    for notetype in sorted(used, key=lambda n: n.key):
        digest = notetype_hash(notetype)
        template_names = tuple(t.name for t in notetype.templates)
        previous = old.notetypes.get(notetype.key)
        if previous is not None and previous.hash == digest:
            new.notetypes[notetype.key] = previous
            continue
        mod = next_mod(previous.mod if previous else None, now)
        new.notetypes[notetype.key] = NotetypeEntry(digest, mod, notetype.fields, template_names)
        if previous is not None:
            structural = previous.fields != notetype.fields or previous.templates != template_names
            changes.append(NotetypeChange(notetype.name, structural))
    return tuple(changes)
