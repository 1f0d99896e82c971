"""The YAML format: one frozen, typed model per file kind.

Field descriptions double as the documentation in the JSON Schema that editors use.
Validation of single files happens here; checks that span files live in `validate.py`.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

#: Text that is not empty once stripped (`pattern` tells editors the same).
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1),
    Field(json_schema_extra={"pattern": r"\S"}),
]
#: A deck's name: its .apkg is named after it, and a file name has at most 255 bytes.
DeckName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    Field(json_schema_extra={"pattern": r"\S"}),
]
Code = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$", max_length=20)
]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+(::[a-z0-9-]+)*$", max_length=80)]
SourceKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
    )


class Channel(str, Enum):
    """The channel a point belongs to (`extra` for points outside the twelve and GV/CV)."""

    lung = "lung"
    large_intestine = "large-intestine"
    stomach = "stomach"
    spleen = "spleen"
    heart = "heart"
    small_intestine = "small-intestine"
    bladder = "bladder"
    kidney = "kidney"
    pericardium = "pericardium"
    triple_energizer = "triple-energizer"
    gallbladder = "gallbladder"
    liver = "liver"
    governor = "governor-vessel"
    conception = "conception-vessel"
    extra = "extra"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


class Subdecks(_Strict):
    points: Text = Field("Points", description="Subdeck for point notes.")
    concepts: Text = Field("TCM Concepts", description="Subdeck for TCM concept notes.")
    conditions: Text = Field("Western Differential", description="Subdeck for condition notes.")
    facts: Text = Field("Clinical Context", description="Subdeck for clinical-context facts.")


class DiagramSource(_Strict):
    """A base image of your own for point diagrams."""

    image: Text = Field(description="Path inside the cards folder: an SVG, PNG or JPEG file.")
    title: Text = Field(description="What the image shows, e.g. 'Face, front view'.")


class DeckConfig(_Strict):
    """`deck.yaml`: the parent deck and its subdecks."""

    name: DeckName = Field(
        description="Parent deck name, e.g. 'Acupuncture for Facial Spasm'; '::' makes it a "
        "subdeck of another."
    )
    description: Text = Field(description="Shown on the deck's overview screen in Anki.")
    version: Text = Field("1.0", description="The deck's own version, shown in its description.")
    subdecks: Subdecks = Field(default_factory=lambda: Subdecks())
    diagrams: dict[Slug, DiagramSource] = Field(
        default_factory=dict,
        description="Your own base images, by name; points place themselves on them by name.",
    )
    order: list[Text] = Field(
        default_factory=list,
        description="Note ids (point codes, concept, condition and fact ids) in the order their "
        "new cards should appear; notes not listed follow in file-name order.",
    )


class Source(_Strict):
    """One reference that notes cite by its key."""

    title: Text = Field(description="Full citation as shown on the cards.")
    short: Text = Field(description="Short label for the card footer, e.g. 'WHO 2008'.")
    url: Text | None = Field(None, description="Where to read it, if public.")


class Needling(_Strict):
    depth: Text = Field(description="Typical depth, e.g. '0.3-0.5 cun'.")
    angle: Text = Field(description="Perpendicular, oblique, transverse; and direction.")
    method: Text | None = Field(None, description="Extra technique, e.g. 'pinch the skin'.")
    cautions: list[Text] = Field(default_factory=list, description="Safety cautions.")


class DiagramPlacement(_Strict):
    name: Slug = Field(description="Which diagram, e.g. 'face-front'.")
    x: Fraction = Field(description="Horizontal position, 0 = left edge, 1 = right edge.")
    y: Fraction = Field(description="Vertical position, 0 = top edge, 1 = bottom edge.")


class Point(_Strict):
    """An acupuncture point; `points/<CODE>.yaml`."""

    code: Code = Field(description="WHO code (the note's id), e.g. 'ST2' or 'EX-HN4'.")
    aliases: list[Code] = Field(default_factory=list, description="Other codes, e.g. 'SJ17'.")
    pinyin: Text
    hanzi: Text
    english: Text = Field(description="English name, e.g. 'Four Whites'.")
    channel: Channel
    location: Text = Field(description="Standard location in your own words.")
    location_cloze: list[Text] = Field(
        default_factory=list,
        description="Phrases of `location` to hide on a location cloze card, one card each.",
    )
    needling: Needling
    actions: list[Text] = Field(default_factory=list, description="TCM actions.")
    indications: list[Text] = Field(min_length=1, description="What it is used for.")
    notes: list[Text] = Field(
        default_factory=list,
        description="Further facts, and claims marked 'claimed by <source>' beside the correction.",
    )
    diagram: DiagramPlacement | None = None
    tags: list[Tag] = Field(default_factory=list)
    sources: list[SourceKey] = Field(min_length=1, description="Keys from sources.yaml.")


class Concept(_Strict):
    """A TCM concept; `concepts/<id>.yaml`."""

    id: Slug
    term: Text
    pinyin: Text | None = None
    hanzi: Text | None = None
    definition: Text
    cloze: list[Text] = Field(
        default_factory=list,
        description="Key phrases of `definition` to hide on a cloze card, one card each.",
    )
    relevance: Text | None = Field(None, description="Why it matters clinically.")
    related_points: list[Code] = Field(default_factory=list, description="Point codes.")
    tags: list[Tag] = Field(default_factory=list)
    sources: list[SourceKey] = Field(min_length=1, description="Keys from sources.yaml.")


class Difference(_Strict):
    condition: Slug = Field(description="Id of the other condition.")
    how: Text = Field(description="How this condition differs from it.")


class Condition(_Strict):
    """A condition in the Western differential; `conditions/<id>.yaml`."""

    id: Slug
    name: Text
    key_features: list[Text] = Field(min_length=1)
    hallmarks: list[Text] = Field(
        default_factory=list,
        description="Features that point to this condition and to no other in the deck; "
        "each becomes a 'which condition?' card.",
    )
    cause: Text
    workup: list[Text] = Field(default_factory=list)
    treatment: list[Text] = Field(default_factory=list)
    distinguish_from: list[Difference] = Field(default_factory=list)
    red_flags: list[Text] = Field(default_factory=list)
    tags: list[Tag] = Field(default_factory=list)
    sources: list[SourceKey] = Field(min_length=1, description="Keys from sources.yaml.")


class Fact(_Strict):
    """A clinical-context fact (evidence, safety, claims); `facts/<id>.yaml`."""

    id: Slug
    question: Text = Field(description="The prompt; one fact per card.")
    answer: Text = Field(description="A short answer, not a paragraph.")
    extra: Text | None = Field(None, description="Context shown after the answer.")
    tags: list[Tag] = Field(default_factory=list)
    sources: list[SourceKey] = Field(min_length=1, description="Keys from sources.yaml.")


NoteRecord = Point | Concept | Condition | Fact

#: Folder under the cards directory -> the model of each file in it.
NOTE_FOLDERS: dict[str, type[Point] | type[Concept] | type[Condition] | type[Fact]] = {
    "points": Point,
    "concepts": Concept,
    "conditions": Condition,
    "facts": Fact,
}
