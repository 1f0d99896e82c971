"""Deckgen's note types. Field lists are designed to last: changing them forces Anki users
to merge note types on import, so add templates or CSS instead wherever possible.

Templates and CSS are package data files (`templates/`), not Python strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from deckgen.ids import stable_id


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

    @property
    def model_id(self) -> int:
        return stable_id("model", self.key)

    def field_id(self, field: str) -> int:
        return stable_id("field", self.key, field)

    def template_id(self, template: str) -> int:
        return stable_id("template", self.key, template)


@cache
def read_template(name: str) -> str:
    return (resources.files(__package__) / "templates" / name).read_text(encoding="utf-8")


POINT = NoteType(
    key="point",
    name="deckgen Point",
    fields=(
        "Code",
        "Aliases",
        "Pinyin",
        "Hanzi",
        "English",
        "Channel",
        "Location",
        "Diagram",
        "Needling",
        "Cautions",
        "Actions",
        "Indications",
        "Notes",
        "Sources",
    ),
    templates=(
        Template("Code → Location", "point-location.front.html", "point-location.back.html"),
        Template("Diagram → Point", "point-diagram.front.html", "point-diagram.back.html"),
        Template("Point → Actions", "point-actions.front.html", "point-actions.back.html"),
        Template("Point → Needling", "point-needling.front.html", "point-needling.back.html"),
    ),
)

CONCEPT = NoteType(
    key="concept",
    name="deckgen Concept",
    fields=("Term", "Pinyin", "Hanzi", "Definition", "Relevance", "Related", "Sources"),
    templates=(
        Template("Term → Definition", "concept-term.front.html", "concept-term.back.html"),
        Template(
            "Definition → Term", "concept-definition.front.html", "concept-definition.back.html"
        ),
    ),
)

CONDITION = NoteType(
    key="condition",
    name="deckgen Condition",
    fields=(
        "Name",
        "Features",
        "Cause",
        "Workup",
        "Treatment",
        "Distinguish",
        "RedFlags",
        "Sources",
    ),
    templates=(
        Template(
            "Condition → Features", "condition-features.front.html", "condition-features.back.html"
        ),
    ),
)

FACT = NoteType(
    key="fact",
    name="deckgen Fact",
    fields=("Question", "Answer", "Extra", "Sources"),
    templates=(Template("Question → Answer", "fact.front.html", "fact.back.html"),),
)

ALL_NOTE_TYPES = (POINT, CONCEPT, CONDITION, FACT)
