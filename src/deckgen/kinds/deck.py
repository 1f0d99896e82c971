"""`deck.yaml` and `sources.yaml`: the deck, its subdecks (one per kind) and its sources."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import Field, create_model

from deckgen.kinds.fields import DeckName, Slug, SourceKey, Strict, Text

if TYPE_CHECKING:
    from deckgen.kinds.kind import Kind

#: The endings of the YAML files deckgen reads.
YAML_SUFFIXES = (".yaml", ".yml")


# One subdeck name per kind: the fields are made from the registry (`deck_model`). No
# docstring: it would be the description in the JSON Schema.
class Subdecks(Strict):
    pass


class DiagramSource(Strict):
    """A base image of your own for point diagrams."""

    image: Text = Field(description="Path inside the cards folder: an SVG, PNG or JPEG file.")
    title: Text = Field(description="What the image shows, e.g. 'Face, front view'.")


class DeckConfig(Strict):
    """`deck.yaml`: the parent deck and its subdecks."""

    id: Slug | None = Field(
        None,
        description="The deck's own id (`deckgen init` writes one): its notes keep their "
        "identity in Anki when the deck is renamed. Never change it.",
    )
    name: DeckName = Field(
        description="Parent deck name, e.g. 'Acupuncture for Facial Spasm'; '::' makes it a "
        "subdeck of another."
    )
    description: Text = Field(description="Shown on the deck's overview screen in Anki.")
    version: Text = Field("1.0", description="The deck's own version, shown in its description.")
    subdecks: Subdecks = Field(default_factory=Subdecks)
    diagrams: dict[Slug, DiagramSource] = Field(
        default_factory=dict,
        description="Your own base images, by name; points place themselves on them by name.",
    )
    occlusion_min_points: int = Field(
        3,
        ge=1,
        description="A diagram gets an image-occlusion note (name each masked point) only "
        "when at least this many points are on it; with fewer, each point's own diagram "
        "card asks for it.",
    )
    order: list[Text] = Field(
        default_factory=list,
        description="Note ids in the order their new cards should appear; notes not listed "
        "follow in file-name order.",
    )

    def subdeck(self, folder: str) -> str:
        """The subdeck name of the kind whose folder is `folder`."""
        return str(getattr(self.subdecks, folder))


@cache
def deck_model(kinds: Sequence[Kind[Any, Any]]) -> type[DeckConfig]:
    """The model of deck.yaml for these kinds: `subdecks` has one key per kind's folder."""
    fields: dict[str, Any] = {
        kind.folder: (Text, Field(kind.subdeck, description=kind.subdeck_help)) for kind in kinds
    }
    subdecks = create_model("Subdecks", __base__=Subdecks, **fields)
    order = (
        f"Note ids ({_note_ids(kinds)}) in the order their new cards should appear; notes not "
        "listed follow in file-name order."
    )
    return create_model(
        "DeckConfig",
        __base__=DeckConfig,
        __doc__=DeckConfig.__doc__,
        subdecks=(subdecks, Field(default_factory=subdecks)),
        order=(list[Text], Field(default_factory=list, description=order)),
    )


def _note_ids(kinds: Sequence[Kind[Any, Any]]) -> str:
    """What the kinds' note ids are called: 'point codes, concept, condition and fact ids'
    (a note's id is its `id_key`)."""
    named = [kind.name for kind in kinds if kind.id_key == "id"]
    parts = [f"{kind.name} {kind.id_key}s" for kind in kinds if kind.id_key != "id"]
    if named:
        head, last = ", ".join(named[:-1]), named[-1]
        parts.append(f"{head} and {last} ids" if head else f"{last} ids")
    return ", ".join(parts)


class Source(Strict):
    """One reference that notes cite by its key."""

    title: Text = Field(description="Full citation as shown on the cards.")
    short: Text = Field(description="Short label for the card footer, e.g. 'WHO 2008'.")
    url: Text | None = Field(None, description="Where to read it, if public.")


#: `sources.yaml`: citation key -> source.
Sources = dict[SourceKey, Source]
