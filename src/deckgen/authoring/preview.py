"""`deckgen preview`: a static page showing every card, front and back, as Anki shows it.

The cards are rendered from the note types' own templates and CSS (`deckgen.anki.templates`),
grouped by deck and note kind, with a filter by tag and text. The page is one self-contained file
(inline CSS and JS, nothing fetched) with the media copied beside it. Nothing else is
written: no .apkg, and the lock is only read (for the image-occlusion numbering).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path
from string import Template

from deckgen.anki.cards import card_ordinals
from deckgen.anki.templates import render
from deckgen.build.load import Loaded, load_folder
from deckgen.kinds import registry
from deckgen.kinds.drawing import MediaFile
from deckgen.kinds.notetypes import NoteType
from deckgen.kinds.spec import NoteSpec
from deckgen.state.commit import write_atomically


def kind_labels() -> dict[str, str]:
    """Headings for the kinds of note the registered kinds make (see `Kind.labels`); any
    other is shown by its name."""
    return {note: label for kind in registry.kinds() for note, label in kind.labels.items()}


#: Media names made by deckgen.media.media_file: what a previous preview may have left.
_OUR_MEDIA = re.compile(r"deckgen-[a-z0-9-]+-[0-9a-f]{12}\.[a-z0-9]+")


@dataclass(frozen=True)
class RenderedCard:
    ordinal: int  # Anki's card.ord: the template's index, or the cloze number - 1
    template: str
    question: str
    answer: str


@dataclass(frozen=True)
class PreviewCard:
    note: NoteSpec
    card: RenderedCard

    @property
    def label(self) -> str:
        if self.note.notetype.cloze:
            return f"{self.card.template} c{self.card.ordinal + 1}"
        return self.card.template

    @property
    def anchor(self) -> str:
        slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{self.note.key}-{self.card.ordinal + 1}")
        return "card-" + slug.strip("-").lower()


def write_preview(*, cards_dir: Path, out_dir: Path, loaded: Loaded | None = None) -> Path:
    """Validate the cards and write `out_dir/index.html` with the media beside it.

    Raises `InvalidCards` (before writing anything) when the cards have errors; pass
    `loaded` when the caller has validated them already. Returns the path of index.html.
    """
    title, cards = load_preview_cards(cards_dir, loaded=loaded)
    page = preview_html(title, cards)
    out_dir.mkdir(parents=True, exist_ok=True)
    _sync_media(out_dir, [item for card in cards for item in card.note.media])
    index = out_dir / "index.html"
    write_atomically(index, page)
    return index


def load_preview_cards(
    cards_dir: Path, *, loaded: Loaded | None = None
) -> tuple[str, list[PreviewCard]]:
    """The deck's name and every card its next build would have, rendered."""
    loaded = loaded if loaded is not None else load_folder(cards_dir)
    return loaded.cards.deck.name, preview_cards(loaded.notes())


def render_note(notetype: NoteType, fields: Mapping[str, str]) -> list[RenderedCard]:
    """Every card of a note, front and back, in ordinal order."""
    templates = notetype.template_texts()
    rendered = []
    for ordinal in card_ordinals(notetype, fields):
        name, front, back = templates[0 if notetype.cloze else ordinal]
        question = render(front, fields, ordinal=ordinal)
        answer = render(back, fields, ordinal=ordinal, front_side=question)
        rendered.append(RenderedCard(ordinal, name, question, answer))
    return rendered


def preview_cards(notes: Iterable[NoteSpec]) -> list[PreviewCard]:
    """Every card of the notes, in the notes' order."""
    return [
        PreviewCard(note, card)
        for note in notes
        for card in render_note(note.notetype, _fields(note))
    ]


