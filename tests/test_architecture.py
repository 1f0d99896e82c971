"""The house rules of `docs/architecture.md`, checked on the source: the stages as
packages in one order, imports only down that order, no cycles, no module over 400 lines."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "deckgen"
#: The stages, each importing only from those before it (data flows down this list; the
#: incremental state sits beside the flow, after the package writer whose rows it keeps).
STAGES = ("source", "kinds", "anki", "state", "build", "authoring", "cli")
TOP_LEVEL = {"__init__.py", "__main__.py", "py.typed", *STAGES}
MAX_LINES = 400


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def _imports(path: Path, module: str) -> Iterator[tuple[str, int]]:
    """The deckgen modules `path` imports (at any depth but under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for inner in ast.walk(node))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("deckgen"):
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            if base.startswith("deckgen"):
                yield base, node.lineno


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def test_only_the_stages_and_the_entry_points_are_at_the_top() -> None:
    found = {p.name for p in PACKAGE.iterdir() if p.name != "__pycache__"}
    assert found <= TOP_LEVEL, sorted(found - TOP_LEVEL)


@pytest.mark.parametrize(("module", "path"), list(_modules()), ids=lambda v: str(v))
def test_no_module_is_over_the_limit(module: str, path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module}: {lines} lines"


def test_each_stage_imports_only_from_the_stages_before_it() -> None:
    wrong = []
    for module, path in _modules():
        here = _stage(module)
        if here is None:
            continue
        for imported, line in _imports(path, module):
            there = _stage(imported)
            if there is not None and STAGES.index(there) > STAGES.index(here):
                wrong.append(f"{path.relative_to(PACKAGE)}:{line}: {here} imports {imported}")
    assert wrong == []


def test_there_are_no_import_cycles() -> None:
    names = {module for module, _ in _modules()}
    graph: dict[str, set[str]] = {}
    for module, path in _modules():
        found = set()
        for imported in (name for name, _ in _imports(path, module)):
            while imported not in names and "." in imported:  # `from x import y` of a name
                imported = imported.rpartition(".")[0]
            if imported != module and imported in names:
                found.add(imported)
        graph[module] = found
    # A package's __init__ that re-exports its own modules is not a cycle through them.
    for module in graph:
        graph[module] = {m for m in graph[module] if not module.startswith(m + ".")}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
