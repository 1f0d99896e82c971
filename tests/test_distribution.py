"""The package as PyPI would have it (issue 17, part 1): the sdist and the wheel build from a
copy of the repository, their metadata passes `twine check --strict`, the wheel carries
every file the code reads, and a fresh virtualenv with only the wheel installed runs
`deckgen --version`, `init` and `build`, writing a deck the real Anki backend imports."""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from ankitest import Collection, import_package
from conftest import REPO
from deckgen import __version__

pytestmark = pytest.mark.slow

DISTRIBUTION = "deckgen-anki"
#: What a copy of the repository leaves out at its top: what git ignores, and git itself
#: (only at the top: `src/deckgen/build` is source).
_NOT_SOURCE = {".git", ".venv", "build", "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache"}


def _not_source(folder: str, names: list[str]) -> set[str]:
    skipped = {name for name in names if name == "__pycache__" or name.endswith(".egg-info")}
    return skipped | (_NOT_SOURCE & set(names) if Path(folder) == REPO else set())


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [str(arg) for arg in args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel, the wheel built from the sdist (so the sdist is complete)."""
    work = tmp_path_factory.mktemp("dist")
    source = work / "source"
    shutil.copytree(REPO, source, ignore=_not_source)
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", work / "out", source)
    return work / "out"


def _one(dist: Path, pattern: str) -> Path:
    (found,) = dist.glob(pattern)
    return found


def test_the_metadata_is_publishable(dist: Path) -> None:
    sdist = _one(dist, "deckgen_anki-*.tar.gz")
    wheel = _one(dist, "deckgen_anki-*-py3-none-any.whl")
    assert sdist.name == f"deckgen_anki-{__version__}.tar.gz"
    _run(sys.executable, "-m", "twine", "check", "--strict", sdist, wheel)
    with zipfile.ZipFile(wheel) as archive:
        meta = email.message_from_bytes(
            archive.read(f"deckgen_anki-{__version__}.dist-info/METADATA")
        )
        entry_points = archive.read(f"deckgen_anki-{__version__}.dist-info/entry_points.txt")
    assert meta["Name"] == DISTRIBUTION and meta["Version"] == __version__
    assert meta["License-Expression"] == "MIT"
    urls = dict(url.split(", ", 1) for url in meta.get_all("Project-URL") or [])
    assert set(urls) >= {"Homepage", "Source", "Issues", "Changelog"}
    assert all(url.startswith("https://") for url in urls.values())
    runtime = [r for r in meta.get_all("Requires-Dist") or [] if "extra ==" not in r]
    names = {r.split(">")[0].split("<")[0].split("=")[0].strip().lower() for r in runtime}
    assert "genanki" in names and "anki" not in names  # Anki (AGPL) is for the tests only
    assert b"deckgen = deckgen.cli:main" in entry_points
    assert str(meta.get_payload()).startswith("# deckgen")  # the README is the long description


def test_the_wheel_carries_every_file_the_code_reads(dist: Path) -> None:
    package = REPO / "src" / "deckgen"
    wanted = {
        "deckgen/" + path.relative_to(package).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    with zipfile.ZipFile(_one(dist, "*.whl")) as archive:
        shipped = {name for name in archive.namelist() if name.startswith("deckgen/")}
    assert wanted - shipped == set()
    assert not any("tests/" in name or name.startswith("cards/") for name in shipped)


def test_a_fresh_virtualenv_with_the_wheel_starts_a_deck_anki_imports(
    dist: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    _run(python, "-m", "pip", "install", "-q", _one(dist, "*.whl"))
    deckgen = env_dir / "bin" / "deckgen"
    assert _run(deckgen, "--version") == f"deckgen, version {__version__}\n"
    _run(deckgen, "init", "my-deck", cwd=tmp_path)
    project = tmp_path / "my-deck"
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    built = subprocess.run(
        [deckgen, "build"], cwd=project, capture_output=True, text=True, env=clean, check=False
    )
    assert built.returncode == 0, built.stderr
    # the wheel's own code ran, not this checkout's
    where = _run(python, "-c", "import deckgen; print(deckgen.__file__)")
    assert str(env_dir) in where
    (package,) = (project / "build").glob("*.apkg")
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        log = import_package(col, package)
        assert log.new and not log.conflicting
        assert col.card_count() > 0
    finally:
        col.close()
