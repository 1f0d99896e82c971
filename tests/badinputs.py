"""The bad-input corpus: each `tests/bad_inputs/<case>.yaml` is one hostile or broken input
plus what deckgen must say about it.

Every case starts from a copy of `tests/bad_inputs/_base/` (a small valid cards folder) that
has been built once already, so that `out/test-deck.apkg` and `cards/deckgen.lock` exist
as a user's would; then the case changes something and deckgen is run on it. Its leading
comment lines say how (names are relative to the cards folder; `../out/...` reaches the
output folder, where `{cache}` stands for the name of the build's cache file, and
`{legacy-cache}`/`{legacy-state}` for what an older deckgen kept there):

    # target: points/ST2.yaml        where this file goes (it replaces the base's file)
    # remove: deck.yaml              delete a file or folder first (repeatable)
    # write: images/face.png = <png> write another file (repeatable); name and value are
                                     Python-escaped bytes, or <png>, <jpeg> or <svg>
    # edit: deckgen.lock: old => new replace text in a file, Python-escaped (repeatable)
    # mkdir: points/ST3.yaml         make a folder (repeatable)
    # symlink: images/a.png -> ../outside.png   make a link (repeatable)
    # fifo: points/ST9.yaml          make a named pipe (repeatable)
    # socket: images/x.png           make a Unix socket (repeatable)
    # copy: cards2                   copy the base cards folder beside `cards` (repeatable)
    # run: check --strict            the command (default: check)
    # exit: 0                        the exit status (default: 1)
    # only: build                    the command is not checked against its counterpart
    # gone: ../out/.x.deckgen.tmp    a file that must not exist afterwards (repeatable)
    # > Error: cards/points/ST2.yaml:12:10: ...   the exact output, one line each ('# >'
                                                 alone for an empty line)

The case file is copied byte for byte, header included, so line numbers in the expected
output are line numbers of the case file itself. Beside the cards folder the harness puts
`outside.png` and `outside.yaml`, for cases about paths that leave the cards folder.

Every case is checked the same way (see `test_bad_inputs.py`): the exact output and exit
status, never a traceback; on failure the previous .apkg, the lock and every source file
byte for byte as they were, and no temporary file left; on success a deck that the real
Anki backend imports. And `check` and `build` must agree: `check` reports every error for
which `build` refuses (but for the faults of the output folder, `only: build`).
"""

from __future__ import annotations

import atexit
import codecs
import contextlib
import hashlib
import os
import re
import shlex
import shutil
import socket
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from click.testing import CliRunner, Result

from deckgen.cli import cli
from deckgen.state.cachefile import cache_path
from deckgen.state.nochange import folder_digest

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
BASE = CORPUS / "_base"
#: Builds in the corpus are reproducible: every run is at this time.
EPOCH = "1767225600"

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00"
    b"\x90\x91h6\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + (
    b"\xff\xc0\x00\x11\x08\x00\x10\x00\x10\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xd9"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect/></svg>\n'
SAMPLES = {"<png>": PNG, "<jpeg>": JPEG, "<svg>": SVG}

_DIRECTIVE = re.compile(
    r"^# (target|remove|write|edit|mkdir|symlink|fifo|socket|copy|run|exit|only|gone): ?(.*)$"
)
#: What a build or a killed build may leave behind, never after a failed one.
TEMPORARY = re.compile(r"\.deckgen\.tmp$|^\.deckgen-scratch-")


@dataclass
class Case:
    name: str
    raw: bytes
    target: str | None = None
    remove: list[str] = field(default_factory=list)
    write: list[tuple[str, bytes]] = field(default_factory=list)
    edit: list[tuple[str, bytes, bytes]] = field(default_factory=list)
    mkdir: list[str] = field(default_factory=list)
    symlink: list[tuple[str, str]] = field(default_factory=list)
    fifo: list[str] = field(default_factory=list)
    socket: list[str] = field(default_factory=list)
    copy: list[str] = field(default_factory=list)
    args: list[str] = field(default_factory=lambda: ["check"])
    exit_code: int = 1
    only: bool = False
    gone: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        return "".join(line + "\n" for line in self.expected)


def cases() -> list[Case]:
    return [read_case(path) for path in sorted(CORPUS.glob("*.yaml"))]


def _unescape(text: str) -> bytes:
    return codecs.escape_decode(text.encode())[0]


def _name(text: str) -> str:
    """A file name from the case: Python-escaped bytes, which need not be UTF-8."""
    return os.fsdecode(_unescape(text))


def read_case(path: Path) -> Case:
    raw = path.read_bytes()
    case = Case(name=path.stem, raw=raw)
    text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# > ") or line == "# >":  # "# >" alone: an empty line
            case.expected.append(line[4:])
            continue
        match = _DIRECTIVE.match(line)
        if match is None:
            continue
        key, value = match.groups()
        if key == "target":
            case.target = value
        elif key in ("remove", "mkdir", "fifo", "socket", "copy", "gone"):
            getattr(case, key).append(value)
        elif key == "write":
            name, _, content = value.partition(" = ")
            case.write.append((name, SAMPLES.get(content) or _unescape(content)))
        elif key == "edit":
            name, _, change = value.partition(": ")
            old, _, new = change.partition(" => ")
            case.edit.append((name, _unescape(old), _unescape(new)))
        elif key == "symlink":
            link, _, points_to = value.partition(" -> ")
            case.symlink.append((link, points_to))
        elif key == "run":
            case.args = shlex.split(value)
        elif key == "exit":
            case.exit_code = int(value)
        elif key == "only":
            case.only = True
    return case


