"""Each kind's notes made straight from one record (`Kind.notes`), and the point kind's
occlusion notes from its summaries (`PointKind.combined_notes`), without building a
package: what every note is (kind, id, note type, deck, tags) and what its fields hold."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from deckgen.anki.cards import card_ordinals
from deckgen.anki.templates import render
from deckgen.kinds import registry
from deckgen.kinds.concept import CONCEPT, Concept
from deckgen.kinds.condition import CONDITION, Condition, Difference
from deckgen.kinds.deck import DeckConfig, Source, deck_model
from deckgen.kinds.diagrams import BUILTIN
from deckgen.kinds.drawing import Diagram, load_diagrams
from deckgen.kinds.fact import Fact
from deckgen.kinds.fields import Cited
from deckgen.kinds.kind import Kind, NoteContext
from deckgen.kinds.notetypes import CLOZE, QA
from deckgen.kinds.occlusion import OCCLUSION
from deckgen.kinds.point import POINT, Channel, DiagramPlacement, Needling, Point
from deckgen.kinds.spec import NoteSpec

POINTS, CONCEPTS, CONDITIONS, FACTS = (
    registry.POINTS,
    registry.CONCEPTS,
    registry.CONDITIONS,
    registry.FACTS,
)
DeckModel = deck_model(registry.kinds())
DECK = DeckModel(name="Test Deck", description="For the tests.")
#: A deck that draws an occlusion note for any number of points on a diagram.
ANY_COUNT = DeckModel(name="Test Deck", description="For the tests.", occlusion_min_points=1)
SOURCES = {
    "who-2008": Source(title="WHO Standard Acupuncture Point Locations. 2008.", short="WHO 2008"),
    "textbook": Source(title="A textbook of acupuncture.", short="Textbook"),
}
DECK_ID = "deck-1"
#: What the build would pass as `reads` for `_condition()`: the other conditions' names.
NAMES = {"blepharospasm": "Blepharospasm", "tics": "Tics"}
FACE = "face-front"  # a built-in diagram: drawn without any file of the test's own
HAND = "hand-dorsum"
MASK = re.compile(
    r"\{\{c(\d+)::image-occlusion:rect:left=([\d.]+):top=([\d.]+)"
    r":width=([\d.]+):height=([\d.]+):oi=1\}\}"
)


@cache
def _diagram(name: str) -> Diagram:
    return load_diagrams(Path(), DECK, {name})[name]


def _context(
    occlusion: Mapping[str, Mapping[str, int]] | None = None, deck: DeckConfig = ANY_COUNT
) -> NoteContext:
    return NoteContext(deck, SOURCES, DECK_ID, _diagram, occlusion or {})


def _fact(**changes: Any) -> Fact:
    values = {
        "id": "imaging",
        "question": "Which imaging study is first?",
        "answer": "MRI of the brainstem.",
        "sources": ["who-2008"],
    }
    return Fact(**(values | changes))


def _concept(**changes: Any) -> Concept:
    values = {
        "id": "qi",
        "term": "Qi",
        "pinyin": "qì",
        "hanzi": "气",
        "definition": "The activity that moves blood and warms the body.",
        "related_points": ["ST36", "LI4"],
        "sources": ["textbook"],
    }
    return Concept(**(values | changes))


def _condition(**changes: Any) -> Condition:
    values = {
        "id": "hemifacial-spasm",
        "name": "Hemifacial spasm",
        "key_features": ["One-sided facial contractions."],
        "hallmarks": ["Persists during sleep.", "Brow rises as the eye closes."],
        "cause": "Vascular compression of the facial nerve.",
        "workup": ["MRI"],
        "treatment": ["Botulinum toxin"],
        "distinguish_from": [
            Difference(condition="blepharospasm", how="It is one-sided."),
            Difference(condition="tics", how="It cannot be suppressed."),
        ],
        "red_flags": ["Facial weakness"],
        "tags": ["topic::hemifacial-spasm"],
        "sources": ["textbook"],
    }
    return Condition(**(values | changes))


def _point(**changes: Any) -> Point:
    values = {
        "code": "ST2",
        "aliases": [],
        "pinyin": "Sìbái",
        "hanzi": "四白",
        "english": "Four Whites",
        "channel": Channel.stomach,
        "location": "On the face, at the infraorbital foramen.",
        "needling": Needling(depth="0.2–0.3 cun", angle="Perpendicular"),
        "indications": ["Twitching eyelid."],
        "tags": ["region::face"],
        "sources": ["who-2008"],
    }
    return Point(**(values | changes))


def _on(name: str, x: float, y: float) -> DiagramPlacement:
    return DiagramPlacement(name=name, x=x, y=y)


def _overlay(svg: bytes) -> bytes:
    """What deckgen drew over a diagram's base drawing."""
    _base, overlay = svg.split(b'<g class="deckgen-overlay">')
    return overlay


