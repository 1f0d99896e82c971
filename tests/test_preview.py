"""`deckgen preview`: every card as the real Anki backend renders it, on a static page that
works in a real browser (headless Chromium)."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from ankitest import Collection, import_package
from deckgen.authoring.preview import kind_labels, load_preview_cards, write_preview
from deckgen.build import build
from deckgen.source.errors import InvalidCards

# Same cards, same text as Anki
# -----------------------------


def _text(html: str) -> str:
    """What a reader sees, roughly: tags stripped, entities decoded, whitespace collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]*>", " ", html)).split())


class _Tokens(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[object, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(("start", tag, tuple(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("end", tag))

    def handle_data(self, data: str) -> None:
        self.tokens.append(("data", data))


def _tokens(html: str) -> list[tuple[object, ...]]:
    """The HTML as tags, attribute values and text, however its entities are spelled."""
    parser = _Tokens()
    parser.feed(html)
    parser.close()
    return parser.tokens


def _assert_preview_matches_anki(cards_dir: Path, tmp_path: Path, collection: Collection) -> int:
    """Build and import the deck, preview it, compare every card; return how many."""
    import_package(collection, build(cards_dir=cards_dir, out_dir=tmp_path / "apkg").output)
    page = write_preview(cards_dir=cards_dir, out_dir=tmp_path / "preview").read_text("utf-8")
    _, cards = load_preview_cards(cards_dir)
    ours = {(card.note.guid, card.card.ordinal): card for card in cards}
    anki = {}
    for card_id in collection.find_cards(""):
        imported = collection.get_card(card_id)
        output = imported.render_output(reload=True)
        anki[(imported.note().guid, imported.ord)] = (output.question_text, output.answer_text)

    def named(keys: set[tuple[str, int]]) -> list[str]:
        return sorted(f"{ours[k].note.key} #{k[1] + 1}" if k in ours else str(k) for k in keys)

    assert named(set(ours) - set(anki)) == [], "cards Anki does not have"
    assert named(set(anki) - set(ours)) == [], "cards the preview lacks"
    for key, (question, answer) in anki.items():
        card = ours[key].card
        where = f"{ours[key].note.key}, card {key[1] + 1}"
        assert _text(card.question) == _text(question), where
        assert _text(card.answer) == _text(answer), where
        assert _tokens(card.question) == _tokens(question), where
        assert _tokens(card.answer) == _tokens(answer), where
        assert card.question in page and card.answer in page, where
    return len(anki)


@pytest.mark.slow
def test_mini_deck_cards_are_anki_s_cards(
    mini_cards: Path, tmp_path: Path, collection: Collection
) -> None:
    _, cards = load_preview_cards(mini_cards)
    kinds = {card.note.kind for card in cards}
    assert {"point", "point-cloze", "occlusion", "concept-cloze", "hallmark", "fact"} <= kinds
    assert _assert_preview_matches_anki(mini_cards, tmp_path, collection) == len(cards)


@pytest.mark.slow
def test_shipped_deck_cards_are_anki_s_cards(
    cards_dir: Path, tmp_path: Path, collection: Collection
) -> None:
    """On the real built-in drawings (every one is drawn: see tests/test_media.py)."""
    assert _assert_preview_matches_anki(cards_dir, tmp_path, collection) > 100


@pytest.mark.slow
def test_occlusion_cards_keep_the_numbers_in_the_lock(
    mini_cards: Path, tmp_path: Path, collection: Collection
) -> None:
    build(cards_dir=mini_cards, out_dir=tmp_path / "first")
    lock_path = mini_cards / "deckgen.lock"
    lock = json.loads(lock_path.read_text("utf-8"))
    assert lock["occlusion"] == {"test-face": {"GB14": 1, "ST2": 2}}
    lock["occlusion"] = {"test-face": {"GB14": 2, "ST2": 1}}
    lock_path.write_text(json.dumps(lock), encoding="utf-8")
    _assert_preview_matches_anki(mini_cards, tmp_path, collection)
    _, cards = load_preview_cards(mini_cards)
    (first,) = [c for c in cards if c.note.kind == "occlusion" and c.card.ordinal == 0]
    active = re.search(
        r'<div class="cloze" data-ordinal="1" [^>]*data-top="([\d.]+)"', first.card.question
    )
    assert active is not None and 0.45 < float(active.group(1)) < 0.5  # ST2 (y = 0.5) is c1


# The page
# --------


def test_the_page_shows_every_card_and_writes_nothing_else(
    mini_cards: Path, tmp_path: Path
) -> None:
    before = sorted(p.relative_to(mini_cards) for p in mini_cards.rglob("*"))
    out = tmp_path / "build" / "preview"
    index = write_preview(cards_dir=mini_cards, out_dir=out)

    assert index == out / "index.html"
    assert sorted(p.relative_to(mini_cards) for p in mini_cards.rglob("*")) == before  # no lock
    assert not list(tmp_path.rglob("*.apkg"))
    page = index.read_text("utf-8")
    _, cards = load_preview_cards(mini_cards)
    assert page.count('<article class="pv-entry"') == len(cards) > 20
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert f"{len(cards)} cards" in page
    images = set(re.findall(r'src="([^"]+)"', page))
    assert images and {p.name for p in out.iterdir()} == images | {"index.html"}
    assert not re.search(r'(src|href)="(https?:)?//|<link\b|@import|url\(', page)


def test_cards_are_grouped_by_deck_then_kind(mini_cards: Path, tmp_path: Path) -> None:
    page = write_preview(cards_dir=mini_cards, out_dir=tmp_path).read_text("utf-8")
    _, cards = load_preview_cards(mini_cards)
    grouped: dict[str, dict[str, int]] = {}  # decks, then kinds, in the order first met
    for card in cards:
        kinds = grouped.setdefault(card.note.deck.removeprefix("Mini Deck::"), {})
        kinds[kind_labels()[card.note.kind]] = kinds.get(kind_labels()[card.note.kind], 0) + 1
    expected = []
    for deck, kinds in grouped.items():
        expected.append(("2", deck, sum(kinds.values())))
        expected.extend(("3", kind, count) for kind, count in kinds.items())
    headings = re.findall(r"<h([23])>([^<]+) <small>\((\d+)\)</small></h\1>", page)
    assert [(level, name, int(count)) for level, name, count in headings] == expected
    assert [name for level, name, _ in expected if level == "2"] == [
        "Points",
        "TCM Concepts",
        "Western Differential",
        "Clinical Context",
    ]
    topic = sum(any(t.startswith("topic::") for t in card.note.tags) for card in cards)
    assert f'<option value="topic">topic ({topic})</option>' in page
    assert '<option value="deckgen::occlusion">deckgen::occlusion (2)</option>' in page


def test_a_new_preview_removes_media_no_card_uses(mini_cards: Path, tmp_path: Path) -> None:
    write_preview(cards_dir=mini_cards, out_dir=tmp_path)
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    old = {p.name for p in tmp_path.glob("deckgen-*-st2-*")}
    point = mini_cards / "points" / "ST2.yaml"
    point.write_text(point.read_text("utf-8").replace("y: 0.5}", "y: 0.55}"), encoding="utf-8")
    write_preview(cards_dir=mini_cards, out_dir=tmp_path)
    new = {p.name for p in tmp_path.glob("deckgen-*-st2-*")}
    assert len(old) == len(new) == 2 and not old & new
    assert (tmp_path / "notes.txt").read_text("utf-8") == "mine"


def test_invalid_cards_write_nothing(mini_cards: Path, tmp_path: Path) -> None:
    (mini_cards / "points" / "ST2.yaml").write_text("code: ST2\n", encoding="utf-8")
    with pytest.raises(InvalidCards):
        write_preview(cards_dir=mini_cards, out_dir=tmp_path / "preview")
    assert not (tmp_path / "preview").exists()


# In a browser
# ------------

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=3000",
]


@pytest.fixture
def chromium() -> str:
    """Chromium's path. Missing in CI fails the run; elsewhere the browser tests skip."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    message = "Chromium is needed for the browser tests of `deckgen preview`"
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{message} and CI is set: install it (apt-get install chromium)")
    pytest.skip(f"{message}; install it (apt-get install chromium) to run them")


def _chromium(chromium: str, profile: Path, url: str, *args: str) -> str:
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


class _Entries(HTMLParser):
    """The card entries of a page and whether each is hidden."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[tuple[str, set[str], bool]] = []
        self.masks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if "pv-entry" in classes:
            tags = set((values.get("data-tags") or "").split())
            self.entries.append((values.get("id") or "", tags, "hidden" in values))
        if "pv-mask" in classes:
            self.masks.append(classes[-1])


def _dom(chromium: str, tmp_path: Path, index: Path, query: str = "") -> _Entries:
    dom = _chromium(chromium, tmp_path / "profile", index.as_uri() + query, "--dump-dom")
    parser = _Entries()
    parser.feed(dom)
    assert parser.entries, dom[:2000]
    assert "Image occlusion needs Anki" not in re.sub(r"<script>.*?</script>", "", dom, flags=re.S)
    return parser


@pytest.mark.slow
def test_the_page_filters_by_tag_and_text_in_chromium(
    chromium: str, mini_cards: Path, tmp_path: Path
) -> None:
    index = write_preview(cards_dir=mini_cards, out_dir=tmp_path / "preview")
    _, cards = load_preview_cards(mini_cards)

    everything = _dom(chromium, tmp_path, index)
    anchors = [anchor for anchor, _, _ in everything.entries]
    assert sorted(anchors) == sorted(card.anchor for card in cards) and len(set(anchors)) == len(
        cards
    )
    assert not any(hidden for _, _, hidden in everything.entries)
    # each occlusion card: both masks on the front, the asked one outlined on the back
    assert sorted(everything.masks) == sorted(
        ["pv-mask-active", "pv-mask-inactive", "pv-mask-highlight", "pv-mask-inactive"] * 2
    )

    occlusion = _dom(chromium, tmp_path, index, "?tag=" + quote("deckgen::occlusion"))
    shown = [anchor for anchor, _, hidden in occlusion.entries if not hidden]
    assert shown == ["card-occlusion-mini-deck-test-face-1", "card-occlusion-mini-deck-test-face-2"]

    parent = _dom(chromium, tmp_path, index, "?tag=topic")  # a parent tag matches its children
    shown = [anchor for anchor, _, hidden in parent.entries if not hidden]
    topics = [c.anchor for c in cards if any(t.startswith("topic::") for t in c.note.tags)]
    assert sorted(shown) == sorted(topics) and 0 < len(topics) < len(cards)

    words = _dom(chromium, tmp_path, index, "?q=" + quote("INFRAORBITAL  foramen"))
    shown = [anchor for anchor, _, hidden in words.entries if not hidden]
    having = [c.anchor for c in cards if "infraorbital foramen" in _text(c.card.answer).lower()]
    assert sorted(shown) == sorted(having) and "card-point-cloze-st2-1" in shown
    assert all("st2" in anchor for anchor in shown)


def _png_size_and_colours(path: Path) -> tuple[int, int, int]:
    """Width, height and how many distinct byte values the decoded image data holds."""
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    position, idat = 8, b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        if kind == b"IDAT":
            idat += data[position + 8 : position + 8 + length]
        position += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


@pytest.mark.slow
@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_the_page_renders_in_chromium(
    chromium: str, mini_cards: Path, tmp_path: Path, width: int, height: int
) -> None:
    index = write_preview(cards_dir=mini_cards, out_dir=tmp_path / "preview")
    png = tmp_path / "shot.png"
    _chromium(
        chromium,
        tmp_path / "profile",
        index.as_uri(),
        f"--window-size={width},{height}",
        f"--screenshot={png}",
    )
    assert _png_size_and_colours(png)[:2] == (width, height)
    assert _png_size_and_colours(png)[2] > 64  # text and drawings, not a blank page