@cache
def _built_base() -> Path:
    """The base cards folder, built once (with its lock) into `out/`: copied for each case."""
    workdir = Path(tempfile.mkdtemp(prefix="deckgen-corpus-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    shutil.copytree(BASE, workdir / "cards")
    result = run(["build", "--out", "out"], workdir)
    assert result.exit_code == 0, result.output
    return workdir


def set_up(case: Case, workdir: Path) -> Path:
    """The case's cards folder under `workdir`, ready to check."""
    base = _built_base()
    cards = workdir / "cards"
    shutil.copytree(base / "cards", cards)
    shutil.copytree(base / "out", workdir / "out", ignore=shutil.ignore_patterns(".deckgen-*"))
    (workdir / "outside.png").write_bytes(PNG)
    (workdir / "outside.yaml").write_text("code: ST9\n", encoding="utf-8")
    for name in case.copy:
        shutil.copytree(BASE, workdir / name)
    for name in case.remove:
        victim = _path(cards, name)
        if victim.is_dir() and not victim.is_symlink():
            shutil.rmtree(victim)
        else:
            victim.unlink()
    if case.target is not None:
        _path(cards, case.target).parent.mkdir(parents=True, exist_ok=True)
        _path(cards, case.target).write_bytes(case.raw)
    for name in case.mkdir:
        _path(cards, name).mkdir(parents=True, exist_ok=True)
    for name, data in case.write:
        path = _path(cards, _name(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for name, old, new in case.edit:
        path = _path(cards, name)
        text = path.read_bytes()
        assert old in text, f"{case.name}: {old!r} is not in {name}"
        path.write_bytes(text.replace(old, new))
    for link, points_to in case.symlink:
        _path(cards, link).parent.mkdir(parents=True, exist_ok=True)
        _path(cards, link).symlink_to(points_to)
    for name in case.fifo:
        _path(cards, name).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(_path(cards, name))
    for name in case.socket:
        _bind(_path(cards, name))
    return cards


def _path(cards: Path, name: str) -> Path:
    """A case's name for a path: relative to the cards folder, with `{cache}` and the like."""
    return cards / placed(name, cards)


def placed(text: str, cards: Path) -> str:
    """`text` with `{cache}` replaced by the name of the cache file of `cards` built into
    `out` beside it (it depends on where it is), and `{legacy-cache}`/`{legacy-state}` by
    what an older deckgen kept instead."""
    digest = folder_digest(cards)
    text = text.replace("{cache}", cache_path(cards.parent / "out", cards).name)
    text = text.replace("{legacy-cache}", f".deckgen-cache-{digest}")
    return text.replace("{legacy-state}", f".deckgen-state-{digest}.json")


_SOCKETS: list[socket.socket] = []


def _bind(path: Path) -> None:
    """A Unix socket at `path`, bound from its folder (the full path may be too long)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous = Path.cwd()
    os.chdir(path.parent)
    try:
        server.bind(path.name)
    finally:
        os.chdir(previous)
    _SOCKETS.append(server)  # kept open until the run ends


def run(args: list[str], workdir: Path) -> Result:
    """deckgen ARGS, run from `workdir` as a user would."""
    previous = Path.cwd()
    os.chdir(workdir)
    try:
        return CliRunner().invoke(cli, args, env={"SOURCE_DATE_EPOCH": EPOCH, "NO_COLOR": "1"})
    finally:
        os.chdir(previous)


def counterpart(args: list[str]) -> list[str]:
    """`build` for `check` and `check` for `build`, with the same cards and strictness."""
    options = [arg for arg in args[1:] if arg not in ("--out", "out", "--dry-run")]
    if args[0] == "check":
        return ["build", *options, "--out", "out"]
    return ["check", *options]


def snapshot(workdir: Path) -> dict[str, str]:
    """The sha256 of every file a failed command must leave as it was: every file under
    the cards folders and every package in `out/` (links as what they point to)."""
    found: dict[str, str] = {}
    for folder in [workdir / "out", *sorted(p for p in workdir.iterdir() if p.is_dir())]:
        for path in sorted(folder.rglob("*")):
            if folder.name == "out" and path.suffix != ".apkg":
                continue
            with contextlib.suppress(OSError):
                if path.is_symlink():
                    found[str(path)] = f"-> {path.readlink()}"
                elif path.is_file():
                    found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def temporary_files(workdir: Path) -> list[str]:
    """Temporary files or folders of deckgen's under `workdir` (none after any run)."""
    return sorted(str(path) for path in workdir.rglob("*") if TEMPORARY.search(path.name))