def _notes(
    kind: Kind[Any, Any],
    record: BaseModel,
    reads: Mapping[str, str] | None = None,
    context: NoteContext | None = None,
) -> list[NoteSpec]:
    return list(kind.notes(record, reads or {}, context or _context()))


def _one(
    kind: Kind[Any, Any], record: BaseModel, note_kind: str, reads: Mapping[str, str] = NAMES
) -> NoteSpec:
    """The one note of `note_kind` that the record gives (its reads: `NAMES` unless told)."""
    (spec,) = [spec for spec in _notes(kind, record, reads) if spec.kind == note_kind]
    return spec


# Every kind
# ----------

#: Each kind with a record of it (and what that record reads): one note each at least.
RECORDS: dict[str, tuple[Kind[Any, Any], BaseModel, Mapping[str, str]]] = {
    "point": (POINTS, _point(location_cloze=["at the infraorbital foramen"]), {}),
    "concept": (CONCEPTS, _concept(cloze=["moves blood"]), {}),
    "condition": (CONDITIONS, _condition(), NAMES),
    "fact": (FACTS, _fact(), {}),
}


@pytest.mark.parametrize("name", RECORDS)
def test_notes_go_to_the_kind_s_subdeck_under_the_deck_s_name(name: str) -> None:
    kind, record, reads = RECORDS[name]
    deck = DeckModel(name="Parent::Test Deck", description="x", subdecks={kind.folder: "Renamed"})
    notes = _notes(kind, record, reads, _context(deck=deck))
    assert {spec.deck for spec in notes} == {"Parent::Test Deck::Renamed"}


@pytest.mark.parametrize("name", RECORDS)
def test_a_subdeck_not_named_in_deck_yaml_has_the_kind_s_default_name(name: str) -> None:
    kind, record, reads = RECORDS[name]
    notes = _notes(kind, record, reads)
    assert {spec.deck for spec in notes} == {f"Test Deck::{kind.subdeck}"}


@pytest.mark.parametrize("name", RECORDS)
def test_every_note_of_a_record_comes_from_its_key(name: str) -> None:
    kind, record, reads = RECORDS[name]
    origin = f"{kind.name}:{kind.note_id(record)}"
    assert {spec.origin for spec in _notes(kind, record, reads)} == {origin}


@pytest.mark.parametrize("name", RECORDS)
def test_the_same_record_and_context_give_the_same_notes(name: str) -> None:
    kind, record, reads = RECORDS[name]
    assert _notes(kind, record, reads) == _notes(kind, record, reads)


# Facts
# -----


def test_a_fact_gives_one_qa_note_keyed_by_its_id() -> None:
    (spec,) = _notes(FACTS, _fact())
    assert (spec.kind, spec.note_id, spec.key) == ("fact", "imaging", "fact:imaging")
    assert spec.notetype is QA
    assert spec.deck == "Test Deck::Clinical Context"
    assert spec.media == ()


def test_a_fact_s_fields_by_name() -> None:
    (spec,) = _notes(FACTS, _fact(extra="Seen on thin slices."))
    assert spec.field("Question") == "Which imaging study is first?"
    assert spec.field("Answer") == "MRI of the brainstem."
    assert spec.field("Topic") == "Clinical context"
    assert spec.field("Extra") == "Seen on thin slices."
    assert spec.field("Sources") == "Sources: WHO 2008"


def test_a_fact_without_extra_has_an_empty_extra_field() -> None:
    (spec,) = _notes(FACTS, _fact())
    assert spec.field("Extra") == ""


def test_tags_start_with_the_kind_then_the_author_s_each_once() -> None:
    record = _fact(tags=["topic::imaging", "deckgen::fact", "safety", "topic::imaging"])
    (spec,) = _notes(FACTS, record)
    assert spec.tags == ("deckgen::fact", "topic::imaging", "safety")


def test_a_record_without_tags_is_tagged_with_its_kind_only() -> None:
    (spec,) = _notes(FACTS, _fact())
    assert spec.tags == ("deckgen::fact",)


def test_the_sources_footer_cites_the_short_labels_in_the_record_s_order() -> None:
    (spec,) = _notes(FACTS, _fact(sources=["textbook", "who-2008"]))
    assert spec.field("Sources") == "Sources: Textbook; WHO 2008"


def test_a_short_label_is_shown_as_text() -> None:
    sources = {"odd": Source(title="Odd", short="A & B <i>2008</i>")}
    context = NoteContext(DECK, sources, DECK_ID, _diagram, {})
    (spec,) = _notes(FACTS, _fact(sources=["odd"]), context=context)
    assert spec.field("Sources") == "Sources: A &amp; B &lt;i&gt;2008&lt;/i&gt;"


def test_markdown_in_text_is_rendered() -> None:
    record = _fact(
        question="Is *MRI* needed?", answer="**Yes**, with `FIESTA`.", extra="[x](https://x.org)"
    )
    (spec,) = _notes(FACTS, record)
    assert spec.field("Question") == "Is <em>MRI</em> needed?"
    assert spec.field("Answer") == "<strong>Yes</strong>, with <code>FIESTA</code>."
    assert spec.field("Extra").startswith('<a href="https://x.org"')


