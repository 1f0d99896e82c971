"""Property: whatever the YAML, deckgen answers with problems or a deck, never a traceback,
and a build that fails writes nothing. Fed generated documents, random bytes and random
edits of the shipped cards (on copies; the shipped cards themselves are never touched)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import badinputs
from conftest import SHIPPED_CARDS
from deckgen.kinds import registry
from deckgen.kinds.concept import Concept
from deckgen.kinds.condition import Condition, Difference
from deckgen.kinds.deck import DiagramSource, Source, deck_model
from deckgen.kinds.fact import Fact
from deckgen.kinds.point import DiagramPlacement, Needling, Point

DECK = deck_model(registry.kinds())
MODELS: list[type[BaseModel]] = [Point, Concept, Condition, Fact, DECK, Source]
MODELS += [Needling, DiagramPlacement, DiagramSource, Difference]
MODELS += [DECK.model_fields["subdecks"].annotation]  # type: ignore[list-item]
FIELD_NAMES = sorted({name for model in MODELS for name in model.model_fields})
SNIPPETS = [
    "{{c1::", "}}", "{{c3::x}}", "<script>", "<b>", "onerror=", "javascript:", "&a ", "*a",
    "<<: ", ": ", "- ", "\t", "\ufeff", "\x00", "\x85", "'", '"', "[", "]", "{", "}", "#", "|",
    ">", "---\n", "\n", "  ", "ST2", "GB14", "who-2008", "face-front", "../", "/etc/passwd",
    "é", "\U0001f600", "yes", "2024-01-01", "1:20", "!!int ", "!!binary ", "? ", "~",
    "1e999", ".nan", "0x", "%", "@", "`",
]  # fmt: skip
TARGETS = [
    "points/ST2.yaml",
    "points/NEW.yaml",
    "concepts/network-vessel-emptiness.yaml",
    "conditions/hemifacial-spasm.yaml",
    "facts/b-cun.yaml",
    "deck.yaml",
    "sources.yaml",
]
PROBLEM_LINE = re.compile(r"^(Error|Warning): \S.*:\d+:\d+: \S.*$")
#: A hundred-odd examples, each checked and built twice: seconds, not for the inner loop.
pytestmark = pytest.mark.slow
#: Run longer locally with DECKGEN_PROPERTY_SCALE=50 (examples are multiplied by it).
SCALE = int(os.environ.get("DECKGEN_PROPERTY_SCALE", "1"))
SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

texts = st.text(max_size=20) | st.sampled_from(SNIPPETS)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | texts
keys = st.sampled_from(FIELD_NAMES) | st.text(max_size=8)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=15,
)
documents = st.dictionaries(keys, values, max_size=10) | values


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _prebuilt(source: Path, workdir: Path) -> Path:
    """`source` copied to WORKDIR/cards and built once into WORKDIR/out."""
    shutil.copytree(source, workdir / "cards", ignore=shutil.ignore_patterns("deckgen.lock"))
    result = badinputs.run(["build", "--out", "out"], workdir)
    assert result.exit_code == 0, result.output
    return workdir


@pytest.fixture(scope="module")
def base_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _prebuilt(badinputs.BASE, tmp_path_factory.mktemp("base"))


@pytest.fixture(scope="module")
def shipped_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _prebuilt(SHIPPED_CARDS, tmp_path_factory.mktemp("shipped"))


def _copy(template: Path) -> Path:
    """A fresh copy of a built folder, for one example."""
    workdir = Path(tempfile.mkdtemp(prefix="deckgen-example-"))
    shutil.copytree(template, workdir, dirs_exist_ok=True)
    return workdir


def _assert_safe(workdir: Path) -> None:
    """check and build agree; neither crashes; a failed build leaves everything as it was."""
    before = _snapshot(workdir)
    checked = badinputs.run(["check"], workdir)
    assert checked.exception is None or isinstance(checked.exception, SystemExit), checked.exception
    assert checked.exit_code in (0, 1), checked.output
    assert _snapshot(workdir) == before, "check wrote something"
    if checked.exit_code == 1 and "does not exist" not in checked.output:
        *problems, summary = checked.output.splitlines()
        assert all(PROBLEM_LINE.match(line) for line in problems), checked.output
        assert summary.endswith(" found; nothing was written."), checked.output

    built = badinputs.run(["build", "--out", "out"], workdir)
    assert built.exception is None or isinstance(built.exception, SystemExit), built.exception
    assert built.exit_code == checked.exit_code, built.output
    if built.exit_code:
        assert _snapshot(workdir) == before, "a failed build wrote something"


@settings(SETTINGS, max_examples=60 * SCALE)
@given(target=st.sampled_from(TARGETS), document=documents)
def test_generated_documents_never_crash_and_failed_builds_write_nothing(
    base_build: Path, target: str, document: Any
) -> None:
    workdir = _copy(base_build)
    try:
        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
        (workdir / "cards" / target).write_text(text, encoding="utf-8")
        _assert_safe(workdir)
    finally:
        shutil.rmtree(workdir)


@settings(SETTINGS, max_examples=30 * SCALE)
@given(target=st.sampled_from(TARGETS), content=st.binary(max_size=200) | texts)
def test_random_bytes_never_crash(base_build: Path, target: str, content: bytes | str) -> None:
    workdir = _copy(base_build)
    try:
        raw = (
            content.encode("utf-8", errors="surrogatepass") if isinstance(content, str) else content
        )
        (workdir / "cards" / target).write_bytes(raw)
        _assert_safe(workdir)
    finally:
        shutil.rmtree(workdir)


def _mutate(raw: bytes, data: st.DataObject) -> bytes:
    lines = raw.split(b"\n")
    kind = data.draw(st.sampled_from(["splice", "drop", "repeat", "swap", "indent", "outdent"]))
    i = data.draw(st.integers(0, len(lines) - 1))
    if kind == "splice":
        start = data.draw(st.integers(0, len(raw)))
        end = data.draw(st.integers(start, min(len(raw), start + 12)))
        snippet = data.draw(st.sampled_from(SNIPPETS) | st.text(max_size=6))
        return raw[:start] + snippet.encode("utf-8", errors="surrogatepass") + raw[end:]
    if kind == "drop":
        del lines[i]
    elif kind == "repeat":
        lines.insert(i, lines[i])
    elif kind == "swap":
        j = data.draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "indent":
        lines[i] = data.draw(st.sampled_from([b"  ", b"\t", b" "])) + lines[i]
    else:
        lines[i] = lines[i][2:]
    return b"\n".join(lines)


@settings(SETTINGS, max_examples=20 * SCALE)
@given(data=st.data())
def test_edits_of_the_shipped_cards_never_crash_and_failed_builds_write_nothing(
    shipped_build: Path, data: st.DataObject
) -> None:
    workdir = _copy(shipped_build)
    try:
        cards = workdir / "cards"
        files = sorted(path for path in cards.rglob("*.yaml"))
        for _ in range(data.draw(st.integers(1, 3))):
            path = data.draw(st.sampled_from(files))
            path.write_bytes(_mutate(path.read_bytes(), data))
        _assert_safe(workdir)
    finally:
        shutil.rmtree(workdir)
