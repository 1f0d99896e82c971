"""Parse one YAML file into plain data, remembering where every key and value stands.

PyYAML's composer keeps a mark on every node; we build Python values from the nodes
ourselves so that (a) every value's line and column can be looked up by its key path,
(b) duplicate keys are reported instead of silently overwritten, and (c) aliases cannot
expand without bound ("billion laughs"): the expanded size is counted on the node graph,
shared nodes once, before anything is built, and building stops at the same budget.
Merge keys (`<<`) are resolved here too, inside that budget.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from deckgen.source.errors import Problem, problem_at
from deckgen.source.files import Refused, read_regular
from deckgen.source.yamlfast import parse as fast_parse
from deckgen.source.yamllimits import MAX_BYTES as MAX_BYTES
from deckgen.source.yamllimits import MAX_CHARACTERS as MAX_CHARACTERS
from deckgen.source.yamllimits import MAX_NODES as MAX_NODES
from deckgen.source.yamllimits import MAY_HOLD_UNSTORABLE as _MAY_HOLD_UNSTORABLE
from deckgen.source.yamllimits import UNSTORABLE as UNSTORABLE
from deckgen.source.yamlloader import Loader, fast_compose
from deckgen.source.yamlproblems import _reader_problem, _syntax_problems

KeyPath = tuple[str | int, ...]

_MERGE_TAG = "tag:yaml.org,2002:merge"
_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


@dataclass
class Document:
    """A parsed YAML file: its data and the 1-based (line, column) of each node.

    The positions are worked out only when a problem needs one: most files have none, and
    recording every node's position for thousands of files costs time and memory. Until
    then the file is read and parsed again for them (it parsed cleanly before)."""

    path: Path
    data: Any
    #: The cards folder the file is in: a link inside it is followed to read it again.
    root: Path | None = None
    #: Key paths of numbers whose text YAML does not keep (`1.10` is read as 1.1): where
    #: the schema wants text, the text as written is lost (see `describe.validate`).
    numbers: dict[KeyPath, str] = field(default_factory=dict)
    #: Key paths of texts holding a character no deck can store (reported already).
    unstorable: set[KeyPath] = field(default_factory=set)
    #: The sha256 of the bytes parsed: what the build read, even if the file has changed
    #: since it was hashed with the other inputs.
    digest: str = ""
    value_marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    marked: bool = False  # the marks have been worked out

    def position(self, path: KeyPath, *, at_key: bool = False) -> tuple[int, int]:
        """The (line, column) of `path`, or of its nearest ancestor that has one."""
        if not self.marked:
            self.marked = True
            try:
                raw = read_regular(self.path, MAX_BYTES, root=self.root)
            except Refused:  # gone since it was parsed: the file's start will have to do
                raw = b""
            _record_marks(self, raw.decode("utf-8-sig", errors="replace"))
        marks = self.key_marks if at_key else self.value_marks
        probe = path
        while probe not in marks and probe:
            probe = probe[:-1]
            marks = self.value_marks
        return marks.get(probe, (1, 1))

    def problem(self, path: KeyPath, message: str, *, at_key: bool = False) -> Problem:
        """A problem located at `path`, or at its nearest ancestor that has a position."""
        line, column = self.position(path, at_key=at_key)
        return problem_at(self.path, line, column, message)


@dataclass
class Loaded:
    """The result of reading one file: the document (None if unusable) and what was found."""

    doc: Document | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


class _TooLarge(Exception):
    """Aliases expand too far: by default in values, `_TooLarge(TOO_MANY_CHARACTERS)` in text."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or f"YAML aliases expand to more than {MAX_NODES:,} values")


TOO_MANY_CHARACTERS = f"YAML aliases expand to more than {MAX_CHARACTERS:,} characters of text"


class _Recursive(Exception):
    pass