def test_html_in_text_is_shown_as_text() -> None:
    record = _fact(question="Is <b>MRI</b> needed?", answer="<script>alert(1)</script>")
    (spec,) = _notes(FACTS, record)
    assert spec.field("Question") == "Is &lt;b&gt;MRI&lt;/b&gt; needed?"
    assert spec.field("Answer") == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_cloze_markup_outside_a_cloze_field_is_inert() -> None:
    (spec,) = _notes(FACTS, _fact(answer="MRI {{c1::first}}"))
    assert spec.field("Answer") == "MRI &#123;&#123;c1::first&#125;&#125;"


# Concepts
# --------


def test_a_concept_s_note_and_its_fields_by_name() -> None:
    (spec,) = _notes(CONCEPTS, _concept(relevance="Why *it* matters."))
    assert (spec.kind, spec.note_id, spec.key) == ("concept", "qi", "concept:qi")
    assert spec.notetype is CONCEPT
    assert spec.deck == "Test Deck::TCM Concepts"
    assert spec.tags == ("deckgen::concept",)
    assert spec.field("Term") == "Qi"
    assert spec.field("Pinyin") == "qì"
    assert spec.field("Hanzi") == "气"
    assert spec.field("Definition") == "The activity that moves blood and warms the body."
    assert spec.field("Relevance") == "Why <em>it</em> matters."
    assert spec.field("Related") == "ST36, LI4"
    assert spec.field("Sources") == "Sources: Textbook"


def test_a_concept_without_cloze_phrases_or_markup_gives_no_cloze_note() -> None:
    assert [spec.kind for spec in _notes(CONCEPTS, _concept())] == ["concept"]


def test_cloze_phrases_give_a_cloze_note_with_each_phrase_numbered() -> None:
    record = _concept(cloze=["moves blood", "warms the body"])
    assert [spec.kind for spec in _notes(CONCEPTS, record)] == ["concept", "concept-cloze"]
    cloze = _one(CONCEPTS, record, "concept-cloze")
    assert (cloze.note_id, cloze.key) == ("qi", "concept-cloze:qi")
    assert cloze.notetype is CLOZE
    assert cloze.field("Text") == (
        "<b>Qi</b>: The activity that {{c1::moves blood}} and {{c2::warms the body}}."
    )
    assert cloze.field("Topic") == "TCM concept"
    assert cloze.field("Extra") == "qì 气"
    assert cloze.field("Image") == ""
    assert cloze.field("Sources") == "Sources: Textbook"


def test_cloze_markup_in_the_definition_gives_a_cloze_note_as_written() -> None:
    record = _concept(definition="The activity that {{c1::moves blood::what?}}.")
    concept, cloze = _notes(CONCEPTS, record)
    assert concept.field("Definition") == "The activity that moves blood."
    assert cloze.field("Text") == "<b>Qi</b>: The activity that {{c1::moves blood::what?}}."


def test_a_cloze_note_shares_its_concept_s_tags_and_deck() -> None:
    concept, cloze = _notes(CONCEPTS, _concept(cloze=["moves blood"], tags=["tcm"]))
    assert cloze.tags == concept.tags == ("deckgen::concept", "tcm")
    assert cloze.deck == concept.deck


def test_a_concept_s_extra_is_empty_without_pinyin_or_hanzi() -> None:
    record = _concept(pinyin=None, hanzi=None, cloze=["moves blood"])
    concept, cloze = _notes(CONCEPTS, record)
    assert concept.field("Pinyin") == concept.field("Hanzi") == cloze.field("Extra") == ""


# Conditions
# ----------


def test_a_condition_s_own_note_and_its_fields_by_name() -> None:
    spec = _one(CONDITIONS, _condition(), "condition")
    assert spec.key == "condition:hemifacial-spasm"
    assert spec.notetype is CONDITION
    assert spec.deck == "Test Deck::Western Differential"
    assert spec.tags == ("deckgen::condition", "topic::hemifacial-spasm")
    assert spec.field("Name") == "Hemifacial spasm"
    # Each card names the sources of its facts, at the end of its field.
    footer = '<div class="sources">Sources: Textbook</div>'
    assert spec.field("Features") == "<ul><li>One-sided facial contractions.</li></ul>" + footer
    assert spec.field("Cause") == "Vascular compression of the facial nerve." + footer
    assert spec.field("Workup") == "<ul><li>MRI</li></ul>" + footer
    assert spec.field("Treatment") == "<ul><li>Botulinum toxin</li></ul>" + footer
    assert spec.field("Distinguish") == (
        "<ul><li><strong>Blepharospasm</strong>: It is one-sided.</li>"
        "<li><strong>Tics</strong>: It cannot be suppressed.</li></ul>"
    )
    assert spec.field("RedFlags") == "<ul><li>Facial weakness</li></ul>" + footer
    assert spec.field("Sources") == ""


