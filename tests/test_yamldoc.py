"""yamldoc: YAML 1.2 plain values, positions of every value, merge keys within the budget."""

from __future__ import annotations

import math
from pathlib import Path

from deckgen.source.yamldoc import read_yaml


def _load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = read_yaml(path)
    assert loaded.errors == [], loaded.errors
    assert loaded.doc is not None
    return loaded.doc.data


def test_plain_values_are_read_as_yaml_1_2_reads_them(tmp_path: Path) -> None:
    data = _load(
        tmp_path,
        "[yes, no, on, off, 2024-05-01, '1:20', 1:20, 010, 0o10, 0x1f, 1_000,"
        " true, False, ~, null, 1.5, 1e3, -.inf, 0.2–0.3 cun]\n",
    )
    assert data == [
        "yes", "no", "on", "off", "2024-05-01", "1:20", "1:20", 10, 8, 31, "1_000",
        True, False, None, None, 1.5, 1000.0, -math.inf, "0.2–0.3 cun",
    ]  # fmt: skip


def test_every_value_and_key_has_its_position(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text("# comment\nneedling:\n  cautions:\n    - one\n    - two\n", "utf-8")
    doc = read_yaml(path).doc
    assert doc is not None
    assert doc.position(("needling", "cautions", 1)) == (5, 7)
    assert doc.position(("needling", "cautions"), at_key=True) == (3, 3)
    assert doc.position(("needling", "missing", 3)) == (3, 3)  # nearest ancestor


def test_merge_keys_fill_in_without_overriding(tmp_path: Path) -> None:
    data = _load(
        tmp_path,
        "base: &base {angle: Oblique, depth: 0.5 cun}\nneedling:\n  <<: *base\n  depth: 0.3 cun\n",
    )
    assert data == {
        "base": {"angle": "Oblique", "depth": "0.5 cun"},
        "needling": {"depth": "0.3 cun", "angle": "Oblique"},
    }


def test_a_duplicate_key_keeps_the_first_and_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text("a: 1\nb: 2\na: 3\n", encoding="utf-8")
    loaded = read_yaml(path)
    assert loaded.doc is not None and loaded.doc.data == {"a": 1, "b": 2}
    assert [str(p) for p in loaded.errors] == [
        f"{path}:3:1: duplicate key 'a' (first given on line 1, column 1)"
    ]


def test_a_bom_is_dropped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    loaded = read_yaml(path)
    assert loaded.doc is not None and loaded.doc.data == {"a": 1}
    assert loaded.errors == []
    assert [p.message for p in loaded.warnings] == [
        "file starts with a byte-order mark (BOM); save it as UTF-8 without BOM"
    ]


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_bytes("hanzi: 四白 ".encode() + b"\xff\n")
    assert [(p.line, p.column) for p in read_yaml(path).errors] == [(1, 11)]
