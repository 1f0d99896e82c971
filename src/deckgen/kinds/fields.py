"""The field types every kind's model is made of: text, ids, tags, source keys.

Each id pattern is written once, here, with the words that messages, `deckgen new` and the
JSON Schema use for it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from deckgen.source.messages import describe_pattern

#: A point code: letters and digits, parts joined by single hyphens ('ST2', 'EX-HN4').
CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$"
#: An id: lowercase letters and digits joined by single hyphens ('hemifacial-spasm').
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
TAG_PATTERN = r"^[a-z0-9-]+(::[a-z0-9-]+)*$"

describe_pattern(
    CODE_PATTERN,
    "a code of letters and digits such as 'ST2' or 'EX-HN4' (parts joined by single hyphens)",
)
describe_pattern(
    SLUG_PATTERN,
    "lowercase letters and digits joined by single hyphens, such as 'hemifacial-spasm'",
)
describe_pattern(
    TAG_PATTERN,
    "a tag of lowercase letters, digits and hyphens, levels joined by '::', "
    "such as 'topic::facial-palsy'",
)

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
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN, max_length=20)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=60)]
Tag = Annotated[str, StringConstraints(pattern=TAG_PATTERN, max_length=80)]
SourceKey = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=40)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    """A model of YAML: unknown keys are reported, values are frozen, numbers may be text."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
    )