def test_empty_lists_give_empty_fields() -> None:
    record = _condition(workup=[], treatment=[], red_flags=[], distinguish_from=[])
    spec = _one(CONDITIONS, record, "condition")
    assert spec.field("Workup") == spec.field("Treatment") == spec.field("RedFlags") == ""
    assert spec.field("Distinguish") == ""


def test_a_condition_gives_one_hallmark_note_per_hallmark() -> None:
    hallmarks = [
        spec for spec in _notes(CONDITIONS, _condition(), NAMES) if spec.kind == "hallmark"
    ]
    assert [spec.key for spec in hallmarks] == [
        "hallmark:hemifacial-spasm/1",
        "hallmark:hemifacial-spasm/2",
    ]
    first, second = hallmarks
    assert first.notetype is QA
    assert first.field("Question") == "Which condition? Persists during sleep."
    assert second.field("Question") == "Which condition? Brow rises as the eye closes."
    assert first.field("Answer") == second.field("Answer") == "Hemifacial spasm"
    assert first.field("Topic") == "Western differential"
    assert first.field("Extra") == ""
    assert first.field("Sources") == "Sources: Textbook"


def test_a_hallmark_s_markdown_is_rendered_and_its_html_shown_as_text() -> None:
    record = _condition(hallmarks=["Brow *rises* <b>up</b>."], distinguish_from=[])
    spec = _one(CONDITIONS, record, "hallmark")
    assert spec.field("Question") == "Which condition? Brow <em>rises</em> &lt;b&gt;up&lt;/b&gt;."


def test_a_condition_gives_one_comparison_note_per_condition_it_is_distinguished_from() -> None:
    notes = _notes(CONDITIONS, _condition(), NAMES)
    comparisons = [spec for spec in notes if spec.kind == "comparison"]
    assert [spec.key for spec in comparisons] == [
        "comparison:hemifacial-spasm/blepharospasm",
        "comparison:hemifacial-spasm/tics",
    ]
    first, second = comparisons
    assert first.notetype is QA
    assert first.field("Question") == (
        "What tells <b>Hemifacial spasm</b> apart from <b>Blepharospasm</b>?"
    )
    assert second.field("Question") == "What tells <b>Hemifacial spasm</b> apart from <b>Tics</b>?"
    assert first.field("Answer") == "It is one-sided."
    assert first.field("Topic") == "Western differential · comparison"
    assert first.field("Sources") == "Sources: Textbook"


def test_the_other_condition_s_name_comes_from_reads() -> None:
    reads = {"blepharospasm": "Benign essential blepharospasm", "tics": "Motor tics"}
    notes = _notes(CONDITIONS, _condition(), reads)
    comparison = next(spec for spec in notes if spec.kind == "comparison")
    assert comparison.field("Question").endswith("<b>Benign essential blepharospasm</b>?")
    main = next(spec for spec in notes if spec.kind == "condition")
    assert "<strong>Benign essential blepharospasm</strong>" in main.field("Distinguish")
    assert "<strong>Motor tics</strong>" in main.field("Distinguish")
    assert not any("Blepharospasm" in field for spec in notes for field in spec.fields)


def test_a_name_read_from_another_condition_is_shown_as_text() -> None:
    reads = {"blepharospasm": "Spasm <i>x</i> & co", "tics": "Tics"}
    notes = _notes(CONDITIONS, _condition(), reads)
    (comparison,) = [s for s in notes if s.key == "comparison:hemifacial-spasm/blepharospasm"]
    assert "<b>Spasm &lt;i&gt;x&lt;/i&gt; &amp; co</b>?" in comparison.field("Question")


def test_a_name_read_from_another_condition_is_not_markdown_in_the_list() -> None:
    """The same name as on the condition's own card, not emphasis or a link."""
    reads = {"blepharospasm": "*Benign* [spasm](https://example.org) a_b", "tics": "Tics"}
    notes = _notes(CONDITIONS, _condition(), reads)
    main = next(spec for spec in notes if spec.kind == "condition")
    assert "<strong>*Benign* [spasm](https://example.org) a_b</strong>" in main.field("Distinguish")


def test_a_condition_without_hallmarks_or_comparisons_gives_only_its_own_note() -> None:
    record = _condition(hallmarks=[], distinguish_from=[])
    assert [spec.kind for spec in _notes(CONDITIONS, record)] == ["condition"]


def test_all_of_a_condition_s_notes_share_its_tags_and_deck() -> None:
    notes = _notes(CONDITIONS, _condition(), NAMES)
    assert [spec.kind for spec in notes] == ["condition", *["hallmark"] * 2, *["comparison"] * 2]
    assert {spec.tags for spec in notes} == {("deckgen::condition", "topic::hemifacial-spasm")}
    assert {spec.deck for spec in notes} == {"Test Deck::Western Differential"}


# Points
# ------


