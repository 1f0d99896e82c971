"""Parse one YAML file into plain data, remembering where every key and value stands.

PyYAML's composer keeps a mark on every node; we build Python values from the nodes
ourselves so that (a) every value's line and column can be looked up by its key path,
(b) duplicate keys are reported instead of silently overwritten, and (c) aliases cannot
expand without bound ("billion laughs"): expansion stops at a node budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from deckgen.errors import Problem, problem_at

KeyPath = tuple[str | int, ...]

#: Most nodes one file may expand to once aliases are followed; real notes use a few hundred.
MAX_NODES = 100_000
#: Largest file read, in bytes; a note file is a few kilobytes.
MAX_BYTES = 1_000_000


@dataclass
class Document:
    """A parsed YAML file: its data and the 1-based (line, column) of each node."""

    path: Path
    data: Any
    value_marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def problem(self, path: KeyPath, message: str, *, at_key: bool = False) -> Problem:
        """A problem located at `path`, or at its nearest ancestor that has a position."""
        marks = self.key_marks if at_key else self.value_marks
        probe = path
        while probe not in marks and probe:
            probe = probe[:-1]
            marks = self.value_marks
        line, column = marks.get(probe, (1, 1))
        return problem_at(self.path, line, column, message)


class _TooLarge(Exception):
    pass


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, doc: Document) -> None:
        self.loader = loader
        self.doc = doc
        self.nodes = 0
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooLarge
        self.doc.value_marks.setdefault(path, _mark(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node)

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[Any, Any]:
        self.loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = str(self.loader.construct_object(key_node))
            child = (*path, key)
            if key in result:
                first_line, _ = self.doc.key_marks[child]
                line, column = _mark(key_node)
                self.problems.append(
                    problem_at(
                        self.doc.path,
                        line,
                        column,
                        f"duplicate key '{key}' (first given on line {first_line})",
                    )
                )
                continue
            self.doc.key_marks[child] = _mark(key_node)
            result[key] = self.build(value_node, child)
        return result


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _decode(path: Path, raw: bytes) -> tuple[str | None, list[Problem]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return None, [
            problem_at(
                path, 1, 1, "file starts with a byte-order mark; save it as UTF-8 without BOM"
            )
        ]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        message = f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        return None, [problem_at(path, line, column, message)]


def load_document(path: Path) -> tuple[Document | None, list[Problem]]:
    """Read and parse `path`; return the document (None if unusable) and any problems."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [problem_at(path, 1, 1, f"cannot read file: {exc.strerror}")]
    if len(raw) > MAX_BYTES:
        return None, [problem_at(path, 1, 1, f"file is larger than {MAX_BYTES:,} bytes")]
    text, problems = _decode(path, raw)
    if text is None:
        return None, problems
    loader = yaml.SafeLoader(text)
    doc = Document(path=path, data=None)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [problem_at(path, 1, 1, "file is empty")]
        builder = _Builder(loader, doc)
        doc.data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        return None, [problem_at(path, line, column, f"YAML syntax error: {what}")]
    except _TooLarge:
        message = f"YAML aliases expand to more than {MAX_NODES:,} nodes"
        return None, [problem_at(path, 1, 1, message)]
    finally:
        loader.dispose()
    return doc, builder.problems
