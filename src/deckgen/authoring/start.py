"""`deckgen init`: a new deck project that builds at once.

It writes `cards/` (deck.yaml with the deck's stable id, sources.yaml, one example note per
kind that has one), `schemas/`, editor settings that map each folder to its schema, a
`.gitignore` for `build/` and a `.gitattributes` that keeps the lock's lines as they are
(the lock merges line by line after a git merge). It never overwrites a file: one that
exists is kept and reported.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from deckgen.authoring.schemas import schema_text, schemas
from deckgen.kinds import registry
from deckgen.kinds.ids import slug
from deckgen.source.cardsfolder import DECK_FILE, SOURCES_FILE
from deckgen.source.errors import DeckgenError, display_path
from deckgen.state.lock import LOCK_FILE

#: Where `init` puts things inside the project folder (the defaults of every command).
CARDS = "cards"
SCHEMAS = "schemas"

_GITIGNORE = "# deckgen's output: the .apkg, the preview and the build cache\nbuild/\n"
_GITATTRIBUTES = (
    "# deckgen's lock: LF line endings on every platform, so that git merges it line by line\n"
    "# and a merged lock reads the same everywhere (deckgen merges what git could not).\n"
    f"{CARDS}/{LOCK_FILE} text eol=lf\n"
    "*.yaml text eol=lf\n"
)


@dataclass
class Started:
    """What `init` wrote, and what it found already there and kept."""

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def deck_yaml(name: str) -> str:
    """deck.yaml for a deck called `name`, with a stable id of its own: the deck's notes
    keep their identity in Anki when it is renamed, and two decks of one name never mix."""
    deck_id = f"{slug(name) or 'deck'}-{secrets.token_hex(3)}"
    quoted = json.dumps(name, ensure_ascii=False)
    return (
        f"# yaml-language-server: $schema=../{SCHEMAS}/deck.schema.json\n"
        f"# The deck's own id: keep it when you rename the deck.\n"
        f"id: {deck_id}\n"
        f"name: {quoted}\n"
        "description: >-\n"
        "  What this deck teaches (shown on the deck's overview screen in Anki).\n"
        'version: "0.1"\n'
    )


def editor_settings() -> str:
    """VS Code settings (yaml-language-server): each folder's files against its schema."""
    mapping = {f"{SCHEMAS}/deck.schema.json": f"{CARDS}/{DECK_FILE}"}
    mapping[f"{SCHEMAS}/sources.schema.json"] = f"{CARDS}/{SOURCES_FILE}"
    for kind in registry.kinds():
        mapping[f"{SCHEMAS}/{kind.name}.schema.json"] = f"{CARDS}/{kind.folder}/*.yaml"
    return json.dumps({"yaml.schemas": mapping}, indent=2) + "\n"


def start_project(folder: Path, *, name: str | None = None) -> Started:
    """Make `folder` a deck project (see the module docstring); never overwrite a file.

    Raises `DeckgenError` if `folder/cards` already holds a deck.
    """
    cards = folder / CARDS
    if (cards / DECK_FILE).exists():
        raise DeckgenError(
            f"{display_path(cards / DECK_FILE)} already exists: this folder already has a deck "
            "(deckgen init never overwrites a file)"
        )
    title = name or _title(folder)
    files: dict[Path, str] = {
        cards / DECK_FILE: deck_yaml(title),
        cards / SOURCES_FILE: _starter(SOURCES_FILE),
    }
    for kind in registry.kinds():
        for example in _examples(kind.folder):
            files[cards / kind.folder / example] = _starter(f"{kind.folder}/{example}")
    files |= {folder / SCHEMAS / f"{n}.schema.json": schema_text(n) for n in schemas()}
    files[folder / ".vscode" / "settings.json"] = editor_settings()
    files[folder / ".gitignore"] = _GITIGNORE
    files[folder / ".gitattributes"] = _GITATTRIBUTES
    started = Started()
    for path, text in files.items():
        if path.exists() or path.is_symlink():
            started.kept.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as handle:  # never overwrite
            handle.write(text)
        started.written.append(path)
    return started


def _title(folder: Path) -> str:
    """A deck name from the project folder's name ('my-deck' -> 'My deck')."""
    words = folder.resolve().name.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "My deck"


def _starter(name: str) -> str:
    return (resources.files("deckgen.authoring") / "starter_deck" / name).read_text("utf-8")


def _examples(folder: str) -> list[str]:
    """The example notes shipped for a kind's folder (none for a kind without them)."""
    place = resources.files("deckgen.authoring") / "starter_deck" / folder
    if not place.is_dir():
        return []
    return sorted(item.name for item in place.iterdir() if item.name.endswith(".yaml"))