def test_a_point_s_note_and_its_fields_by_name() -> None:
    needling = Needling(
        depth="0.2–0.3 cun",
        angle="Perpendicular",
        method="*Gently*",
        cautions=["No deep insertion."],
    )
    record = _point(
        aliases=["ST-2", "S2"],
        needling=needling,
        actions=["Expels wind."],
        notes=["Claimed by X."],
        location="On the face, {{c1::at the infraorbital foramen}}.",
    )
    spec = _one(POINTS, record, "point")
    assert (spec.kind, spec.note_id, spec.key) == ("point", "ST2", "point:ST2")
    assert spec.notetype is POINT
    assert spec.deck == "Test Deck::Points"
    assert spec.field("Code") == "ST2"
    assert spec.field("Aliases") == "ST-2, S2"
    assert spec.field("Pinyin") == "Sìbái"
    assert spec.field("Hanzi") == "四白"
    assert spec.field("English") == "Four Whites"
    assert spec.field("Channel") == "Stomach"
    # Each card names the sources of its facts, at the end of its last field.
    footer = '<div class="sources">Sources: WHO 2008</div>'
    assert spec.field("Location") == "On the face, at the infraorbital foramen." + footer
    assert spec.field("Needling") == "Perpendicular, 0.2–0.3 cun; <em>Gently</em>"
    assert spec.field("Cautions") == "<ul><li>No deep insertion.</li></ul>" + footer
    assert spec.field("Actions") == "<ul><li>Expels wind.</li></ul>"
    assert spec.field("Indications") == "<ul><li>Twitching eyelid.</li></ul>"
    assert spec.field("Notes") == "<ul><li>Claimed by X.</li></ul>" + footer
    assert spec.field("Sources") == ""


def test_a_point_s_needling_without_a_method_is_angle_and_depth() -> None:
    spec = _one(POINTS, _point(), "point")
    footer = '<div class="sources">Sources: WHO 2008</div>'
    assert spec.field("Needling") == "Perpendicular, 0.2–0.3 cun" + footer
    assert spec.field("Cautions") == spec.field("Actions") == spec.field("Notes") == ""
    assert spec.field("Indications") == "<ul><li>Twitching eyelid.</li></ul>" + footer


def test_a_point_is_tagged_with_its_channel_after_its_kind() -> None:
    record = _point(channel=Channel.triple_energizer, tags=["region::face", "region::face"])
    (spec,) = _notes(POINTS, record)
    assert spec.tags == ("deckgen::point", "channel::triple-energizer", "region::face")
    assert spec.field("Channel") == "Triple energizer"


def test_a_point_s_names_are_shown_as_text() -> None:
    record = _point(english="Four *Whites* <b>", hanzi="四白 & co")
    spec = _one(POINTS, record, "point")
    assert spec.field("English") == "Four *Whites* &lt;b&gt;"
    assert spec.field("Hanzi") == "四白 &amp; co"


def test_a_point_without_a_diagram_has_empty_diagram_fields_and_no_media() -> None:
    record = _point(location_cloze=["at the infraorbital foramen"])
    point, cloze = _notes(POINTS, record)
    assert point.field("Diagram") == point.field("DiagramLabelled") == ""
    assert cloze.field("Image") == ""
    assert point.media == cloze.media == ()
    assert POINTS.media(POINTS.summarise(record), _context()) == ()
    assert POINTS.diagram_of(POINTS.summarise(record)) is None


def test_a_point_on_a_diagram_has_a_plain_and_a_labelled_image() -> None:
    spec = _one(POINTS, _point(diagram=_on(FACE, 0.3, 0.5)), "point")
    plain, labelled = spec.media
    assert re.fullmatch(r"deckgen-face-front-st2-[0-9a-f]{12}\.svg", plain.name)
    assert re.fullmatch(r"deckgen-face-front-st2-label-[0-9a-f]{12}\.svg", labelled.name)
    plain_overlay, labelled_overlay = (_overlay(image.data) for image in spec.media)
    assert b"<circle" in plain_overlay and b"<text" not in plain_overlay
    assert b"<circle" in labelled_overlay and b">ST2</text>" in labelled_overlay
    title = BUILTIN[FACE]
    assert spec.field("Diagram") == f'<img src="{plain.name}" alt="{title}">'
    assert spec.field("DiagramLabelled") == f'<img src="{labelled.name}" alt="{title}: ST2">'


def test_a_point_s_images_follow_its_place_on_the_diagram() -> None:
    here = _one(POINTS, _point(diagram=_on(FACE, 0.3, 0.5)), "point")
    there = _one(POINTS, _point(diagram=_on(FACE, 0.3, 0.6)), "point")
    assert {m.name for m in here.media}.isdisjoint(m.name for m in there.media)


def test_a_point_s_media_from_its_summary_are_its_notes_media() -> None:
    record = _point(diagram=_on(FACE, 0.3, 0.5))
    spec = _one(POINTS, record, "point")
    summary = POINTS.summarise(record)
    assert POINTS.media(summary, _context()) == spec.media
    assert POINTS.diagram_of(summary) == FACE


