"""The bytes of the .apkg, pinned: a change to deckgen's code that is meant to change nothing
(a refactor) must leave the package of the same cards, lock and build time byte-identical.

Each case records the digest of its cards folder and the sha256 of the package built from
it. When the cards change on purpose (new content), the first assertion says so, and
`python tests/test_golden.py` records the new digests; when only the code changed, the
package must not have.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import pytest

from deckgen.build import build

ROOT = Path(__file__).resolve().parent.parent
RECORD = Path(__file__).with_name("data") / "golden.json"
CASES = {"shipped": ROOT / "cards", "mini": ROOT / "tests" / "data" / "mini"}
EPOCH = "1767225600"  # 2026-01-01: the build time of every note the lock does not know


def folder_digest(folder: Path) -> str:
    """A digest of every file under `folder`: its name and its bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def package_sha256(cards: Path, work: Path) -> str:
    copy = work / "cards"
    shutil.copytree(cards, copy)
    report = build(cards_dir=copy, out_dir=work / "out")
    return hashlib.sha256(report.output.read_bytes()).hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_package_is_byte_identical_to_the_recorded_one(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    recorded = json.loads(RECORD.read_text())[case]
    assert folder_digest(CASES[case]) == recorded["cards"], (
        f"the {case} cards changed: if on purpose, record them with `python tests/test_golden.py`"
    )
    assert package_sha256(CASES[case], tmp_path) == recorded["apkg"]


def record() -> None:  # pragma: no cover - run by hand when the cards change on purpose
    import os
    import tempfile

    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    found = {}
    for case, cards in sorted(CASES.items()):
        with tempfile.TemporaryDirectory() as work:
            found[case] = {"cards": folder_digest(cards), "apkg": package_sha256(cards, Path(work))}
    RECORD.write_text(json.dumps(found, indent=2) + "\n")
    json.dump(found, sys.stdout, indent=2)


if __name__ == "__main__":
    record()
