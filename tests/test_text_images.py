"""Images in card text (`![alt](images/x.png)` in any text field): checked like diagram
images, shipped as media named from their content, shown by Anki; never dropped."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from ankitest import Collection, import_package
from deckgen.build import build
from deckgen.kinds.folder import load_cards
from deckgen.kinds.html import image_paths, inline
from deckgen.source.errors import InvalidCards
from test_media import _png

MEDIA_NAME = r"deckgen-{stem}-[0-9a-f]{{12}}\.{ext}"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def pictured(mini_cards: Path) -> Path:
    """The mini deck with an image in a concept's definition (and its cloze) and one in a
    condition's list item."""
    (mini_cards / "images" / "qi.png").write_bytes(_png(12, 8))
    _replace(
        mini_cards / "concepts" / "qi.yaml",
        "which moves in the channels",
        "which moves in the channels ![the character qi](images/qi.png)",
    )
    _replace(
        mini_cards / "conditions" / "blepharospasm.yaml",
        "key_features: [Both eyelids close forcibly.]",
        "key_features: ['Both eyelids close forcibly: ![closed eyes](images/face.svg)']",
    )
    return mini_cards


def _media_of(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        names = json.loads(archive.read("media"))
        return {name: archive.read(number) for number, name in names.items()}


def _field(col: Collection, query: str, name: str) -> str:
    (note_id,) = col.find_notes(query)
    return str(col.get_note(note_id)[name])


@pytest.mark.slow
def test_an_image_in_text_is_shipped_and_shown_by_anki(
    pictured: Path, tmp_path: Path, collection: Collection
) -> None:
    report = build(cards_dir=pictured, out_dir=tmp_path / "out")
    assert report.warnings == ()  # neither image is an unused media file
    log = import_package(collection, report.output)
    assert not log.conflicting
    definition = _field(collection, '"Term:Qi"', "Definition")
    found = re.search(r'<img src="([^"]+)" alt="the character qi">', definition)
    assert found, definition
    assert re.fullmatch(MEDIA_NAME.format(stem="qi", ext="png"), found.group(1))
    stored = Path(collection.media.dir()) / found.group(1)
    assert stored.read_bytes() == (pictured / "images" / "qi.png").read_bytes()
    features = _field(collection, '"Name:Blepharospasm"', "Features")
    assert re.search(r'<img src="deckgen-face-[0-9a-f]{12}\.svg" alt="closed eyes">', features)
    assert collection.media.check().missing == []
    for card_id in collection.find_cards(""):  # every card renders, images included
        collection.get_card(card_id).render_output(reload=True)


@pytest.mark.slow
def test_a_changed_image_updates_its_note_and_an_unchanged_note_keeps_its_image(
    pictured: Path, tmp_path: Path, collection: Collection
) -> None:
    out = tmp_path / "out"
    first = build(cards_dir=pictured, out_dir=out)
    import_package(collection, first.output)
    shipped = _media_of(first.output)

    _replace(pictured / "facts" / "imaging.yaml", "MRI", "Magnetic resonance imaging")
    second = build(cards_dir=pictured, out_dir=out)
    assert "concept:qi" in second.changes.unchanged  # kept, not made again ...
    assert _media_of(second.output).items() >= shipped.items()  # ... with its image
    assert load_cards(pictured).warnings == ()  # its image is used, though its file is cached

    (pictured / "images" / "qi.png").write_bytes(_png(16, 16))
    third = build(cards_dir=pictured, out_dir=out)
    assert ("concept:qi", ("Definition",)) in third.changes.changed
    log = import_package(collection, third.output)
    assert {str(note.id) for note in log.updated}
    definition = _field(collection, '"Term:Qi"', "Definition")
    (name,) = re.findall(r'src="([^"]+)"', definition)
    assert name not in shipped
    assert (Path(collection.media.dir()) / name).read_bytes() == _png(16, 16)


def test_a_missing_text_image_is_an_error_at_its_place(pictured: Path) -> None:
    (pictured / "images" / "qi.png").unlink()
    with pytest.raises(InvalidCards) as failed:
        load_cards(pictured)
    (problem,) = failed.value.problems
    assert problem.path.endswith("concepts/qi.yaml") and problem.line == 5
    assert problem.message.startswith("definition: file 'images/qi.png' not found")


def test_images_are_found_as_markdown_finds_them() -> None:
    text = "a ![one](images/a.png) `![code](b.png)` [link](c.png)\n\n- ![two](d%20e.svg)"
    assert image_paths(text) == ["images/a.png", "d e.svg"]
    assert image_paths("no image [here](x.png) or here: !") == []


def test_without_a_build_an_image_keeps_no_source() -> None:
    """Outside a build nothing names the media file: the image points nowhere, never at a
    path outside the package."""
    assert inline("see ![x](images/a.png)") == 'see <img alt="x">'
    # a script URL is no image to Markdown: it is shown as written
    assert inline("![x](javascript:alert(1))") == "![x](javascript:alert(1))"