def test_location_cloze_phrases_give_a_cloze_note_with_the_labelled_image() -> None:
    record = _point(location_cloze=["at the infraorbital foramen"], diagram=_on(FACE, 0.3, 0.5))
    point, cloze = _notes(POINTS, record)
    assert (cloze.kind, cloze.note_id, cloze.key) == ("point-cloze", "ST2", "point-cloze:ST2")
    assert cloze.notetype is CLOZE
    assert cloze.tags == point.tags and cloze.deck == point.deck
    assert cloze.field("Text") == (
        "<b>ST2</b> (Sìbái): On the face, {{c1::at the infraorbital foramen}}."
    )
    assert cloze.field("Topic") == "Point location"
    assert cloze.field("Extra") == ""
    assert cloze.field("Image") == point.field("DiagramLabelled")
    assert cloze.field("Sources") == "Sources: WHO 2008"
    assert cloze.media == point.media[1:]  # the labelled image only


def test_cloze_markup_in_the_location_gives_a_cloze_note_as_written() -> None:
    record = _point(location="On the face, {{c1::at the foramen}} below {{c2::the pupil}}.")
    point, cloze = _notes(POINTS, record)
    assert point.field("Location").startswith("On the face, at the foramen below the pupil.<")
    assert cloze.field("Text").endswith(
        ": On the face, {{c1::at the foramen}} below {{c2::the pupil}}."
    )


def test_a_point_without_location_cloze_gives_no_cloze_note() -> None:
    assert [spec.kind for spec in _notes(POINTS, _point())] == ["point"]


def test_a_point_with_other_codes_gets_a_card_asking_which_point_they_name() -> None:
    record = _point(aliases=["SJ6", "TW6"], code="TE6", pinyin="Zhīgōu", hanzi="支沟")
    spec = _one(POINTS, record, "point-alias")
    assert (spec.key, spec.notetype, spec.origin) == ("point-alias:TE6", QA, "point:TE6")
    assert spec.field("Question") == "Which point is also coded <b>SJ6 / TW6</b>?"
    assert spec.field("Answer") == "<b>TE6</b> Zhīgōu 支沟 (Four Whites)"
    assert "TE6" not in spec.field("Question")  # the answer is not on the front
    assert spec.tags == ("deckgen::point", "channel::stomach", "region::face")


def test_every_point_has_a_needling_card_with_or_without_cautions() -> None:
    """The needling card's front shows whenever a point has needling (every point does);
    its prompt asks for cautions only where there are some."""
    for cautions in ([], ["Avoid the eyeball."]):
        needling = Needling(depth="0.3 cun", angle="Perpendicular", cautions=cautions)
        spec = _one(POINTS, _point(needling=needling), "point")
        fields = dict(zip(POINT.fields, spec.fields, strict=True))
        ordinals = card_ordinals(POINT, fields)
        assert 3 in ordinals  # "Point → Needling"
        front = render(POINT.template_texts()[3][1], fields, ordinal=3)
        assert ("with what caution" in front) == bool(cautions)


# Occlusion notes (one per diagram)
# ---------------------------------


def _summaries(*points: Point) -> list[Any]:
    return [POINTS.summarise(point) for point in points]


ST2 = _point(diagram=_on(FACE, 0.3, 0.5))
GB14 = _point(
    code="GB14",
    aliases=[],
    pinyin="Yángbái",
    hanzi="阳白",
    english="Yang White",
    channel=Channel.gallbladder,
    diagram=_on(FACE, 0.35, 0.3),
    sources=["textbook", "who-2008"],
)
LI4 = _point(
    code="LI4",
    pinyin="Hégǔ",
    hanzi="合谷",
    english="Union Valley",
    channel=Channel.large_intestine,
    diagram=_on(HAND, 0.45, 0.55),
)
OFF = _point(code="ST36", pinyin="Zúsānlǐ", hanzi="足三里", english="Leg Three Miles")


def _masks(spec: NoteSpec) -> list[tuple[int, float, float, float, float]]:
    """(number, left, top, width, height) of each mask, in order."""
    occlusion = spec.field("Occlusion")
    found = MASK.findall(occlusion)
    assert MASK.sub("", occlusion) == ""  # nothing but masks
    return [(int(n), float(left), float(top), float(w), float(h)) for n, left, top, w, h in found]


def test_one_occlusion_note_per_diagram_in_the_order_its_points_come() -> None:
    notes = list(POINTS.combined_notes(_summaries(ST2, LI4, OFF, GB14), _context()))
    assert [spec.key for spec in notes] == [
        f"occlusion:{DECK_ID}/{FACE}",
        f"occlusion:{DECK_ID}/{HAND}",
    ]
    for spec in notes:
        assert spec.kind == "occlusion"
        assert spec.notetype is OCCLUSION
        assert spec.deck == "Test Deck::Points"
        assert spec.origin == ""  # drawn from several records


