"""The JSON Schemas in schemas/ are current, and agree with deckgen's own validation: the
shipped cards are valid under both, and every bad input that deckgen rejects for a
schema-level reason (types, required keys, patterns, ranges) the JSON Schema rejects too."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import TypeAdapter, ValidationError

import badinputs
from conftest import REPO, SHIPPED_CARDS
from deckgen.authoring.schemas import schema_text, schemas
from deckgen.kinds.folder import load_cards
from deckgen.source.yamldoc import read_yaml

SCHEMA_DIR = REPO / "schemas"
FOLDER_KIND = {"points": "point", "concepts": "concept", "conditions": "condition", "facts": "fact"}


def _kind(relative: str) -> str | None:
    """Which schema a file in a cards folder follows, from its path there."""
    parts = Path(relative).parts
    if parts == ("deck.yaml",):
        return "deck"
    if parts == ("sources.yaml",):
        return "sources"
    if len(parts) == 2 and parts[0] in FOLDER_KIND and parts[1].endswith((".yaml", ".yml")):
        return FOLDER_KIND[parts[0]]
    return None


def _validator(kind: str) -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _as_json(data: Any) -> Any:
    """YAML data as the YAML language server sees it (dates and the like as text)."""
    return json.loads(json.dumps(data, default=str))


@pytest.mark.parametrize("kind", list(schemas()))
def test_committed_schema_is_current(kind: str) -> None:
    path = SCHEMA_DIR / f"{kind}.schema.json"
    assert path.read_text(encoding="utf-8") == schema_text(kind), (
        f"{path} is out of date: run `deckgen schema`"
    )


@pytest.mark.parametrize("kind", list(schemas()))
def test_schema_is_valid_json_schema(kind: str) -> None:
    schema = json.loads(schema_text(kind))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_command_writes_every_schema(tmp_path: Path) -> None:
    result = badinputs.run(["schema", "--out", "editor"], tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output == "".join(f"Wrote editor/{kind}.schema.json\n" for kind in schemas())
    for kind in schemas():
        written = (tmp_path / "editor" / f"{kind}.schema.json").read_text(encoding="utf-8")
        assert written == (SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8")


def test_shipped_cards_are_valid_under_both() -> None:
    load_cards(SHIPPED_CARDS, strict=True)
    checked = 0
    for path in sorted(SHIPPED_CARDS.rglob("*.y*ml")):
        kind = _kind(str(path.relative_to(SHIPPED_CARDS)))
        assert kind is not None, path
        loaded = read_yaml(path)
        assert loaded.doc is not None, loaded.errors
        errors = [e.message for e in _validator(kind).iter_errors(_as_json(loaded.doc.data))]
        assert errors == [], f"{path}: {errors}"
        checked += 1
    assert checked >= 7


def test_shipped_cards_name_their_schema() -> None:
    modeline = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)
    for path in sorted(SHIPPED_CARDS.rglob("*.yaml")):
        match = modeline.search(path.read_text(encoding="utf-8"))
        if match is None:
            continue
        target = (path.parent / match.group(1)).resolve()
        assert target.is_file(), f"{path} names {match.group(1)}, which does not exist"
        assert target.name == f"{_kind(str(path.relative_to(SHIPPED_CARDS)))}.schema.json"


def test_bad_inputs_rejected_by_the_schema_are_rejected_by_json_schema_too() -> None:
    """Only one direction: deckgen also checks what no schema can (references, cloze text)."""
    compared = 0
    for case in badinputs.cases():
        kind = _kind(case.target) if case.target else None
        if kind is None:
            continue
        path = badinputs.CORPUS / f"{case.name}.yaml"
        loaded = read_yaml(path)
        if loaded.doc is None or loaded.doc.unstorable:
            continue  # not YAML at all, or text no deck can hold (deckgen's own check)
        _, target = schemas()[kind]
        try:
            TypeAdapter(target).validate_python(loaded.doc.data)
            continue
        except ValidationError as exc:
            schema_level = [e for e in exc.errors() if e["type"] != "extra_forbidden"]
        if not schema_level:
            continue  # only unknown keys: errors for both (the schema forbids them)
        errors = list(_validator(kind).iter_errors(_as_json(loaded.doc.data)))
        assert errors, f"{case.name}: deckgen says {schema_level}, the JSON Schema accepts it"
        compared += 1
    assert compared >= 15
