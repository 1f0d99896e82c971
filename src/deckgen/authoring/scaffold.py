"""`deckgen new`: a YAML skeleton with every field, short comments and the schema line.

Required text is left empty on purpose: `deckgen check` points at each blank until the
note is written, so a half-filled skeleton never becomes a card.
"""

from __future__ import annotations

import re
from pathlib import Path

from deckgen.authoring.schemas import write_schemas
from deckgen.kinds import registry
from deckgen.source.errors import DeckgenError, display_path


def kind_names() -> list[str]:
    """The kinds `new` can write, by name."""
    return sorted(kind.name for kind in registry.kinds())


def new_note(*, cards_dir: Path, kind: str, note_id: str) -> list[Path]:
    """Write the skeleton for a new note; never overwrite a file. Its first line names its
    schema in `schemas/` beside the cards folder, written too if it is missing. Returns the
    paths written, the note's first."""
    found = registry.by_name(kind)
    if not re.match(found.id_pattern, note_id):
        described = f"{found.id_words} such as {found.id_example}"
        raise DeckgenError(f"'{note_id}' is not a valid {kind} id: use {described}")
    path = cards_dir / found.folder / f"{note_id}.yaml"
    if path.exists():
        raise DeckgenError(f"{display_path(path)} already exists; deckgen never overwrites it")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": fail rather than overwrite
        handle.write(found.skeleton.format(id=note_id))
    schemas = cards_dir.parent / "schemas"
    if (schemas / f"{found.name}.schema.json").exists():
        return [path]
    return [path, *write_schemas(schemas)]