def test_an_occlusion_note_s_id_is_the_deck_id_and_the_diagram() -> None:
    context = NoteContext(ANY_COUNT, SOURCES, "another-deck", _diagram, {})
    (spec,) = POINTS.combined_notes(_summaries(ST2), context)
    assert spec.note_id == f"another-deck/{FACE}"


def test_a_diagram_with_fewer_points_than_the_deck_asks_gets_no_occlusion_note() -> None:
    """One or two masks would only ask what the points' own diagram cards ask."""
    three = _context(deck=DECK)  # the default: at least three points
    assert list(POINTS.combined_notes(_summaries(ST2, GB14), three)) == []
    on_face = _point(code="ST3", diagram=_on(FACE, 0.6, 0.6))
    (spec,) = POINTS.combined_notes(_summaries(ST2, GB14, on_face), three)
    assert len(_masks(spec)) == 3


def test_each_mask_covers_its_point_s_dot_and_label() -> None:
    """The image shows each point as a dot at its place: a mask hides the dot and the
    label, and the answer can be checked against the dot."""
    points = [_point(code=f"P{i}", diagram=_on(FACE, 0.3 + 0.05 * i, 0.5)) for i in range(5)]
    (spec,) = POINTS.combined_notes(_summaries(*points), _context())
    (image,) = spec.media
    overlay = _overlay(image.data).decode()
    assert overlay.count("<circle") == 5
    shapes: dict[int, list[tuple[float, float, float, float]]] = {}
    for number, *box in _masks(spec):
        shapes.setdefault(number, []).append((box[0], box[1], box[2], box[3]))
    for (number, boxes), point in zip(shapes.items(), points, strict=True):
        assert point.diagram is not None
        x, y = point.diagram.x, point.diagram.y
        assert any(
            top <= y <= top + height
            and any(left <= v <= left + width for v in (x, 1.0 - x))  # either side
            for left, top, width, height in boxes
        ), number


def test_an_occlusion_note_is_tagged_with_its_diagram() -> None:
    (spec,) = POINTS.combined_notes(_summaries(ST2, GB14), _context())
    assert spec.tags == ("deckgen::occlusion", f"diagram::{FACE}")


def test_each_point_on_a_diagram_gets_one_mask_numbered_from_the_occlusion_numbers() -> None:
    context = _context({FACE: {"GB14": 1, "ST2": 7}, HAND: {"LI4": 3}})
    face, hand = POINTS.combined_notes(_summaries(ST2, LI4, GB14), context)
    masks = _masks(face)
    assert [number for number, *_ in masks] == [7, 1]  # in the points' order: ST2, GB14
    # Each mask covers its own point (a label may be moved to the other side of the face,
    # never off its point's height).
    for (_, _, top, _, height), y in zip(masks, (0.5, 0.3), strict=True):
        assert top <= y <= top + height
    assert [number for number, *_ in _masks(hand)] == [3]


def test_a_point_missing_from_the_occlusion_numbers_gets_its_position() -> None:
    context = _context({FACE: {"ST2": 5}})
    (spec,) = POINTS.combined_notes(_summaries(ST2, GB14), context)
    assert [number for number, *_ in _masks(spec)] == [5, 2]  # GB14 is the second point
    (spec,) = POINTS.combined_notes(_summaries(ST2, GB14), _context())
    assert [number for number, *_ in _masks(spec)] == [1, 2]


def test_an_occlusion_note_s_fields_by_name() -> None:
    (spec,) = POINTS.combined_notes(_summaries(ST2, GB14), _context())
    (image,) = spec.media
    assert re.fullmatch(r"deckgen-face-front-all-[0-9a-f]{12}\.svg", image.name)
    assert b">ST2</text>" in image.data and b">GB14</text>" in image.data
    assert spec.field("Image") == f'<img src="{image.name}" alt="{BUILTIN[FACE]}">'
    assert spec.field("Header") == f"{BUILTIN[FACE]}: name the masked point"
    assert spec.field("Back Extra") == (
        "<ul><li><strong>ST2</strong> Sìbái 四白 (Four Whites)</li>"
        "<li><strong>GB14</strong> Yángbái 阳白 (Yang White)</li></ul>"
    )
    # Every point's sources, each once, in the order they first come.
    assert spec.field("Comments") == "Sources: WHO 2008; Textbook"


def test_an_occlusion_note_shows_the_points_names_as_text() -> None:
    odd = _point(english="Four *Whites* <b>", diagram=_on(FACE, 0.3, 0.5))
    (spec,) = POINTS.combined_notes(_summaries(odd), _context())
    assert "(Four *Whites* &lt;b&gt;)" in spec.field("Back Extra")


# Items with their own sources
# ----------------------------


