"""Property: any text in any text field of any kind of note either is reported by `check`
as a located error (and `build` then writes nothing), or reaches Anki as written.

The text is arbitrary Unicode, control characters, lone surrogates and noncharacters
included, mixed with what Anki itself would read: cloze and template braces, `[sound:]`
and `[anki:]` tags, MathJax delimiters. A deck that is built is imported into the real
Anki backend; every card renders, none plays a sound, no note has a card it should not,
and the text shows on the note's cards (or, where no card shows that field, in the note)
as deckgen renders it (Markdown applied, nothing
of Anki's own syntax acted on).
"""

from __future__ import annotations

import enum
import functools
import html
import json
import re
import shutil
import tempfile
import types
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import badinputs
from ankitest import Collection, import_package
from deckgen.build import build
from deckgen.kinds.cloze import strip_cloze
from deckgen.kinds.concept import Concept
from deckgen.kinds.condition import Condition
from deckgen.kinds.fact import Fact
from deckgen.kinds.folder import load_cards
from deckgen.kinds.html import _markdown, sanitise
from deckgen.kinds.point import Point
from deckgen.source.errors import InvalidCards

pytestmark = pytest.mark.slow

FILES: dict[type[BaseModel], str] = {
    Point: "points/ST2.yaml",
    Concept: "concepts/network-vessel-emptiness.yaml",
    Condition: "conditions/hemifacial-spasm.yaml",
    Fact: "facts/b-cun.yaml",
}
#: Text rendered as Markdown; every other text is shown verbatim (codes, names).
MARKDOWN = {
    "location", "actions", "indications", "notes", "depth", "angle", "method", "cautions",
    "definition", "relevance", "key_features", "hallmarks", "cause", "workup", "treatment",
    "red_flags", "ask", "how", "question", "answer", "extra",
}  # fmt: skip
#: Text that decides which cards a note has: another number of cards is no surprise.
CARD_MAKING = {"location", "location_cloze", "definition", "cloze", "hallmarks"}
#: What Anki would act on, and text that needs escaping.
HOSTILE = [
    "{{", "}}", "{{c1::x}}", "{{c2::y::hint}}", "{{FrontSide}}", "{{Text}}", "{{/Extra}}",
    "[sound:a.mp3]", "[anki:tts lang=en_US]hi[/anki:tts]", "\\(x\\)", "\\[y\\]", "$$z$$",
    "<b>", "&amp;", "\t", "\n", " ", "é", "四白", "\U0001f600", "'", '"',
]  # fmt: skip
#: What no deck can hold.
UNSTORABLE = ["\x1f", "\x00", "\x7f", "\x85", "\x9f", "\r", "\ud800", "\udcff", "\ufffe"]
VISIBLE = st.characters(exclude_categories=["Cc", "Cs", "Cn", "Co"])
WORD = st.text(
    alphabet=st.characters(
        codec="utf-8",
        exclude_categories=["Cc", "Cs", "Cn", "Co"],
        exclude_characters="*_`\\<>&[]#|~!-+=.:",
    )
)
PIECE = st.one_of(st.sampled_from(HOSTILE), WORD, VISIBLE)
TEXT = st.lists(st.one_of(*[PIECE] * 12, st.sampled_from(UNSTORABLE)), min_size=1, max_size=8).map(
    "".join
)


def _text_paths(
    model: type[BaseModel], prefix: tuple[str | int, ...] = ()
) -> list[tuple[Any, ...]]:
    """Every place a model holds text (a list's first item for a list of text)."""
    found: list[tuple[Any, ...]] = []
    for name, info in model.model_fields.items():
        for kind in _types(info.annotation):
            path: tuple[Any, ...] = (*prefix, name)
            kinds = [kind]
            if get_origin(kind) is list:  # a list of text, or of text or cited text
                kinds, path = _types(get_args(kind)[0]), (*path, 0)
            for item in kinds:
                if isinstance(item, type) and issubclass(item, BaseModel):
                    found += _text_paths(item, path)
                elif item is str or (isinstance(item, type) and issubclass(item, enum.Enum)):
                    found.append(path)
    return found


