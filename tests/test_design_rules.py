"""The rules of good flashcards that the generator keeps for every deck (issue 16):
no front that gives its answer away, a needling card for every point, occlusion notes only
where there is something to tell apart."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import SHIPPED_CARDS
from deckgen.anki.cards import card_ordinals
from deckgen.authoring.preview import render_note
from deckgen.build.load import load_folder
from deckgen.kinds.checks import given_away
from deckgen.kinds.registry import POINTS
from deckgen.kinds.spec import NoteSpec
from deckgen.source.errors import InvalidCards

_MASK = re.compile(
    r"\{\{c(\d+)::image-occlusion:rect:left=([\d.]+):top=([\d.]+)"
    r":width=([\d.]+):height=([\d.]+)"
)


@pytest.mark.parametrize(
    ("front", "answer", "any_word", "expected"),
    [
        ("Something is lacking, or something is too much.", "Deficiency versus excess", True, []),
        (
            "Deficiency means something is lacking; excess means too much.",
            "Deficiency versus excess",
            True,
            ["deficiency", "excess"],
        ),
        (
            "Wind arising from deficient blood.",
            "Blood deficiency wind",
            True,
            ["blood", "deficiency", "wind"],
        ),
        ("A tremor like wind.", "Liver wind", True, []),  # half a term does not say it
        ("A tremor like wind.", "Wind", True, ["wind"]),  # a one-word term's word does
        ("From GB14 to Yuyao.", "Threading GB14 through to Yuyao", True, ["gb14", "yuyao"]),
        ("A tremor like wind.", "Liver wind", False, []),  # a sentence: all its words
        ("Is it more common in men or in women?", "In women.", False, ["women"]),
        ("What is the usual onset age?", "In the 50s to 60s.", False, []),
        ("Qi moves.", "Qi", True, []),  # words under four letters are no key words
    ],
)
def test_what_gives_an_answer_away(
    front: str, answer: str, any_word: bool, expected: list[str]
) -> None:
    assert given_away(front, answer, any_word=any_word) == expected


def test_check_warns_where_a_definition_names_its_term(mini_cards: Path) -> None:
    concept = mini_cards / "concepts" / "qi.yaml"
    text = concept.read_text(encoding="utf-8")
    concept.write_text(text.replace("term: Qi", "term: Vital energy"), encoding="utf-8")
    loaded = load_folder(mini_cards)  # "The body's functional vital energy, which ..."
    (warning,) = [w for w in loaded.cards.warnings if "gives away" in w.message]
    assert warning.path.endswith("qi.yaml")
    assert warning.message == (
        "definition: the front gives away its answer 'Vital energy' (vital, energy); "
        "say it without them"
    )
    line = 1 + next(i for i, row in enumerate(text.splitlines()) if row.startswith("definition"))
    assert (warning.line, warning.column) == (line, 13)
    with pytest.raises(InvalidCards):
        load_folder(mini_cards, strict=True)


# The rules over the shipped deck, built: what a student gets.


@pytest.fixture(scope="module")
def shipped() -> list[NoteSpec]:
    return load_folder(SHIPPED_CARDS).notes()


def _fields(spec: NoteSpec) -> dict[str, str]:
    return dict(zip(spec.notetype.fields, spec.fields, strict=True))


def test_every_point_has_a_needling_card(shipped: list[NoteSpec]) -> None:
    points = [spec for spec in shipped if spec.kind == "point"]
    assert points
    for spec in points:
        assert 3 in card_ordinals(spec.notetype, _fields(spec)), spec.key  # Point → Needling


def test_no_occlusion_note_has_fewer_than_three_masks(shipped: list[NoteSpec]) -> None:
    occlusions = [spec for spec in shipped if spec.kind == "occlusion"]
    assert occlusions
    for spec in occlusions:
        assert len(card_ordinals(spec.notetype, _fields(spec))) >= 3, spec.key


def test_every_mask_covers_its_point_s_dot(shipped: list[NoteSpec]) -> None:
    """Each mask (its cloze number is the point's, kept in the lock) covers the point's
    coordinates, or their mirror image on a view where a point shows on either side."""
    loaded = load_folder(SHIPPED_CARDS)
    numbers = loaded.occlusion()
    places = {
        point.code: point.diagram
        for point in loaded.cards.records_of(POINTS)
        if point.diagram is not None
    }
    for spec in (s for s in shipped if s.kind == "occlusion"):
        diagram = spec.note_id.rpartition("/")[2]
        code_of = {number: code for code, number in numbers[diagram].items()}
        shapes: dict[int, list[tuple[float, ...]]] = {}
        for number, *box in _MASK.findall(spec.field("Occlusion")):
            shapes.setdefault(int(number), []).append(tuple(map(float, box)))
        for number, boxes in shapes.items():
            place = places[code_of[number]]
            assert any(
                top <= place.y <= top + height
                and any(left <= v <= left + width for v in (place.x, 1 - place.x))
                for left, top, width, height in boxes
            ), (spec.key, number)


def test_an_item_s_unknown_source_is_reported_at_its_place(mini_cards: Path) -> None:
    condition = mini_cards / "conditions" / "blepharospasm.yaml"
    text = condition.read_text(encoding="utf-8")
    condition.write_text(
        text.replace(
            "key_features: [Both eyelids close forcibly.]",
            "key_features:\n  - {text: Both eyelids close forcibly., sources: [textbok]}",
        ),
        encoding="utf-8",
    )
    with pytest.raises(InvalidCards) as caught:
        load_folder(mini_cards)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (4, 52)
    assert problem.message == (
        "key_features[0].sources[0]: unknown source 'textbok' (did you mean 'textbook'?)"
    )


#: The fields that make up one card's answer, by note type.
ANSWERS: dict[str, list[tuple[str, ...]]] = {
    "point": [("Actions", "Indications"), ("Cautions",)],
    "condition": [("Features",), ("Workup",), ("Treatment",), ("RedFlags",)],
    "qa": [("Answer",)],
}


def test_no_answer_holds_more_than_three_listed_facts(shipped: list[NoteSpec]) -> None:
    """A longer list is asked one item per card (a cloze of the whole list)."""
    long = []
    for spec in shipped:
        for group in ANSWERS.get(spec.notetype.key, []):
            items = sum(spec.field(name).count("<li>") for name in group)
            if items > 3:
                long.append((spec.key, group, items))
    assert long == []
    assert any(spec.kind in ("condition-list", "point-list") for spec in shipped)


def test_a_long_list_is_asked_one_item_per_card(shipped: list[NoteSpec]) -> None:
    for spec in (s for s in shipped if s.kind in ("condition-list", "point-list")):
        text = spec.field("Text")
        assert text.count("<li>") == len(card_ordinals(spec.notetype, _fields(spec))) > 3 or (
            spec.kind == "point-list"  # actions and indications split together
        ), spec.key


def test_check_warns_where_two_conditions_are_compared_both_ways(mini_cards: Path) -> None:
    blepharospasm = mini_cards / "conditions" / "blepharospasm.yaml"
    text = blepharospasm.read_text(encoding="utf-8")
    mirrored = "distinguish_from:\n  - {condition: hemifacial-spasm, how: Both sides.}\n"
    blepharospasm.write_text(text.replace("tags:", mirrored + "tags:"), encoding="utf-8")
    warnings = [w for w in load_folder(mini_cards).cards.warnings if "both" not in w.path]
    (warning,) = [w for w in warnings if "compared" in w.message]
    assert warning.path.endswith("hemifacial-spasm.yaml")
    assert warning.message == (
        "distinguish_from[0].condition: 'blepharospasm' is also compared with "
        "'hemifacial-spasm'; ask each difference once, from one side"
    )


def test_a_card_names_only_a_few_sources(shipped: list[NoteSpec]) -> None:
    """Each item carries its own sources where the note's would be many: a card that is not
    a whole list (whose items it all shows) or a diagram (all its points) cites at most six."""
    wide = [
        (spec.key, spec.field("Sources").count(";") + 1)
        for spec in shipped
        if "Sources" in spec.notetype.fields
        and spec.kind not in ("condition-list", "point-list")
        and spec.field("Sources").count(";") + 1 > 6
    ]
    assert wide == []


def test_check_warns_about_a_source_no_note_cites(mini_cards: Path) -> None:
    sources = mini_cards / "sources.yaml"
    sources.write_text(
        sources.read_text(encoding="utf-8") + "spare:\n  title: A book.\n  short: Book\n",
        encoding="utf-8",
    )
    (warning,) = [w for w in load_folder(mini_cards).cards.warnings if "cites" in w.message]
    assert warning.path.endswith("sources.yaml")
    assert warning.message == "spare: no note cites this source; cite it or remove it"


# A card names the sources of its own facts
# ------------------------------------------
# Written from the rule, not from the code: which parts of a point or condition each of
# its cards shows, and so which sources it must name.

_FOOTER = re.compile(r'<div class="sources">Sources: (.*?)</div>')


def _named(answer: str) -> list[str]:
    footers = _FOOTER.findall(answer)
    assert len(footers) == 1, answer  # every card names its sources, once
    return html.unescape(footers[0]).split("; ")


def _items_own(items: list[object]) -> list[str]:
    return [key for item in items if isinstance(item, dict) for key in item.get("sources", [])]


def _shipped_cards(kind: str) -> Iterator[tuple[dict[str, Any], str, str]]:
    """(the record as YAML data, card template, answer) of every card of a kind's notes."""
    loaded = load_folder(SHIPPED_CARDS)
    data = {
        file.key: yaml.safe_load(file.path.read_text(encoding="utf-8"))
        for file in loaded.cards.files
    }
    for spec in loaded.notes():
        if spec.kind == kind:
            for card in render_note(spec.notetype, _fields(spec)):
                yield data[spec.key], card.template, card.answer


def test_each_point_card_names_the_sources_of_its_own_facts() -> None:
    shorts = {key: s.short for key, s in load_folder(SHIPPED_CARDS).cards.sources.items()}
    seen = set()
    for point, template, answer in _shipped_cards("point"):
        own = list(point["sources"])
        needling = point["needling"]
        assert isinstance(needling, dict)
        expected = {
            "Code → Location": point.get("location_sources") or own,
            "Point → Needling": [
                *(needling.get("sources") or own),
                *_items_own(list(needling.get("cautions") or [])),
            ],
        }.get(template)
        named = _named(answer)
        assert set(named) <= {shorts[key] for key in _all_keys(point)}, (point["code"], template)
        if expected is not None:
            seen.add(template)
            assert sorted(set(named)) == sorted({shorts[k] for k in expected}), (
                point["code"],
                template,
            )
    assert seen == {"Code → Location", "Point → Needling"}


def test_each_condition_card_names_the_sources_of_its_own_facts() -> None:
    shorts = {key: s.short for key, s in load_folder(SHIPPED_CARDS).cards.sources.items()}
    causes = 0
    for condition, template, answer in _shipped_cards("condition"):
        named = _named(answer)
        assert set(named) <= {shorts[key] for key in _all_keys(condition)}
        if template == "Condition → Cause":
            causes += 1
            keys = condition.get("cause_sources") or condition["sources"]
            assert sorted(set(named)) == sorted({shorts[k] for k in keys}), condition["id"]
        assert len(set(named)) <= 4, (condition["id"], template, named)
    assert causes >= 10


def _all_keys(data: object) -> set[str]:
    """Every source key anywhere in a record's YAML data."""
    if isinstance(data, dict):
        found = set()
        for key, value in data.items():
            if key == "sources" or str(key).endswith("_sources"):
                found |= set(value)
            else:
                found |= _all_keys(value)
        return found
    if isinstance(data, list):
        return set().union(*(_all_keys(item) for item in data)) if data else set()
    return set()
