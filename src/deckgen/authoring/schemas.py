"""JSON Schemas of the YAML files, generated from the pydantic models, for editors.

The YAML language server (VS Code's Red Hat YAML extension, and others) reads them to
complete keys, show each key's description and flag mistakes as you type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from deckgen.kinds import registry
from deckgen.kinds.deck import Sources, deck_model
from deckgen.state.commit import write_atomically

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schemas() -> dict[str, tuple[str, Any]]:
    """Schema name -> (what it describes, the model or type it is generated from): deck.yaml,
    sources.yaml and each registered kind."""
    kinds = registry.kinds()
    found: dict[str, tuple[str, Any]] = {
        "deck": (
            "deck.yaml: the parent deck, its subdecks and your own diagrams.",
            deck_model(kinds),
        ),
        "sources": ("sources.yaml: every reference a note may cite, by key.", Sources),
    }
    for kind in kinds:
        found[kind.name] = (kind.schema_help, kind.model)
    return found


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of one kind of file: 'point', 'concept', ..., 'deck' or 'sources'."""
    description, target = schemas()[name]
    generated = TypeAdapter(target).json_schema()
    _close(generated)
    schema: dict[str, Any] = {"$schema": DIALECT, "title": f"deckgen {name}"}
    schema.update(generated)
    schema["title"] = f"deckgen {name}"
    schema["description"] = description
    return schema


def _close(node: Any) -> None:
    """Keys that match no pattern are errors: pydantic leaves them open in pattern maps."""
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close(value)
    elif isinstance(node, list):
        for value in node:
            _close(value)


def schema_text(name: str) -> str:
    return json.dumps(json_schema(name), indent=2, ensure_ascii=False) + "\n"


def write_schemas(out_dir: Path) -> list[Path]:
    """Write `<name>.schema.json` for every kind of file into `out_dir`; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in schemas():
        path = out_dir / f"{name}.schema.json"
        write_atomically(path, schema_text(name))
        written.append(path)
    return written
