"""`deckgen preview --serve`: the preview on localhost, written again on every save and
reloaded in every open browser tab, as `mkdocs serve` does.

The served index.html carries a small script (the file on disk does not): it asks
`/__reload__` every few hundred milliseconds for the site's version and reloads the page
when it changes. A save that leaves the cards invalid keeps the last good page, with the
problems in a banner on top. Only regular files inside the preview folder are served.
"""

from __future__ import annotations

import html
import json
import mimetypes
import os
import stat
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, unquote, urlsplit

from deckgen.authoring.preview import write_preview
from deckgen.authoring.watch import DEBOUNCE_MS, on_every_save
from deckgen.build.load import load_folder
from deckgen.source.errors import DeckgenError, InvalidCards, labelled

#: Where open pages ask for the site's version.
RELOAD_PATH = "/__reload__"
#: How often an open page asks, in milliseconds.
POLL_MS = 300

_SCRIPT = """<script>
(function () {
  var version = %d;
  function poll() {
    fetch("%s?page=" + version, {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (site) {
        if (site.version !== version) { location.reload(); } else { setTimeout(poll, %d); }
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  setTimeout(poll, %d);
})();
</script>"""
_BANNER = (
    '<div id="deckgen-problems" style="position:sticky;top:0;z-index:9;background:#b00020;'
    'color:#fff;padding:.6em 1em;font:14px/1.4 system-ui,sans-serif;white-space:pre-wrap">'
    "{}</div>"
)
_EMPTY = (
    "<!doctype html><html><head><meta charset=utf-8><title>deckgen preview</title></head>"
    "<body></body></html>"
)


class PreviewSite:
    """The preview folder and what the server says about it: its version (one more after
    every rewrite or failed attempt), the problems of the last attempt, and the versions
    that open pages have asked about (the browser's side of a reload)."""

    def __init__(self, cards_dir: Path, site_dir: Path, *, strict: bool = False) -> None:
        self.cards_dir = cards_dir
        self.site_dir = site_dir
        self.strict = strict
        self.version = 0
        self.problems: tuple[str, ...] = ()
        self.seen: set[int] = set()
        self._lock = threading.Lock()

    def rewrite(self) -> Path | DeckgenError:
        """Write the preview again: its index.html, or what stopped it (the last good
        page stays)."""
        try:
            loaded = load_folder(self.cards_dir, strict=self.strict)
            index = write_preview(cards_dir=self.cards_dir, out_dir=self.site_dir, loaded=loaded)
            outcome: Path | DeckgenError = index
            problems: tuple[str, ...] = ()
        except InvalidCards as failure:
            outcome = failure
            problems = (*labelled(failure.problems, failure.warnings), str(failure))
        except DeckgenError as failure:
            outcome, problems = failure, (f"Error: {failure}",)
        except (OSError, ValueError) as error:  # a file removed or replaced mid-save
            outcome = DeckgenError(f"preview failed: {error}")
            problems = (f"Error: {outcome}",)
        with self._lock:
            self.version += 1
            self.problems = problems
        return outcome

    def page(self) -> bytes:
        """index.html as served: the reload script, and the problems on top if any."""
        index = self.site_dir / "index.html"
        text = index.read_text(encoding="utf-8") if index.is_file() else _EMPTY
        with self._lock:
            version, problems = self.version, self.problems
        extra = _SCRIPT % (version, RELOAD_PATH, POLL_MS, POLL_MS)
        if problems:
            extra = _BANNER.format(html.escape("\n".join(problems))) + extra
        head, found, tail = text.rpartition("</body>")
        return ((head + extra + found + tail) if found else text + extra).encode("utf-8")

    def status(self, page: int | None) -> bytes:
        """The answer to an open page's question: the site's version."""
        with self._lock:
            if page is not None:
                self.seen.add(page)
            return json.dumps({"version": self.version}).encode("utf-8")

    def file(self, url_path: str) -> Path | None:
        """The regular file inside the site that `url_path` names, or None."""
        parts = PurePosixPath(unquote(url_path)).parts[1:]
        if not parts or any(part in ("..", ".") or "\0" in part for part in parts):
            return None
        candidate = self.site_dir.joinpath(*parts)
        try:
            if not candidate.resolve().is_relative_to(self.site_dir.resolve()):
                return None
            if not stat.S_ISREG(os.lstat(candidate).st_mode):
                return None
        except (OSError, RuntimeError, ValueError):
            return None
        return candidate


def _handler(site: PreviewSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == RELOAD_PATH:
                page = parse_qs(url.query).get("page", [""])[0]
                body = site.status(int(page) if page.isdigit() else None)
                self._send(body, "application/json")
            elif url.path in ("/", "/index.html"):
                self._send(site.page(), "text/html; charset=utf-8")
            else:
                found = site.file(url.path)
                if found is None:
                    self.send_error(HTTPStatus.NOT_FOUND)
                    return
                kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
                self._send(found.read_bytes(), kind)

        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the core never prints."""

    return Handler


def serve(
    site: PreviewSite,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    on_ready: Callable[[str], None],
    on_rewrite: Callable[[Path | DeckgenError], None],
    stop: threading.Event | None = None,
    debounce_ms: int = DEBOUNCE_MS,
) -> None:
    """Serve `site` on http://host:port/ (port 0: any free one, `on_ready` is told the
    address) and write it again after every save, until `stop` is set or Ctrl-C."""
    try:
        server = ThreadingHTTPServer((host, port), _handler(site))
    except OSError as error:
        raise DeckgenError(
            f"cannot serve on {host}:{port}: {error.strerror or error}; "
            "choose another with --port (0: any free port)"
        ) from None
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="deckgen-serve", daemon=True)
    thread.start()
    try:
        bound_host, bound_port = server.server_address[:2]
        on_ready(f"http://{_host(str(bound_host))}:{bound_port}/")
        on_every_save(
            site.cards_dir,
            lambda: on_rewrite(site.rewrite()),
            stop=stop,
            debounce_ms=debounce_ms,
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
