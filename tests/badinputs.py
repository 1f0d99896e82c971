"""The bad-input corpus: each `tests/bad_inputs/<case>.yaml` is one broken file plus what
deckgen must say about it.

A case is copied into a fresh copy of `tests/bad_inputs/_base/` (a small valid cards
folder) and deckgen is run on it. Its leading comment lines say how:

    # target: points/ST2.yaml        where this file goes (it replaces the base's file)
    # remove: deck.yaml              delete a base file or folder first (repeatable)
    # write: images/face.png = <png> write another file (repeatable); the value is
                                     Python-escaped bytes, or <png>, <jpeg> or <svg>
    # symlink: images/a.png -> ../outside.png   make a link (repeatable)
    # run: check --strict            the command (default: check)
    # exit: 0                        the exit status (default: 1)
    # > Error: cards/points/ST2.yaml:12:10: ...   the exact output, one line each

The file is copied byte for byte, header included, so line numbers in the expected output
are line numbers of the case file itself. Beside the cards folder the harness puts
`outside.png` and `outside.yaml`, for cases about paths that leave the cards folder.
"""

from __future__ import annotations

import codecs
import os
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner, Result

from deckgen.cli import cli

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
BASE = CORPUS / "_base"

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00"
    b"\x90\x91h6\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + (
    b"\xff\xc0\x00\x11\x08\x00\x10\x00\x10\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xd9"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect/></svg>\n'
SAMPLES = {"<png>": PNG, "<jpeg>": JPEG, "<svg>": SVG}

_DIRECTIVE = re.compile(r"^# (target|remove|write|symlink|run|exit): ?(.*)$")


@dataclass
class Case:
    name: str
    raw: bytes
    target: str | None = None
    remove: list[str] = field(default_factory=list)
    write: list[tuple[str, bytes]] = field(default_factory=list)
    symlink: list[tuple[str, str]] = field(default_factory=list)
    args: list[str] = field(default_factory=lambda: ["check"])
    exit_code: int = 1
    expected: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        return "".join(line + "\n" for line in self.expected)


def cases() -> list[Case]:
    return [read_case(path) for path in sorted(CORPUS.glob("*.yaml"))]


def read_case(path: Path) -> Case:
    raw = path.read_bytes()
    case = Case(name=path.stem, raw=raw)
    text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# > "):
            case.expected.append(line[4:])
            continue
        match = _DIRECTIVE.match(line)
        if match is None:
            continue
        key, value = match.groups()
        if key == "target":
            case.target = value
        elif key == "remove":
            case.remove.append(value)
        elif key == "write":
            name, _, content = value.partition(" = ")
            data = SAMPLES.get(content) or codecs.escape_decode(content.encode())[0]
            case.write.append((name, data))
        elif key == "symlink":
            link, _, points_to = value.partition(" -> ")
            case.symlink.append((link, points_to))
        elif key == "run":
            case.args = shlex.split(value)
        elif key == "exit":
            case.exit_code = int(value)
    return case


def set_up(case: Case, workdir: Path) -> Path:
    """The case's cards folder under `workdir`, ready to check."""
    cards = workdir / "cards"
    shutil.copytree(BASE, cards)
    (workdir / "outside.png").write_bytes(PNG)
    (workdir / "outside.yaml").write_text("code: ST9\n", encoding="utf-8")
    for name in case.remove:
        victim = cards / name
        if victim.is_dir():
            shutil.rmtree(victim)
        else:
            victim.unlink()
    if case.target is not None:
        (cards / case.target).parent.mkdir(parents=True, exist_ok=True)
        (cards / case.target).write_bytes(case.raw)
    for name, data in case.write:
        (cards / name).parent.mkdir(parents=True, exist_ok=True)
        (cards / name).write_bytes(data)
    for link, points_to in case.symlink:
        (cards / link).parent.mkdir(parents=True, exist_ok=True)
        (cards / link).symlink_to(points_to)
    return cards


def run(args: list[str], workdir: Path) -> Result:
    """deckgen ARGS, run from `workdir` as a user would."""
    previous = Path.cwd()
    os.chdir(workdir)
    try:
        return CliRunner().invoke(cli, args)
    finally:
        os.chdir(previous)
