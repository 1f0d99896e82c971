"""Image occlusion: one note per diagram, each point on it a dot with its label, masked
(Anki's native image occlusion, so readers can edit the masks in Anki)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from deckgen.kinds.drawing import MediaFile
from deckgen.kinds.html import attribute, html_list, plain
from deckgen.kinds.kind import NoteContext
from deckgen.kinds.notetypes import NoteType, Template
from deckgen.kinds.spec import NoteSpec, note_spec, note_tags

if TYPE_CHECKING:
    from deckgen.kinds.point import PointSummary

#: Anki's `originalStockKind` for image occlusion (23.10+): enables the mask editor.
IMAGE_OCCLUSION_KIND = 6
OCCLUSION = NoteType(
    key="occlusion",
    name="deckgen Image Occlusion",
    fields=("Occlusion", "Image", "Header", "Back Extra", "Comments"),
    templates=(Template("Image Occlusion", "occlusion.front.html", "occlusion.back.html"),),
    cloze=True,
    stock_kind=IMAGE_OCCLUSION_KIND,
    field_tags=(("Occlusion", 0), ("Image", 1), ("Header", 2), ("Back Extra", 3), ("Comments", 4)),
)


def occlusion_notes(
    summaries: Sequence[PointSummary], context: NoteContext, deck: str
) -> Iterator[NoteSpec]:
    """One image-occlusion note per diagram with enough points on it (deck.yaml's
    `occlusion_min_points`): every point drawn as a dot with its label, and masked, one
    card each, in the order of `summaries` (the deck's order), in `deck`."""
    placed: dict[str, list[PointSummary]] = {}
    for summary in summaries:
        if summary.diagram is not None:
            placed.setdefault(summary.diagram[0], []).append(summary)
    for name, points in placed.items():
        if len(points) < context.deck.occlusion_min_points:
            continue  # one or two masks: the points' own diagram cards ask the same
        diagram = context.diagram(name)
        marks = [(p.diagram[1], p.diagram[2], p.note_id) for p in points if p.diagram]
        labels = diagram.spread(marks)
        image = diagram.labelled(f"{name}-all", labels)
        numbers = context.occlusion.get(name, {})
        masks = "".join(
            _mask(numbers.get(label.text, index), box)
            for index, label in enumerate(labels, start=1)
            for box in diagram.mask_boxes(label)  # the label and its dot
        )
        # Names are shown verbatim, as on the point notes (and need no Markdown parser).
        names = [
            f"<strong>{plain(p.note_id)}</strong> {plain(p.pinyin)} {plain(p.hanzi)} "
            f"({plain(p.english)})"
            for p in points
        ]
        keys = list(dict.fromkeys(key for p in points for key in p.sources))
        fields = {
            "Occlusion": masks,
            "Image": img_tag(image, diagram.title),
            "Header": plain(f"{diagram.title}: name the masked point"),
            "Back Extra": html_list(names),
            "Comments": context.cite(keys),
        }
        tags = note_tags("occlusion", f"diagram::{name}")
        # The deck is part of the id: two decks may draw on the same built-in diagram.
        note_id = f"{context.deck_id}/{name}"
        yield note_spec("", "occlusion", note_id, OCCLUSION, fields, tags, deck, (image,))


def img_tag(media: MediaFile, alt: str) -> str:
    return f'<img src="{attribute(media.name)}" alt="{attribute(alt)}">'


def _mask(number: int, box: tuple[float, float, float, float]) -> str:
    left, top, width, height = box
    return (
        f"{{{{c{number}::image-occlusion:rect:left={left:.4f}:top={top:.4f}"
        f":width={width:.4f}:height={height:.4f}:oi=1}}}}"
    )
