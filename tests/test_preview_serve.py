"""`deckgen preview --serve` (issue 17, part 6): the preview served on localhost, written
again on every save, reloaded by the browser itself; a bad save keeps the last good page
with its problems on top; nothing outside the preview folder is served."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from deckgen.authoring.serve import PreviewSite, serve
from deckgen.cli import cli
from deckgen.source.errors import DeckgenError
from test_preview import CHROMIUM_FLAGS, chromium  # noqa: F401 (a fixture)

DEADLINE = 30.0


class Served:
    def __init__(self, site: PreviewSite, url: str, rewrites: list[Path | DeckgenError]) -> None:
        self.site, self.url, self.rewrites = site, url, rewrites

    def get(self, path: str = "") -> str:
        with urllib.request.urlopen(self.url + path, timeout=10) as answer:
            return str(answer.read().decode("utf-8"))

    def status(self, path: str) -> int:
        connection = http.client.HTTPConnection(self.url.split("/")[2], timeout=10)
        connection.request("GET", path)  # sent as written: '..' is not resolved here
        return connection.getresponse().status


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.05)


@pytest.fixture
def served(mini_cards: Path, tmp_path: Path) -> Iterator[Served]:
    site = PreviewSite(mini_cards, tmp_path / "out" / "preview")
    ready: list[str] = []
    rewrites: list[Path | DeckgenError] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=serve,
        kwargs={
            "site": site,
            "port": 0,
            "on_ready": ready.append,
            "on_rewrite": rewrites.append,
            "stop": stop,
            "debounce_ms": 50,
        },
    )
    thread.start()
    try:
        _until(lambda: bool(ready) and bool(rewrites), "the server is up")
        yield Served(site, ready[0], rewrites)
    finally:
        stop.set()
        thread.join(timeout=DEADLINE)
        assert not thread.is_alive()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.slow
def test_a_save_rewrites_the_page(served: Served, mini_cards: Path) -> None:
    assert "drives the blood" in served.get() and served.site.version == 1
    assert '{"version": 1}' in served.get("__reload__")
    _edit(mini_cards / "concepts" / "qi.yaml", "drives the blood", "drives the blood onward")
    _until(lambda: served.site.version == 2, "the preview is written again")
    assert "drives the blood onward" in served.get()
    assert '{"version": 2}' in served.get("__reload__")
    assert (served.site.site_dir / "index.html").read_text(encoding="utf-8").count(
        "__reload__"
    ) == 0


@pytest.mark.slow
def test_a_bad_save_keeps_the_last_good_page_with_its_problems(
    served: Served, mini_cards: Path
) -> None:
    note = mini_cards / "concepts" / "qi.yaml"
    _edit(note, "term: Qi", "term: [Qi")
    _until(lambda: served.site.version == 2, "the bad save is seen")
    page = served.get()
    assert 'id="deckgen-problems"' in page
    assert "concepts/qi.yaml:" in page and "YAML syntax error" in page
    assert "drives the blood" in page  # the last good cards
    assert isinstance(served.rewrites[-1], DeckgenError)
    _edit(note, "term: [Qi", "term: Qi")
    _until(lambda: served.site.version == 3, "the fix is seen")
    assert 'id="deckgen-problems"' not in served.get()


@pytest.mark.slow
def test_only_regular_files_inside_the_preview_are_served(
    served: Served, mini_cards: Path, tmp_path: Path
) -> None:
    site = served.site.site_dir
    (media,) = [p for p in site.iterdir() if p.suffix == ".svg"][:1]
    assert served.status(f"/{media.name}") == 200
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (site / "link.txt").symlink_to(tmp_path / "secret.txt")
    (site / "folder").mkdir()
    for path in (
        "/../../secret.txt",
        "/%2e%2e/%2e%2e/secret.txt",
        "/..%2f..%2fsecret.txt",
        "/link.txt",
        "/folder",
        "/missing.png",
        "/" + str(mini_cards / "deck.yaml"),
    ):
        assert served.status(path) == 404, path


@pytest.mark.slow
def test_an_open_page_reloads_itself_in_chromium(
    served: Served,
    mini_cards: Path,
    tmp_path: Path,
    chromium: str,  # noqa: F811 (the fixture)
) -> None:
    flags = [flag for flag in CHROMIUM_FLAGS if not flag.startswith("--virtual-time")]
    browser = subprocess.Popen(
        [chromium, *flags, f"--user-data-dir={tmp_path / 'profile'}", served.url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _until(lambda: 1 in served.site.seen, "the page asks for the version")
        _edit(mini_cards / "concepts" / "qi.yaml", "drives the blood", "drives the blood onward")
        # version 2 is asked about only by a page loaded after the rewrite: it reloaded
        _until(lambda: 2 in served.site.seen, "the open page reloads itself")
    finally:
        browser.terminate()
        browser.wait(timeout=DEADLINE)
    dom = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'dump'}",
            "--dump-dom",
            served.url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "drives the blood onward" in dom


def test_a_port_in_use_is_a_clear_error(mini_cards: Path, tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli,
            ["preview", "--serve", "--port", str(port), "--cards", str(mini_cards)],
            env={"NO_COLOR": "1"},
        )
    assert result.exit_code == 1
    assert f"Error: cannot serve on 127.0.0.1:{port}: " in result.output
    assert "choose another with --port" in result.output
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)


@pytest.mark.slow
def test_the_command_serves_reports_and_stops_cleanly_on_ctrl_c(mini_cards: Path) -> None:
    deckgen = Path(sys.executable).with_name("deckgen")
    server = subprocess.Popen(
        [str(deckgen), "preview", "--serve", "--port", "0", "--cards", "mini", "--out", "out"],
        cwd=mini_cards.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        assert first.startswith("Serving the preview on http://127.0.0.1:"), first
        url = first.split(" on ")[1].split(" ")[0]
        assert server.stdout.readline() == "Preview written to out/preview/index.html\n"
        with urllib.request.urlopen(url, timeout=10) as page:
            assert b"__reload__" in page.read()
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=DEADLINE)
    assert server.returncode == 0, err
    assert err == "", err  # no traceback, and no line from the file watcher either