def _types(annotation: Any) -> list[Any]:
    if get_origin(annotation) is Annotated:
        return _types(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return [t for arg in get_args(annotation) for t in _types(arg) if t is not type(None)]
    return [annotation]


#: A cited item's text and sources are checked as a plain item's are: its place as a
#: plain item stands for both.
FIELDS = [
    (model, path)
    for model in FILES
    for path in _text_paths(model)
    if not any(
        part in ("text", "sources") and i > 0 and isinstance(path[i - 1], int)
        for i, part in enumerate(path)
    )
]


def test_every_kind_has_its_text_fields_listed() -> None:
    assert {model for model, _ in FIELDS} == set(FILES)
    assert (Point, ("needling", "cautions", 0)) in FIELDS
    assert (Condition, ("distinguish_from", 0, "how")) in FIELDS
    assert len(FIELDS) >= 40


def _place(data: Any, path: tuple[Any, ...], value: str) -> None:
    for part, following in zip(path, [*path[1:], None], strict=True):
        if following is None:
            if isinstance(data, list):
                data[part : part + 1] = [value]
            else:
                data[part] = value
            return
        blank: Any = [] if isinstance(following, int) else {}
        if isinstance(data, list):
            if not data:
                data.append(blank)
            data = data[part]
        else:
            data = data.setdefault(part, blank)


_ESCAPED = re.compile(r"[^\n\t -~]", re.ASCII)


def _escape(found: re.Match[str]) -> str:
    """A character as YAML's double-quoted escape, unless it is printable."""
    code = ord(found.group())
    if found.group().isprintable() and not 0xD800 <= code <= 0xDFFF:
        return found.group()
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _visible(markup: str) -> str:
    """What a reader sees of HTML: its text, entities read, white space as one space."""
    spaced = _BLOCK.sub(" ", markup)
    text = " ".join(html.unescape(re.sub(r"<[^>]*>", "", spaced)).split())
    return unicodedata.normalize("NFC", text)  # as Anki stores text (丽 U+2F800 is U+4E3D)


_BLOCK = re.compile(r"</?(?:p|li|ul|ol|br|div|hr|h\d|t[rdh]|table|img)\b[^>]*>", re.IGNORECASE)


def _shown(field: str, text: str) -> str:
    """What the card must show of `text` written in `field`, as Markdown renders it."""
    stripped = strip_cloze(text).strip() if field in ("location", "definition") else text.strip()
    if field not in MARKDOWN:
        return _visible(html.escape(stripped, quote=False))
    block = "\n\n" in stripped or any(
        line.lstrip().startswith(("- ", "* ")) for line in stripped.splitlines()
    )
    rendered = _markdown().render(stripped) if block else _markdown().renderInline(stripped)
    return _visible(sanitise(rendered))


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(FIELDS), text=TEXT)
@example(field=(Condition, ("cause_sources", 0)), text="0")  # an unknown key, once a crash
@example(field=(Condition, ("distinguish_from", 0, "ask")), text="&amp;")  # Markdown, as `how`
@example(field=(Concept, ("id",)), text="10")  # a valid id: a key, shown on no card
def test_text_is_refused_with_its_place_or_shown_as_written(
    field: tuple[type[BaseModel], tuple[Any, ...]], text: str
) -> None:
    model, path = field
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        cards = _cards_with(workdir, model, path, text)
        try:
            load_cards(cards)
        except InvalidCards as refused:
            assert refused.problems
            for problem in refused.problems:
                assert problem.line >= 1 and problem.column >= 1 and problem.path
            with pytest.raises(InvalidCards):
                build(cards_dir=cards, out_dir=workdir / "out")
            assert list((workdir / "out").glob("*.apkg")) == []
            assert not (cards / "deckgen.lock").exists()
            event("refused by check")
            return
        event("built and imported into Anki")
        report = build(cards_dir=cards, out_dir=workdir / "out")
        _shown_in_anki(report.output, workdir, (model, path), text)


def _cards_with(workdir: Path, model: type[BaseModel], path: tuple[Any, ...], text: str) -> Path:
    """A copy of the base cards in `workdir` with `text` at `path` in a note of `model`."""
    cards = workdir / "cards"
    shutil.copytree(badinputs.BASE, cards)
    note_file = cards / FILES[model]
    data = yaml.safe_load(note_file.read_text(encoding="utf-8"))
    _place(data, path, text)
    text = json.dumps(data, ensure_ascii=False, indent=1)  # JSON is YAML; escapes as YAML has them:
    note_file.write_text(_ESCAPED.sub(_escape, text), encoding="utf-8")
    return cards


def _shown_in_anki(
    package: Path, workdir: Path, field: tuple[type[BaseModel], tuple[Any, ...]], text: str
) -> None:
    model, path = field
    col = Collection(str(workdir / "collection.anki2"))
    try:
        log = import_package(col, package)
        assert len(log.new) > 0 and not log.conflicting
        seen = []
        for card_id in col.find_cards(""):
            card = col.get_card(card_id)
            output = card.render_output(reload=True)
            assert not output.question_av_tags and not output.answer_av_tags
            assert "{{" not in output.answer_text or "image-occlusion" in output.answer_text
            seen.append(_visible(output.question_text + " " + output.answer_text))
        for note_id in col.find_notes(""):  # a field no card shows (needling without cautions)
            seen += [_visible(value) for value in col.get_note(note_id).fields]
        plain = _cards_of_plain_text(model, path)
        if str(path[0]) not in CARD_MAKING and plain is not None:
            assert col.card_count() == plain  # as many cards as plain words there give
        shown = _shown(str(path[-2] if isinstance(path[-1], int) else path[-1]), text)
        # Keys, not text: a note's id names its file and makes its guid; no card shows it.
        keys = ("id", "tags", "sources", "channel", "aliases", "related_points")
        if shown and path[0] not in keys:
            assert any(shown in cards for cards in seen), (shown, seen)
    finally:
        col.close()


@functools.cache
def _cards_of_plain_text(model: type[BaseModel], path: tuple[Any, ...]) -> int | None:
    """How many cards the base deck has with plain words at `path` in a note of `model`
    (None where plain words are no valid value: a code, a tag, a source's key)."""
    with tempfile.TemporaryDirectory() as folder:
        cards = _cards_with(Path(folder), model, path, "Plain words")
        try:
            report = build(cards_dir=cards, out_dir=Path(folder) / "out", dry_run=True)
        except InvalidCards:
            return None
        return sum(deck.cards for deck in report.decks)
