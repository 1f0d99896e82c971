"""Note types: what they are, and the two that several kinds share (Q&A and cloze); each
kind defines its own beside its notes. Field lists are designed to last: changing them
forces Anki users to merge note types on import, so add templates or CSS instead wherever
possible.

Templates and CSS are files (deckgen's in the package data, `templates/`), not strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from deckgen.kinds.ids import stable_id

#: The field Anki sorts a note type's notes by in its browser: the first, for every one
#: (the model's `sort_field_index`, "sortf" in its JSON; `sfld` in each note's row).
SORT_FIELD = 0


@dataclass(frozen=True)
class Template:
    name: str
    front: str  # file names under templates/
    back: str


@dataclass(frozen=True)
class NoteType:
    """One Anki note type. `key` is fixed forever: the model id is derived from it."""

    key: str
    name: str
    fields: tuple[str, ...]
    templates: tuple[Template, ...]
    css: str = "style.css"
    cloze: bool = False
    stock_kind: int | None = None
    #: Anki's field tags for stock note types (image occlusion), by field name.
    field_tags: tuple[tuple[str, int], ...] = ()
    #: Where the template and CSS files are: None for deckgen's own (the package data).
    folder: Path | None = None

    @property
    def model_id(self) -> int:
        return stable_id("model", self.key)

    def field_id(self, field: str) -> int:
        return stable_id("field", self.key, field)

    def template_id(self, template: str) -> int:
        return stable_id("template", self.key, template)

    def template_texts(self) -> list[tuple[str, str, str]]:
        """(name, front, back) of each card template, read from their files."""
        return [
            (t.name, read_template(t.front, self.folder), read_template(t.back, self.folder))
            for t in self.templates
        ]

    def css_text(self) -> str:
        return read_template(self.css, self.folder)


@cache
def read_template(name: str, folder: Path | None = None) -> str:
    """A template or CSS file: in `folder`, else in deckgen's own templates."""
    if folder is not None:
        return (folder / name).read_text(encoding="utf-8")
    return (resources.files(__package__) / "templates" / name).read_text(encoding="utf-8")


#: Question and answer: clinical-context facts, "which condition?" and comparison cards.
QA = NoteType(
    key="qa",
    name="deckgen Q&A",
    fields=("Question", "Answer", "Topic", "Extra", "Sources"),
    templates=(Template("Question → Answer", "qa.front.html", "qa.back.html"),),
)

CLOZE = NoteType(
    key="cloze",
    name="deckgen Cloze",
    fields=("Text", "Topic", "Extra", "Image", "Sources"),
    templates=(Template("Cloze", "cloze.front.html", "cloze.back.html"),),
    cloze=True,
)
