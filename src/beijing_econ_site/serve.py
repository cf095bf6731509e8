"""Serve: the built site on 127.0.0.1, rebuilt when data/ or templates/ change, with live reload.

The browser keeps an EventSource open on /__events, naming the page it shows. As soon as a
rebuild has checked the data and made its pages, the server sends the pages that changed
('patch'): first the pages open in a browser, made before any other, then the rest. The open
page puts the new one in place, keeping its scroll position and focus; once the rest of the site is made
and swapped in, it sends 'reload' with the pages that changed (a page already patched by that
build stays as it is), or the build's errors, which a small overlay shows in the page. A failed
build keeps the last good site on disk and on screen.
"""

from __future__ import annotations

import collections
import errno
import functools
import gc
import http.server
import json
import logging
import re
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from beijing_econ_site.build.fingerprint import site_cache
from beijing_econ_site.build.output import check_output_dir
from beijing_econ_site.build.renderer import Renderer
from beijing_econ_site.build.run import build_site
from beijing_econ_site.diagnostics import DataError, render_report
from beijing_econ_site.environment import BuildRunning, environment_message

log = logging.getLogger(__name__)

RELOAD_SCRIPT = b"""(function () {
  "use strict";
  // the page it is sent from: a rebuild makes and shows the pages open in a browser first
  var source = new EventSource("/__events?page=" + encodeURIComponent(location.pathname.replace(/index\\.html$/, "")));
  var overlay = null;
  function show(text) {
    if (!overlay) {
      overlay = document.createElement("pre");
      overlay.setAttribute("role", "alert");
      var s = overlay.style;
      s.position = "fixed"; s.left = "1rem"; s.right = "1rem"; s.bottom = "1rem"; s.zIndex = "2000";
      s.maxHeight = "50vh"; s.overflow = "auto"; s.margin = "0"; s.padding = "1rem";
      s.background = "#2b0b0b"; s.color = "#ffe5e5"; s.border = "2px solid #ff6b6b";
      s.font = "13px/1.45 ui-monospace, monospace"; s.whiteSpace = "pre-wrap";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "Build failed; showing the last good build.\\n\\n" + text;
  }
  var patched = null; // the build whose page is in place already
  function here() { return location.pathname.replace(/index\\.html$/, ""); }
  // a rebuild's new pages, before the site is swapped in: this one, if it changed, is put in
  // place of the old without a reload (the scroll position and the focused element are kept)
  source.addEventListener("patch", function (event) {
    var html = JSON.parse(event.data)[here()];
    if (typeof html !== "string") return;
    var page = new DOMParser().parseFromString(html, "text/html");
    var x = window.scrollX, y = window.scrollY;
    var focused = document.activeElement && document.activeElement.id;
    document.title = page.title;
    document.body.replaceWith(document.adoptNode(page.body));
    window.scrollTo(x, y);
    if (focused && document.getElementById(focused)) { document.getElementById(focused).focus(); }
    Array.prototype.forEach.call(document.querySelectorAll("script[src$='enhance.js']"), function (old) {
      var again = document.createElement("script");
      again.src = old.src;
      document.head.appendChild(again); // the tooltips, bound again to the new charts
    });
    if (overlay) { overlay.remove(); overlay = null; }
    patched = event.lastEventId;
  });
  // the pages the rebuild changed (null: every page); the others keep their scroll position
  source.addEventListener("reload", function (event) {
    var changed = JSON.parse(event.data);
    if (changed !== null && patched !== null && patched === event.lastEventId) return;
    if (changed === null || changed.indexOf(here()) >= 0) { location.reload(); }
  });
  source.addEventListener("failed", function (event) { show(JSON.parse(event.data)); });
})();
"""


class PortInUse(OSError):
    """The port serve was asked for is taken."""


Payload = str | list[str] | dict[str, str] | None  # a failure's report; the pages a reload is for; patched pages


class BuildState:
    """The latest build outcomes, and a condition that wakes waiting browsers. A browser is sent
    every event it has not seen of the last few, in order, so a patch is not lost behind the
    reload that follows it; each event names its build, so the reload of a patched page is skipped."""

    KEPT = 8

    def __init__(self) -> None:
        self.version = 0
        self.build = 0
        self.history: list[tuple[int, str, Payload, int]] = []  # (version, event, payload, build)
        self.changed = threading.Condition()
        self._open: collections.Counter[str] = collections.Counter()  # page address -> browsers showing it

    def opened(self, page: str) -> None:
        with self.changed:
            self._open[page] += 1

    def closed(self, page: str) -> None:
        with self.changed:
            self._open[page] -= 1
            if self._open[page] <= 0:
                del self._open[page]

    def open_pages(self) -> list[str]:
        """The addresses of the pages open in a browser now ("/", "/2021/")."""
        with self.changed:
            return sorted(self._open)

    @property
    def event(self) -> str:
        return self.history[-1][1] if self.history else "reload"

    @property
    def payload(self) -> Payload:
        return self.history[-1][2] if self.history else None

    def publish(self, event: str, payload: Payload = None) -> None:
        with self.changed:
            self.version += 1
            self.history = [*self.history[-(self.KEPT - 1) :], (self.version, event, payload, self.build)]
            self.changed.notify_all()

    def next_build(self) -> None:
        with self.changed:
            self.build += 1

    def since(self, seen: int) -> list[tuple[int, str, Payload, int]]:
        """The events after version `seen` still kept (the caller holds the condition)."""
        return [entry for entry in self.history if entry[0] > seen]