class _Builder:
    def __init__(
        self, loader: Loader, doc: Document, *, marks: bool, check_text: bool = True
    ) -> None:
        self.loader = loader
        self.doc = doc
        self.marks = marks  # record every node's position in `doc`
        self.check_text = check_text  # the text may hold an unstorable character
        self.nodes = 0
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooLarge
        if self.marks:
            self.doc.value_marks.setdefault(path, _mark(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        value = self._scalar(node, path)
        if type(value) in (int, float) and not self.marks and str(value) != node.value:
            self.doc.numbers[path] = node.value
        return value

    def _scalar(self, node: yaml.Node, path: KeyPath) -> Any:
        if node.tag == _STR_TAG:  # most values: what PyYAML's constructor would return
            return self._checked_text(node, path) if self.check_text else node.value
        try:
            value = self.loader.construct_object(node)
        except yaml.YAMLError:
            raise
        except Exception:  # an explicit tag the value does not fit, e.g. `!!int ten`
            tag = node.tag.removeprefix("tag:yaml.org,2002:")
            shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
            self._report(node, f"YAML error: '{shown}' is not a valid !!{tag}")
            return node.value
        if isinstance(value, bytes):  # text in disguise, which no check would read
            self._report(node, "YAML error: !!binary is not allowed; write the text itself")
            return node.value
        return value

    def _checked_text(self, node: yaml.Node, path: KeyPath) -> str:
        """The node's text; one that holds an unstorable character is reported (and its
        place noted: the schema's own complaint about it would say no more)."""
        text: str = node.value
        found = UNSTORABLE.search(text)
        if found is not None and not self.marks:
            self._report(node, unstorable_message(found.group()))
            self.doc.unstorable.add(path)
        return text

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_marks: dict[str, tuple[int, int]] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merges.append(value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._report(key_node, "a key must be plain text, not a list or mapping")
                continue
            key = str(self._scalar(key_node, path))
            child = (*path, key)
            if key in result:
                first_line, first_column = first_marks[key]
                self._report(
                    key_node,
                    f"duplicate key '{key}' (first given on line {first_line}, "
                    f"column {first_column})",
                )
                continue
            first_marks[key] = _mark(key_node)
            if self.marks:
                self.doc.key_marks[child] = first_marks[key]
            result[key] = self.build(value_node, child)
        for merge in merges:
            # `<<: *base` or `<<: [*a, *b]`: keys given here win, then earlier sources.
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    self._report(source, "a merge key '<<' needs a mapping or a list of mappings")
                    continue
                merged = self._mapping(source, path)
                for key, value in merged.items():
                    result.setdefault(key, value)
        return result

    def _report(self, node: yaml.Node, message: str) -> None:
        line, column = _mark(node)
        self.problems.append(problem_at(self.doc.path, line, column, message))


_STR_TAG = "tag:yaml.org,2002:str"


def unstorable_message(character: str) -> str:
    message = (
        f"the character U+{ord(character):04X} cannot be stored in an Anki deck "
        "(a control character, a lone surrogate or a noncharacter); remove it"
    )
    if 0xD800 <= ord(character) <= 0xDFFF:
        message += (
            " (YAML reads an escaped surrogate pair such as \\ud83d\\ude00 as two halves: "
            "write the character itself, or \\U0001F600)"
        )
    return message


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def expanded_size(root: yaml.Node, limit: int = MAX_NODES) -> int:
    """How many nodes `root` expands to with every alias followed, capped at `limit` + 1.
    Raises `_TooLarge` when its texts expand to more than `MAX_CHARACTERS` characters.

    Shared nodes are counted once per use but computed once, so this is linear in the
    file however far its aliases would expand. Raises `_Recursive` on a cycle.
    """
    sizes: dict[int, tuple[int, int]] = {}
    in_progress = (-1, -1)

    def size(node: yaml.Node) -> tuple[int, int]:
        known = sizes.get(id(node))
        if known == in_progress:
            raise _Recursive
        if known is not None:
            return known
        sizes[id(node)] = in_progress
        nodes, characters = 1, 0
        if isinstance(node, yaml.ScalarNode):
            characters = len(node.value)
        else:
            children = (
                [part for pair in node.value for part in pair]
                if isinstance(node, yaml.MappingNode)
                else node.value
            )
            for child in children:
                child_nodes, child_characters = size(child)
                nodes += child_nodes
                characters += child_characters
                if nodes > limit or characters > MAX_CHARACTERS:
                    break
        total = (min(nodes, limit + 1), min(characters, MAX_CHARACTERS + 1))
        sizes[id(node)] = total
        return total

    nodes, characters = size(root)
    if characters > MAX_CHARACTERS:
        raise _TooLarge(TOO_MANY_CHARACTERS)
    return nodes


def _decode(path: Path, raw: bytes) -> tuple[str | None, Loaded]:
    """The file's text, or None with the reason; a UTF-8 BOM is dropped with a warning."""
    result = Loaded(doc=None)
    for bom, encoding in _BOMS.items():
        if raw.startswith(bom):
            message = f"file is encoded as {encoding}; save it as UTF-8"
            result.errors.append(problem_at(path, 1, 1, message))
            return None, result
    if raw.startswith(b"\xef\xbb\xbf"):
        message = "file starts with a byte-order mark (BOM); save it as UTF-8 without BOM"
        result.warnings.append(problem_at(path, 1, 1, message))
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), result
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
        message = f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        result.errors.append(problem_at(path, line, column, message))
        return None, result


def _record_marks(doc: Document, text: str) -> None:
    """Parse `text` (which parsed cleanly before) again, recording each node's position."""
    fast = fast_compose(text)
    loader = fast[0] if fast else Loader(text)
    try:
        node = fast[1] if fast else loader.get_single_node()
        if node is not None:
            _Builder(loader, doc, marks=True).build(node, ())
    finally:
        loader.dispose()


def read_yaml(path: Path, *, root: Path | None = None, fast: bool = True) -> Loaded:
    """Read and parse `path` within the size limits, collecting every problem found. The
    file is read only if it is a regular file; a link only to a file inside `root`.

    Most files are parsed by `yamlfast`, which gives the same data or leaves the file to
    PyYAML (always, with `fast=False`: the tests compare the two)."""
    try:
        raw = read_regular(path, MAX_BYTES, root=root)
    except Refused as exc:
        return Loaded(None, [problem_at(path, 1, 1, str(exc))])
    if len(raw) > MAX_BYTES:
        message = f"file is larger than {MAX_BYTES:,} bytes; split it up"
        return Loaded(None, [problem_at(path, 1, 1, message)])
    text, result = _decode(path, raw)
    if text is None:
        return result
    digest = hashlib.sha256(raw).hexdigest()
    data = fast_parse(text) if fast else None
    if data is not None:
        result.doc = Document(path=path, data=data, root=root, digest=digest)
        return result
    composed = fast_compose(text)
    try:
        loader = composed[0] if composed else Loader(text)
    except yaml.reader.ReaderError as exc:  # a control character: checked before parsing
        result.errors.append(_reader_problem(path, text, exc))
        return result
    doc = Document(path=path, data=None, root=root, digest=digest)
    try:
        node = composed[1] if composed else loader.get_single_node()
        if node is None:
            result.errors.append(problem_at(path, 1, 1, "file is empty"))
            return result
        # Without an anchor nothing repeats, and every node takes at least one character.
        might_expand = "&" in text or len(text) > MAX_NODES
        if might_expand and expanded_size(node) > MAX_NODES:
            raise _TooLarge
        check_text = _MAY_HOLD_UNSTORABLE.search(text) is not None
        builder = _Builder(loader, doc, marks=False, check_text=check_text)
        doc.data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        result.errors += _syntax_problems(path, text, exc)
        return result
    except yaml.reader.ReaderError as exc:
        result.errors.append(_reader_problem(path, text, exc))
        return result
    except yaml.YAMLError as exc:
        result.errors.append(problem_at(path, 1, 1, f"YAML error: {exc}"))
        return result
    except _TooLarge as exc:
        result.errors.append(problem_at(path, 1, 1, str(exc)))
        return result
    except _Recursive:
        message = "a YAML alias refers to its own anchor (a recursive structure)"
        result.errors.append(problem_at(path, 1, 1, message))
        return result
    except RecursionError:
        result.errors.append(problem_at(path, 1, 1, "values are nested too deeply"))
        return result
    finally:
        loader.dispose()
    result.doc = doc
    result.errors += builder.problems
    return result
