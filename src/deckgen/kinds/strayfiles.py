"""YAML files in the cards folder that are no note file, deck.yaml or sources.yaml: their
text would be left out of the deck, so each is an error that says where it belongs."""

from __future__ import annotations

import difflib
from pathlib import Path

from deckgen.kinds import registry
from deckgen.kinds.deck import YAML_SUFFIXES
from deckgen.source.cardsfolder import DECK_FILE, SOURCES_FILE
from deckgen.source.errors import Findings, problem_at
from deckgen.source.images import is_media

#: How to keep a YAML file in the cards folder that is not for the deck.
_KEEP = "; to keep it here unread, put it in a folder whose name starts with '.'"


def stray_yaml(root: Path, files: list[str], findings: Findings) -> None:
    """An error for each YAML file (of `files`, relative to `root`) that deckgen would not
    read: a misspelt folder, a subfolder of a note folder, a misspelt deck.yaml."""
    folders = registry.folders()
    listed = or_list(", ".join(f"{folder}/" for folder in folders))
    for name in files:
        parts = tuple(name.split("/"))
        if not name.endswith(YAML_SUFFIXES):
            message = _not_yaml(name, parts, folders)
            if message:
                findings.error(problem_at(root / name, 1, 1, message + _KEEP))
            continue
        if parts in ((DECK_FILE,), (SOURCES_FILE,)):
            continue
        if len(parts) == 2 and parts[0] in folders:
            continue
        if len(parts) == 1:
            hint = did_you_mean(parts[0], [DECK_FILE, SOURCES_FILE])
            message = (
                f"YAML file would be left out of the deck{hint}: only deck.yaml and "
                f"sources.yaml are read here; notes go in {listed}"
            )
        elif parts[0] in folders:
            message = (
                "YAML file would be left out of the deck: put notes directly in "
                f"{parts[0]}/, not in a subfolder"
            )
        else:
            hint = did_you_mean(f"{parts[0]}/", [f"{folder}/" for folder in folders])
            message = (
                f"YAML file would be left out of the deck{hint}: '{parts[0]}/' is not a "
                f"note folder ({listed})"
            )
        findings.error(problem_at(root / name, 1, 1, message + _KEEP))


def _not_yaml(name: str, parts: tuple[str, ...], folders: tuple[str, ...]) -> str | None:
    """Why a file that is not named as YAML would be left out, if it would be: a note file
    with its ending in capitals, or another file in a note folder (images aside)."""
    if name.lower().endswith(YAML_SUFFIXES):
        return "YAML file would be left out of the deck: name it with '.yaml' in lower case"
    if len(parts) == 2 and parts[0] in folders and not is_media(name):
        return (
            f"not a note file: it would be left out of the deck (notes in {parts[0]}/ end in .yaml)"
        )
    return None


def or_list(folders: str) -> str:
    """'a/, b/, c/' -> 'a/, b/ or c/'."""
    head, _, last = folders.rpartition(", ")
    return f"{head} or {last}" if head else last


def did_you_mean(name: str, options: list[str]) -> str:
    """' (did you mean 'x'?)' for the option closest to `name`, if one is close."""
    close = difflib.get_close_matches(name, options, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