def changed_pages(changed_files: list[str]) -> list[str] | None:
    """The addresses of the pages a rebuild changed, or None when every page must reload (a
    style sheet or script changed, which every page uses)."""
    if any(path.startswith("assets/") for path in changed_files):
        return None
    return sorted("/" + path.removesuffix("index.html") for path in changed_files if path.endswith(".html"))


def rebuild(
    data_dir: Path, out_dir: Path, templates_dir: Path, state: BuildState, renderer: Renderer | None = None
) -> bool:
    started = time.perf_counter()
    state.next_build()

    def show_now(pages: dict[str, bytes]) -> None:
        patch = _patch_of(pages)
        if patch:
            state.publish("patch", patch)
            log.info("pages shown in %.0f ms: %s", (time.perf_counter() - started) * 1000, ", ".join(sorted(patch)))

    try:
        result = build_site(
            data_dir,
            out_dir,
            templates_dir,
            cache_dir=site_cache(data_dir),
            renderer=renderer,
            preview=show_now,
            open_pages=state.open_pages(),
        )
    except DataError as exc:
        return _failed(render_report(exc.diagnostics), state)
    except (BuildRunning, OSError) as exc:
        return _failed(environment_message(exc), state)
    except Exception as exc:  # a bug: shown in the page, and the watcher goes on
        log.debug("build failed", exc_info=True)
        return _failed(f"internal error ({type(exc).__name__}: {exc}); this is a bug, please report it", state)
    pages = changed_pages(result.changed)
    log.info(
        "rebuilt in %.2f s: %s",
        time.perf_counter() - started,
        "every page" if pages is None else f"{len(pages)} pages changed",
    )
    state.publish("reload", pages)
    return True


PATCH_LIMIT = 4_000_000  # bytes of pages sent at once; a larger rebuild is a reload


def _patch_of(pages: dict[str, bytes]) -> dict[str, str]:
    """The changed pages by address ('/2021/'), for the open pages to put in place; none when
    there are too many to send (a template edit changes every page: a reload is as quick)."""
    if not pages or sum(len(html) for html in pages.values()) > PATCH_LIMIT:
        return {}
    return {"/" + path.removesuffix("index.html"): html.decode("utf-8", "replace") for path, html in pages.items()}


def _failed(report: str, state: BuildState) -> bool:
    log.error("%s\nbuild failed; serving the last good build", report)
    state.publish("failed", report)
    return False


OPEN_PAGE = re.compile(r"/[\w./~-]{0,300}")  # an address a page of the site can have


def _page_of(request_path: str) -> str | None:
    """The page an event stream is opened from (its ?page=), if it is one a site can have."""
    pages = urllib.parse.parse_qs(urllib.parse.urlsplit(request_path).query).get("page", [])
    return pages[0] if len(pages) == 1 and OPEN_PAGE.fullmatch(pages[0]) else None


def _moved_on(state: BuildState, seen: int) -> bool:
    return state.version != seen


