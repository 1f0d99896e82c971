"""The Anki template renderer behind `deckgen preview`: unit tests, and a comparison with the
real backend on tricky cloze text."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ankitest import Collection
from deckgen.anki.cards import card_ordinals
from deckgen.anki.templates import (
    TemplateError,
    cloze_numbers,
    field_is_empty,
    render,
    renders_with_fields,
    reveal_cloze,
    shape_data,
)
from deckgen.authoring.preview import render_note
from deckgen.kinds.cloze import strip_cloze
from deckgen.kinds.notetypes import CLOZE, QA
from deckgen.kinds.occlusion import OCCLUSION
from deckgen.kinds.point import POINT


def _front(template: str, **fields: str) -> str:
    return render(template, fields, ordinal=0)


# Fields and sections
# -------------------


def test_fields_are_replaced_verbatim() -> None:
    assert (
        _front("<b>{{A}}</b> {{ B }}", A="x &amp; <i>y</i>", B="z") == "<b>x &amp; <i>y</i></b> z"
    )


def test_field_names_may_contain_spaces() -> None:
    template = "{{#Back Extra}}[{{Back Extra}}]{{/Back Extra}}"
    assert render(template, {"Back Extra": "more"}, ordinal=0) == "[more]"


@pytest.mark.parametrize(
    ("value", "shown"),
    [("x", True), ("", False), ("  \n\t", False), ("<br>", False), ("<div></div><br />", False)],
)
def test_a_section_shows_only_when_its_field_is_not_empty(value: str, shown: bool) -> None:
    assert _front("a{{#F}}b{{/F}}c", F=value) == ("abc" if shown else "ac")
    assert _front("a{{^F}}b{{/F}}c", F=value) == ("ac" if shown else "abc")


def test_an_image_alone_is_not_empty() -> None:
    assert not field_is_empty('<img src="a.svg">')
    assert field_is_empty(" <BR/> <div>\n</DIV>")


def test_sections_nest() -> None:
    template = "{{#A}}1{{#B}}2{{/B}}{{^B}}3{{/B}}{{/A}}"
    assert _front(template, A="x", B="y") == "12"
    assert _front(template, A="x", B="") == "13"
    assert _front(template, A="", B="y") == ""


def test_front_side_is_empty_on_the_front_and_the_question_on_the_back() -> None:
    assert render("{{FrontSide}}<hr>", {}, ordinal=0) == "<hr>"
    assert render("{{FrontSide}}<hr>{{A}}", {"A": "a"}, ordinal=0, front_side="Q") == "Q<hr>a"


def test_handles_inside_html_comments_are_left_alone() -> None:
    assert _front("<!-- {{Nope}} -->{{A}}", A="a") == "<!-- {{Nope}} -->a"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{Missing}}", "no field 'Missing'"),
        ("{{#Missing}}x{{/Missing}}", "no field 'Missing'"),
        ("{{#A}}x", "never closed"),
        ("x{{/A}}", "not open"),
        ("{{#A}}{{#B}}{{/A}}{{/B}}", "not open"),
        ("{{text:A}}", "'text' filter is not supported"),
    ],
)
def test_templates_it_cannot_render_raise(template: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        render(template, {"A": "a", "B": "b"}, ordinal=0)


def test_a_card_exists_when_its_front_shows_a_non_empty_field() -> None:
    assert renders_with_fields("Static {{A}}", {"A"})
    assert not renders_with_fields("Static text {{A}}", set())
    assert not renders_with_fields("{{#A}}{{B}}{{/A}}", {"B"})
    assert renders_with_fields("{{#A}}{{B}}{{/A}}", {"A", "B"})
    assert renders_with_fields("{{^A}}{{B}}{{/A}}", {"B"})
    assert not renders_with_fields("{{^A}}{{B}}{{/A}}", {"A", "B"})


# Clozes
# ------

TEXT = "The {{c1::infraorbital foramen}} lies {{c2::below the pupil::where?}}."


def test_the_front_hides_the_asked_cloze_and_shows_the_others() -> None:
    assert reveal_cloze(TEXT, 1, question=True) == (
        'The <span class="cloze" data-cloze="infraorbital&#x20;foramen" data-ordinal="1">'
        '[...]</span> lies <span class="cloze-inactive" data-ordinal="2">below the pupil</span>.'
    )


def test_a_hint_replaces_the_dots() -> None:
    assert '<span class="cloze" data-cloze="below' in reveal_cloze(TEXT, 2, question=True)
    assert ">[where?]</span>." in reveal_cloze(TEXT, 2, question=True)


def test_the_back_reveals_the_asked_cloze() -> None:
    assert reveal_cloze(TEXT, 2, question=False) == (
        'The <span class="cloze-inactive" data-ordinal="1">infraorbital foramen</span> lies '
        '<span class="cloze" data-ordinal="2">below the pupil</span>.'
    )


def test_a_number_not_in_the_text_renders_nothing() -> None:
    assert reveal_cloze(TEXT, 3, question=True) == ""
    assert reveal_cloze("no clozes", 1, question=False) == ""


def test_cloze_numbers() -> None:
    assert cloze_numbers(TEXT) == {1, 2}
    assert cloze_numbers("{{c3::a}} {{c1,4::b}} {{c0::zero}} {{c1::again}}") == {1, 3, 4}
    assert cloze_numbers("{{c1::never closed") == set()


def test_one_cloze_may_belong_to_several_cards() -> None:
    text = "{{c1,2::shared}} {{c2::own}}"
    assert "[...]" in reveal_cloze(text, 1, question=True)
    assert reveal_cloze(text, 2, question=True).count("[...]") == 2


def test_the_hidden_text_is_kept_in_an_escaped_attribute() -> None:
    front = reveal_cloze('{{c1::a "b" <i>c</i>}}', 1, question=True)
    assert 'data-cloze="a&#x20;&quot;b&quot;&#x20;&lt;i&gt;c&lt;&#x2F;i&gt;"' in front


def test_stray_closing_braces_stay_and_unclosed_clozes_vanish() -> None:
    assert reveal_cloze("a}} {{c1::b}}", 1, question=False).startswith("a}} ")
    assert reveal_cloze("{{c1::b}} {{c2::lost", 1, question=False).endswith("</span> ")


def test_the_cloze_filter_in_a_template() -> None:
    fields = {"Text": TEXT}
    front = render("{{cloze:Text}}", fields, ordinal=1)
    back = render("{{cloze:Text}}", fields, ordinal=1, front_side=front)
    assert "[where?]" in front
    assert '<span class="cloze" data-ordinal="2">below the pupil</span>' in back


# Image occlusion
# ---------------

MASKS = (
    "{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.05:oi=1}}"
    "{{c2::image-occlusion:rect:left=.5:top=.6:width=.3:height=.05:oi=1}}"
)


def test_shape_data_becomes_data_attributes() -> None:
    assert shape_data("rect:left=.1:top=.2:width=.3:height=0:oi=1") == (
        'data-shape="rect" data-left=".1" data-top=".2" data-width=".3" data-occludeInactive="1" '
    )
    assert shape_data("ellipse:left=1:top=2:rx=3:ry=4:text=a\\:b") == (
        'data-shape="ellipse" data-left="1" data-top="2" data-rx="3" data-ry="4" '
        'data-text="a&#x3A;b" '
    )


def test_the_asked_mask_is_active_on_the_front_and_highlighted_on_the_back() -> None:
    front = reveal_cloze(MASKS, 2, question=True)
    back = reveal_cloze(MASKS, 2, question=False)
    assert re.findall(r'class="([\w-]+)" data-ordinal="(\d)"', front) == [
        ("cloze-inactive", "1"),
        ("cloze", "2"),
    ]
    assert re.findall(r'class="([\w-]+)" data-ordinal="(\d)"', back) == [
        ("cloze-inactive", "1"),
        ("cloze-highlight", "2"),
    ]
    assert '<div class="cloze" data-ordinal="2" data-shape="rect" data-left=".5"' in front


# Cards of deckgen's note types
# -----------------------------


def _fields(notetype_fields: tuple[str, ...], **values: str) -> dict[str, str]:
    return {name: values.get(name.replace(" ", "_"), "") for name in notetype_fields}


def test_a_point_without_a_diagram_or_cautions_has_three_cards() -> None:
    """Location, actions and needling (every point has needling, cautions or not)."""
    fields = _fields(
        POINT.fields, Code="ST2", Location="Here", Indications="<ul></ul>", Needling="0.3 cun"
    )
    assert card_ordinals(POINT, fields) == [0, 2, 3]
    fields |= {"Diagram": '<img src="d.svg">', "Cautions": "<ul><li>Careful</li></ul>"}
    assert card_ordinals(POINT, fields) == [0, 1, 2, 3]


def test_a_cloze_note_has_one_card_per_cloze_number() -> None:
    fields = _fields(CLOZE.fields, Text="{{c1::a}} {{c3::b}}", Extra="x")
    cards = render_note(CLOZE, fields)
    assert [card.ordinal for card in cards] == [0, 2]
    assert "[...]" in cards[1].question and ">b</span>" in cards[1].answer


def test_the_back_of_a_question_repeats_its_front() -> None:
    fields = _fields(QA.fields, Question="Why?", Answer="Because.", Sources="Sources: X")
    (card,) = render_note(QA, fields)
    assert card.answer.startswith(card.question)
    assert "Because." in card.answer and "Because." not in card.question


def test_an_occlusion_note_draws_every_mask() -> None:
    fields = _fields(OCCLUSION.fields, Occlusion=MASKS, Image='<img src="i.svg">')
    cards = render_note(OCCLUSION, fields)
    assert [card.ordinal for card in cards] == [0, 1]
    assert cards[0].question.count("data-shape=") == 2
    assert "anki.imageOcclusion.setup()" in cards[0].question


# Against the real backend
# ------------------------

_PIECES = ["a", "b c", " ", "<b>", "</b>", "::", "}}", "{{", "{{c1::", "{{c2::", "{{c1,2::"]
_PIECES += ["{{c3::", "{{c0::", "{{c,::", "&amp;", "é", "\\(x<i>y</i>\\)", "image-occlusion:"]


@pytest.fixture(scope="module")
def anki_cloze(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    col = Collection(str(tmp_path_factory.mktemp("anki") / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
@example("{{c1::a::b::c}} {{c2::d}}")
@example("{{c1::a {{c2::b::h}} c}} {{c2::d}}")
@example("{{c1::image-occlusion:rect:left=.1::x}}{{c0::image-occlusion:rect:top=.2}}")
@example("{{c2::x}}{{c1,0::image-occlusion:ellipse:left=.1:rx=.2:ry=0:oi=1}}")
@example("{{c1::a}} {{c2::unclosed")
@example("}} " + "{{c1::" * 11 + "deep" + "}}" * 11)
def test_clozes_render_as_anki_renders_them(anki_cloze: Collection, text: str) -> None:
    col = anki_cloze
    notetype = col.models.by_name("Cloze")
    assert notetype is not None
    (template,) = notetype["tmpls"]
    note = col.new_note(notetype)
    note["Text"] = text
    note["Back Extra"] = "extra"
    fields = {"Text": text, "Back Extra": "extra"}
    if not cloze_numbers(text):  # Anki would add a card 1 that says the cloze is missing
        return
    col.add_note(note, col.decks.get_current_id())
    cards = {card.ord: card.render_output(reload=True) for card in note.cards()}
    assert sorted(cards) == [number - 1 for number in sorted(cloze_numbers(text))]
    for ordinal, output in cards.items():
        question = render(template["qfmt"], fields, ordinal=ordinal)
        assert question == output.question_text
        assert render(template["afmt"], fields, ordinal=ordinal, front_side=question) == (
            output.answer_text
        )


@given(st.lists(st.sampled_from(["x", " y", "{{c1::", "{{c2::", "}}", "::h"]), max_size=12))
def test_the_back_of_well_formed_clozes_reads_as_the_plain_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    balanced = re.fullmatch(r"(?:[^{}]|\{\{c\d::[^{}]*\}\})*", text) is not None
    for number in cloze_numbers(text) if balanced else ():
        shown = re.sub(r"<[^>]*>", "", reveal_cloze(text, number, question=False))
        assert shown == strip_cloze(text)
