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


#: The sets of field names that validated models were given, one of each (`share_fields_set`).
_FIELDS_SETS: dict[frozenset[str], set[str]] = {}


def share_fields_set(model: BaseModel) -> None:
    """Let `model` and the models in its fields (and in lists there) share their sets of
    the fields they were given.

    Pydantic keeps such a set in every model (`model_fields_set`): at 20,000 notes, 72,000
    sets of a few names, 25 MB, and only a few distinct ones. The models are frozen, so
    nothing adds to a set once validated, and one set serves all that are equal."""
    given = model.__pydantic_fields_set__
    shared = _FIELDS_SETS.setdefault(frozenset(given), given)
    object.__setattr__(model, "__pydantic_fields_set__", shared)  # as pydantic sets it
    for value in model.__dict__.values():
        if type(value) is list:
            for item in value:
                if isinstance(item, BaseModel):
                    share_fields_set(item)
        elif isinstance(value, BaseModel):
            share_fields_set(value)


class Cited(Strict):
    """A list item with its own sources, cited beside it on the card: `{text: ..., sources:
    [key, ...]}`. A plain item rests on the note's `sources`."""

    text: Text = Field(description="The item, as a plain item would be written.")
    sources: list[SourceKey] = Field(min_length=1, description="Keys from sources.yaml.")


#: A list item: text, or text with its own sources.
Entry = Text | Cited


def entry_text(entry: str | Cited) -> str:
    return entry.text if isinstance(entry, Cited) else entry


def entry_sources(entry: str | Cited) -> tuple[str, ...]:
    """The item's own sources (none for a plain item)."""
    return tuple(entry.sources) if isinstance(entry, Cited) else ()


def all_sources(record: BaseModel) -> tuple[str, ...]:
    """Every source a record cites: its own `sources` first, then its parts' (`Cited` items,
    a comparison's, `location_sources` and the like), each once, in order."""
    found: dict[str, None] = dict.fromkeys(getattr(record, "sources", ()))
    _add_sources(record, found)
    return tuple(found)


def _add_sources(value: object, found: dict[str, None]) -> None:
    """Add the sources cited in `value` and its parts to `found`. (A function of its own,
    not a closure: a recursive closure is a reference cycle, which the build, its cyclic
    collector paused, would keep until it ends.)"""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            item = getattr(value, name)
            if name.endswith("sources") and isinstance(item, list):
                found.update(dict.fromkeys(item))
            else:
                _add_sources(item, found)
    elif isinstance(value, list):
        for item in value:
            _add_sources(item, found)