def test_an_item_with_its_own_sources_is_cited_beside_it() -> None:
    record = _condition(
        treatment=[
            "Oral drugs.",
            Cited(text="Botulinum toxin *injections*.", sources=["who-2008"]),
        ]
    )
    main = _one(CONDITIONS, record, "condition")
    assert main.field("Treatment") == (
        "<ul><li>Oral drugs.</li>"
        '<li>Botulinum toxin <em>injections</em>. <span class="cite">(WHO 2008)</span></li></ul>'
        '<div class="sources">Sources: Textbook; WHO 2008</div>'
    )


def test_a_hallmark_or_comparison_with_its_own_sources_cites_only_them() -> None:
    record = _condition(
        hallmarks=[Cited(text="Brow rises as the eye closes.", sources=["who-2008"])],
        distinguish_from=[
            Difference(condition="blepharospasm", how="One-sided.", sources=["who-2008"])
        ],
    )
    hallmark = _one(CONDITIONS, record, "hallmark")
    assert hallmark.field("Question") == "Which condition? Brow rises as the eye closes."
    assert hallmark.field("Sources") == "Sources: WHO 2008"
    comparison = _one(CONDITIONS, record, "comparison")
    assert comparison.field("Sources") == "Sources: WHO 2008"
    # The note's own sources go on what rests on them: the condition's main note.
    assert _one(CONDITIONS, record, "condition").field("Cause").endswith("Sources: Textbook</div>")


def test_a_summary_counts_every_source_a_record_cites() -> None:
    record = _condition(red_flags=[Cited(text="Weakness.", sources=["who-2008"])])
    assert CONDITIONS.summarise(record).sources == ("textbook", "who-2008")


def test_a_comparison_with_a_discriminating_feature_asks_which_of_the_two() -> None:
    record = _condition(
        distinguish_from=[
            Difference(
                condition="blepharospasm",
                how="Blepharospasm stops in sleep; hemifacial spasm goes on.",
                ask="goes on during sleep",
            )
        ]
    )
    spec = _one(CONDITIONS, record, "comparison")
    # The two in alphabetical order, so that the order tells nothing.
    assert spec.field("Question") == (
        "Which goes on during sleep: <b>Blepharospasm</b> or <b>Hemifacial spasm</b>?"
    )
    assert spec.field("Answer") == "Hemifacial spasm"
    assert spec.field("Extra") == "Blepharospasm stops in sleep; hemifacial spasm goes on."


def _cited_on(html: str) -> str:
    """The sources a card's field names in its footer."""
    return html.rsplit('<div class="sources">Sources: ', 1)[1].removesuffix("</div>")


def test_each_card_of_a_point_names_the_sources_of_its_own_facts() -> None:
    needling = Needling(
        depth="0.2–0.3 cun",
        angle="Perpendicular",
        sources=["textbook"],
        cautions=[Cited(text="Mind the eye.", sources=["who-2008"])],
    )
    record = _point(
        location_sources=["who-2008"],
        aliases=["S2"],
        aliases_sources=["textbook"],
        location="On the face, {{c1::at the infraorbital foramen}}.",
        needling=needling,
        indications=[Cited(text="Twitching eyelid.", sources=["textbook"])],
        sources=["who-2008", "textbook"],
    )
    point, cloze, alias = _notes(POINTS, record)
    assert _cited_on(point.field("Location")) == "WHO 2008"
    assert _cited_on(point.field("Cautions")) == "Textbook; WHO 2008"
    assert "sources" not in point.field("Needling")  # its footer follows the cautions
    assert _cited_on(point.field("Indications")) == "Textbook"
    assert point.field("Sources") == ""  # the shared field names nothing: no card's own
    assert cloze.field("Sources") == "Sources: WHO 2008"
    assert alias.field("Sources") == "Sources: Textbook"
    assert list(POINTS.uncited(record)) == []


def test_a_fact_resting_on_several_sources_is_reported() -> None:
    record = _point(
        sources=["who-2008", "textbook"],
        notes=["Claimed by X.", Cited(text="Cited.", sources=["textbook"])],
    )
    assert list(POINTS.uncited(record)) == [
        (("location",), 2, "location_sources"),
        (("needling",), 2, "needling.sources"),
        (("indications", 0), 2, "{text: ..., sources: [...]}"),
        (("notes", 0), 2, "{text: ..., sources: [...]}"),
    ]
    assert list(POINTS.uncited(_point())) == []  # one source: every card names just it
    condition = _condition(sources=["who-2008", "textbook"], cause_sources=["textbook"])
    assert [path for path, _, _ in CONDITIONS.uncited(condition)] == [
        ("key_features", 0),
        ("hallmarks", 0),
        ("hallmarks", 1),
        ("workup", 0),
        ("treatment", 0),
        ("red_flags", 0),
        ("distinguish_from", 0),
        ("distinguish_from", 1),
    ]
    (main,) = [spec for spec in _notes(CONDITIONS, condition, NAMES) if spec.kind == "condition"]
    assert _cited_on(main.field("Cause")) == "Textbook"
    assert _cited_on(main.field("Workup")) == "WHO 2008; Textbook"