class Handler(http.server.SimpleHTTPRequestHandler):
    state: BuildState

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        log.debug("%s - %s", self.address_string(), format % args)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        if not self.path.startswith("/embed/"):  # embeds are made to be framed; the other pages are not
            self.send_header("Content-Security-Policy", "frame-ancestors 'self'")
            self.send_header("X-Frame-Options", "SAMEORIGIN")
        super().end_headers()

    def _for_this_server(self) -> bool:
        """Whether the request names this server: a page elsewhere that resolves its own name to
        127.0.0.1 (DNS rebinding) sends its own name as Host, and is refused."""
        address = self.server.server_address
        port = address[1] if isinstance(address, tuple) else 0
        host = (self.headers.get("Host") or "").strip().lower()
        return host in {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}

    def _inside_the_site(self) -> bool:
        """Whether the path, links followed, stays in the output folder."""
        root = Path(self.directory).resolve()
        try:
            return Path(self.translate_path(self.path)).resolve().is_relative_to(root)
        except (ValueError, OSError):
            return False

    def do_HEAD(self) -> None:
        if not self._for_this_server():
            self.send_error(403, "this server answers for 127.0.0.1 only")
        elif not self._inside_the_site():
            self.send_error(404, "not found")
        else:
            super().do_HEAD()

    def do_GET(self) -> None:
        if not self._for_this_server():
            self.send_error(403, "this server answers for 127.0.0.1 only")
        elif not self._inside_the_site():
            self.send_error(404, "not found")
        elif self.path == "/__events" or self.path.startswith("/__events?"):
            self._events(_page_of(self.path))
        elif self.path == "/__reload.js":
            self._send(RELOAD_SCRIPT, "text/javascript")
        else:
            try:
                self._file()
            except (ValueError, OSError):  # a NUL or an over-long name in the path
                self.send_error(400, "bad path")

    def _file(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file() and self.path.endswith(("/", ".html")):
            html = path.read_bytes().replace(b"</body>", b'<script src="/__reload.js"></script>\n</body>', 1)
            self._send(html, "text/html; charset=utf-8")
        else:
            super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _events(self, page: str | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        state = self.state
        seen = state.version
        if page is not None:
            state.opened(page)
        try:
            if state.event == "failed":
                self._push("failed", state.payload, state.build)  # a page opened after a failed build shows it
            while True:
                with state.changed:
                    state.changed.wait_for(functools.partial(_moved_on, state, seen), timeout=15)
                    if state.version == seen:
                        self.wfile.write(b": keep-alive\n\n")
                        self.wfile.flush()
                        continue
                    events, seen = state.since(seen), state.version  # the latest is always kept
                for _, event, payload, build in events:
                    self._push(event, payload, build)
        except (BrokenPipeError, ConnectionResetError):
            return
        finally:
            if page is not None:
                state.closed(page)

    def _push(self, event: str, payload: Payload, build: int) -> None:
        self.wfile.write(f"event: {event}\nid: {build}\ndata: {json.dumps(payload)}\n\n".encode())
        self.wfile.flush()


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that closes a connection mid-answer is a log line, not a traceback."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            log.debug("%s closed the connection before the answer was sent", client_address[0])
            return
        super().handle_error(request, client_address)


def make_server(out_dir: Path, state: BuildState, port: int) -> http.server.ThreadingHTTPServer:
    handler = type("SiteHandler", (Handler,), {"state": state})
    try:
        server = QuietServer(("127.0.0.1", port), functools.partial(handler, directory=str(out_dir)))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(f"port {port} on 127.0.0.1 is in use: stop the other server or choose --port") from None
        raise
    server.daemon_threads = True
    return server


def settle() -> None:
    """Between builds: what the build keeps for the next one (the views, digests and state of a
    large site) is moved out of the garbage collector's sight, so no collection in the middle of
    the next save's build walks it (at 10,000 figures one took a tenth of a second). What the last
    build let go is collected first, so nothing stays frozen once unused."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def watch_and_rebuild(
    data_dir: Path,
    out_dir: Path,
    templates_dir: Path,
    state: BuildState,
    stop: threading.Event,
    renderer: Renderer | None = None,
) -> None:
    from watchfiles import watch

    # a site with no templates folder builds with the default theme: there is nothing of its own to watch
    watched = [folder for folder in (data_dir, templates_dir) if folder.is_dir()]
    if not templates_dir.is_dir():
        log.info("no %s folder: the default theme is used (restart serve after making one)", templates_dir)
    # a save is one write (or a write and a rename, microseconds apart): 5 ms of quiet is enough
    # to take it whole, and every millisecond waited here is one the editor waits
    for changes in watch(*watched, stop_event=stop, debounce=50, step=5):
        log.info("changed: %s", ", ".join(sorted({Path(p).name for _, p in changes})))
        rebuild(
            data_dir, out_dir, templates_dir, state, renderer
        )  # never raises: the watcher outlives any failed build
        settle()


def serve(data_dir: Path, out_dir: Path, templates_dir: Path, *, port: int = 8000) -> int:
    check_output_dir(out_dir, {"the data": data_dir, "the templates": templates_dir})  # watched: never inside
    state = BuildState()
    with Renderer(site_cache(data_dir) / "charts") as renderer:
        renderer.start()  # kept warm: a chart an edit changes renders without starting Vega again
        rebuild(data_dir, out_dir, templates_dir, state, renderer)
        settle()
        out_dir.mkdir(parents=True, exist_ok=True)
        server = make_server(out_dir.resolve(), state, port)
        stop = threading.Event()
        watcher = threading.Thread(
            target=watch_and_rebuild, args=(data_dir, out_dir, templates_dir, state, stop, renderer), daemon=True
        )
        watcher.start()
        log.info("serving http://127.0.0.1:%d/ (Ctrl-C to stop)", server.server_port)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            server.server_close()
    return 0