def preview_html(title: str, cards: Sequence[PreviewCard]) -> str:
    """The whole page: cards grouped by deck, then by kind, in the order authored."""
    grouped: dict[str, dict[str, list[PreviewCard]]] = {}
    for card in cards:
        grouped.setdefault(card.note.deck, {}).setdefault(card.note.kind, []).append(card)
    sections, nav = [], []
    for deck_index, (deck, kinds) in enumerate(grouped.items(), start=1):
        deck_id = f"deck-{deck_index}"
        count = sum(len(group) for group in kinds.values())
        name = escape(_short_deck(deck, title))
        nav.append(f'<a href="#{deck_id}">{name} <small>({count})</small></a>')
        parts = [f'<section class="pv-group pv-deck" id="{deck_id}">']
        parts.append(f"<h2>{name} <small>({count})</small></h2>")
        for kind, group in kinds.items():
            heading = escape(kind_labels().get(kind, kind))
            parts.append(f'<section class="pv-group pv-kind" id="{deck_id}-{escape(kind)}">')
            parts.append(f"<h3>{heading} <small>({len(group)})</small></h3>")
            parts.extend(_entry(card) for card in group)
            parts.append("</section>")
        parts.append("</section>")
        sections.append("\n".join(parts))
    css = "\n".join(dict.fromkeys(card.note.notetype.css_text() for card in cards))
    return Template(_asset("page.html")).substitute(
        title=escape(title),
        count=f"{len(cards)} cards",
        card_css=css,
        preview_css=_asset("preview.css"),
        occlusion_js=_asset("occlusion.js"),
        filter_js=_asset("filter.js"),
        tag_options="\n".join(_tag_options(cards)),
        nav=" ".join(nav),
        groups="\n".join(sections),
    )


def _fields(note: NoteSpec) -> dict[str, str]:
    return dict(zip(note.notetype.fields, note.fields, strict=True))


def _entry(card: PreviewCard) -> str:
    note, side = card.note, f"card card{card.card.ordinal + 1}"
    tags = "".join(
        f'<button type="button" class="pv-tag" data-tag="{escape(tag)}">{escape(tag)}</button>'
        for tag in note.tags
    )
    return (
        f'<article class="pv-entry" id="{card.anchor}" data-tags="{escape(" ".join(note.tags))}">'
        f'<div class="pv-entry-head"><a class="pv-key" href="#{card.anchor}">'
        f"{escape(note.key)}</a><span>{escape(card.label)}</span>{tags}</div>"
        '<div class="pv-sides">'
        f'<div class="pv-side"><div class="pv-side-label">Front</div>'
        f'<div class="{side}">{card.card.question}</div></div>'
        f'<div class="pv-side"><div class="pv-side-label">Back</div>'
        f'<div class="{side}">{card.card.answer}</div></div>'
        "</div></article>"
    )


def _tag_options(cards: Sequence[PreviewCard]) -> list[str]:
    """Every tag and every parent of one (`topic` for `topic::x`), with its card count."""
    counts: dict[str, int] = {}
    for card in cards:
        names: set[str] = set()
        for tag in card.note.tags:
            parts = tag.split("::")
            names.update("::".join(parts[:depth]) for depth in range(1, len(parts) + 1))
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    return [
        f'<option value="{escape(tag)}">{escape(tag)} ({counts[tag]})</option>'
        for tag in sorted(counts, key=str.lower)
    ]


def _short_deck(deck: str, title: str) -> str:
    """'Mini Deck::Points' -> 'Points' under the page title 'Mini Deck'."""
    return deck.removeprefix(f"{title}::") if deck != title else deck


def _sync_media(out_dir: Path, media: Iterable[MediaFile]) -> None:
    """Write each media file unless it is already there (names change with content), and
    remove media a previous preview wrote that no card uses any more."""
    wanted = {item.name: item for item in media}
    for path in out_dir.iterdir():
        if path.is_file() and _OUR_MEDIA.fullmatch(path.name) and path.name not in wanted:
            path.unlink()
    for name, item in wanted.items():
        target = out_dir / name
        if not target.is_file() or target.read_bytes() != item.data:
            write_atomically(target, item.data)


def _asset(name: str) -> str:
    return (resources.files(__package__) / "preview_assets" / name).read_text(encoding="utf-8")
