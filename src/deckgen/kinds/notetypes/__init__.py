"""Deckgen's note types. Field lists are designed to last: changing them forces Anki users
to merge note types on import, so add templates or CSS instead wherever possible.

Templates and CSS are package data files (`templates/`), not Python strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from deckgen.kinds.ids import stable_id

#: Anki's `originalStockKind` for image occlusion (23.10+): enables the mask editor.
IMAGE_OCCLUSION_KIND = 6


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

    @property
    def model_id(self) -> int:
        return stable_id("model", self.key)

    def field_id(self, field: str) -> int:
        return stable_id("field", self.key, field)

    def template_id(self, template: str) -> int:
        return stable_id("template", self.key, template)

    def template_texts(self) -> list[tuple[str, str, str]]:
        """(name, front, back) of each card template, read from the package data."""
        return [(t.name, read_template(t.front), read_template(t.back)) for t in self.templates]

    def css_text(self) -> str:
        return read_template(self.css)


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
        "DiagramLabelled",
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
        Template("Definition → Term", "concept-def.front.html", "concept-def.back.html"),
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
        Template("Condition → Cause", "condition-cause.front.html", "condition-cause.back.html"),
        Template("Condition → Workup", "condition-workup.front.html", "condition-workup.back.html"),
        Template(
            "Condition → Treatment",
            "condition-treatment.front.html",
            "condition-treatment.back.html",
        ),
        Template(
            "Condition → Red flags", "condition-redflags.front.html", "condition-redflags.back.html"
        ),
    ),
)

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

OCCLUSION = NoteType(
    key="occlusion",
    name="deckgen Image Occlusion",
    fields=("Occlusion", "Image", "Header", "Back Extra", "Comments"),
    templates=(Template("Image Occlusion", "occlusion.front.html", "occlusion.back.html"),),
    cloze=True,
    stock_kind=IMAGE_OCCLUSION_KIND,
    field_tags=(("Occlusion", 0), ("Image", 1), ("Header", 2), ("Back Extra", 3), ("Comments", 4)),
)

ALL_NOTE_TYPES = (POINT, CONCEPT, CONDITION, QA, CLOZE, OCCLUSION)
