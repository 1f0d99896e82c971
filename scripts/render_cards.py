#!/usr/bin/env python3
"""Render a sample of built cards to PNG, as Anki's reviewer shows them (a development tool).

Builds a cards folder, imports the .apkg into a throw-away collection with the real `anki`
backend, and screenshots each sample card's front and back, light and night, at desktop
and phone widths, in headless Chromium. The reviewer's own web files (its CSS and the
script that draws image-occlusion masks) come from the `aqt` wheel, downloaded once into
a cache folder and never installed: aqt is AGPL and is not a dependency of deckgen.

    python scripts/render_cards.py --cards cards --out build/renders
    python scripts/render_cards.py --search 'tag:deckgen::occlusion' --limit 2

Needs the test extra (`pip install -e ".[test]"`) and Chromium (`apt-get install chromium`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

import anki.collection  # noqa: F401  (before anki.cards: circular import)
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from deckgen.build import build

CACHE = Path.home() / ".cache" / "deckgen-dev"
SIZES = {"desktop": (900, 1100), "phone": (390, 844)}
DEFAULT_SEARCH = (
    '"Code:ST2" OR "Code:LI4" OR tag:deckgen::occlusion OR tag:deckgen::condition '
    "OR tag:deckgen::concept"
)


def reviewer_web_files() -> Path:
    """The reviewer's css/js folder from the aqt wheel matching the installed anki."""
    version = metadata.version("anki")
    web = CACHE / f"aqt-{version}" / "_aqt" / "data" / "web"
    if not web.is_dir():
        download = CACHE / "wheels"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "-q",
                "-d",
                str(download),
                f"aqt=={version}",
            ],
            check=True,
        )
        (wheel,) = download.glob(f"aqt-{version}-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            members = [m for m in archive.namelist() if m.startswith("_aqt/data/web/")]
            archive.extractall(CACHE / f"aqt-{version}", members)
    return web


def _js_string(text: str) -> str:
    """`text` as a JavaScript string literal safe inside an inline <script>."""
    return json.dumps(text).replace("</", "<\\/")


def page(question: str, answer: str, *, back: bool, night: bool, ordinal: int) -> str:
    classes = f"card card{ordinal + 1}" + (" nightMode night_mode" if night else "")
    escape = _js_string
    show = f"_showQuestion({escape(question)}, {escape(answer)}, {json.dumps(classes)});"
    if back:
        show += f" setTimeout(() => _showAnswer({escape(answer)}), 100);"
    return f"""<!doctype html>
<html class="{"night-mode" if night else ""}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="web/css/webview.css">
<link rel="stylesheet" href="web/css/reviewer.css">
<script>window.bridgeCommand = () => {{}}; var qFade = 0;</script>
<script src="web/js/reviewer.js"></script>
</head><body class="{classes}">
<div id="_mark" hidden>&#x2605;</div><div id="_flag" hidden>&#x2691;</div><div id="qa"></div>
<script>{show}</script>
</body></html>
"""


def screenshot(html: Path, png: Path, size: tuple[int, int]) -> None:
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--virtual-time-budget=2000",
            f"--user-data-dir={html.parent / '.chromium'}",
            f"--window-size={size[0]},{size[1]}",
            f"--screenshot={png}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=Path, default=Path("cards"))
    parser.add_argument("--out", type=Path, default=Path("build/renders"))
    parser.add_argument("--search", default=DEFAULT_SEARCH, help="Anki search for the sample.")
    parser.add_argument("--limit", type=int, default=12, help="At most this many cards.")
    parser.add_argument("--sizes", default="desktop,phone")
    parser.add_argument("--modes", default="light,night")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        cards = scratch / "cards"
        shutil.copytree(args.cards, cards)
        package = build(cards_dir=cards, out_dir=scratch / "out").output
        col = Collection(str(scratch / "collection.anki2"))
        col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
        )
        site = args.out
        site.mkdir(parents=True, exist_ok=True)
        shutil.copytree(reviewer_web_files(), site / "web", dirs_exist_ok=True)
        for media in Path(col.media.dir()).iterdir():
            shutil.copy(media, site / media.name)
        written = []
        for card_id in col.find_cards(args.search)[: args.limit]:
            card = col.get_card(card_id)
            note = card.note()
            output = card.render_output(reload=True)
            question = output.question_and_style()
            answer = output.answer_and_style()
            label = "".join(ch if ch.isalnum() else "-" for ch in note.fields[0][:24]).strip("-")
            stem = f"{card.id}-{label}-c{card.ord + 1}"
            for side in ("front", "back"):
                for mode in args.modes.split(","):
                    html = site / f"{stem}-{side}-{mode}.html"
                    html.write_text(
                        page(
                            question,
                            answer,
                            back=side == "back",
                            night=mode == "night",
                            ordinal=card.ord,
                        ),
                        encoding="utf-8",
                    )
                    for size in args.sizes.split(","):
                        png = site / f"{stem}-{side}-{mode}-{size}.png"
                        screenshot(html, png, SIZES[size])
                        written.append(png)
        col.close()
    for png in written:
        print(png)


if __name__ == "__main__":
    main()
