"""serve: rebuilds on change, tells the browser to reload, and shows build errors without losing the site."""

from __future__ import annotations

import http.client
import threading
import time
from pathlib import Path

import pytest

from beijing_econ_site.serve import BuildState, make_server, rebuild, watch_and_rebuild
from beijing_econ_site.site.theme import DEFAULT_THEME
from tests.helpers import FIGURES, write_tree

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.fixture
def served(project):
    state = BuildState()
    assert rebuild(project / "data", project / "_site", TEMPLATES, state)
    server = make_server((project / "_site").resolve(), state, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield project, state, server.server_port
    server.shutdown()
    server.server_close()


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8")


def next_event(port: int, trigger, skip: tuple[str, ...] = ("patch",)) -> tuple[str, str]:
    """Open the event stream, run trigger, and return the first event that arrives (a rebuild's
    early 'patch' of its pages aside, unless asked for)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", "/__events")
    response = connection.getresponse()
    trigger()
    event, data = "", ""
    while True:
        line = response.fp.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif line == "" and event:
            if event in skip:
                event, data = "", ""
                continue
            connection.close()
            return event, data


def test_pages_are_served_with_the_live_reload_script(served):
    _, _, port = served
    status, html = get(port, "/2021/")
    assert status == 200
    assert '<script src="/__reload.js"></script>' in html
    status, script = get(port, "/__reload.js")
    assert status == 200 and "EventSource" in script


def test_a_good_rebuild_tells_the_browser_to_reload(served):
    project, state, port = served
    event, _ = next_event(port, lambda: rebuild(project / "data", project / "_site", TEMPLATES, state))
    assert event == "reload"


def test_a_failed_rebuild_shows_the_errors_and_keeps_the_last_good_site(served):
    project, state, port = served
    _, before = get(port, "/2021/")
    write_tree(project, {"data/figures/sample-news.yaml": FIGURES.replace("value: 40.4", "value: 41")})
    event, data = next_event(port, lambda: rebuild(project / "data", project / "_site", TEMPLATES, state))
    assert event == "failed"
    assert "error[value-not-in-quote]" in data and "data/figures/sample-news.yaml:" in data
    assert get(port, "/2021/")[1] == before


def save_a_note_while_watching(project: Path, templates: Path, state: BuildState, port: int, note: str) -> str:
    """Start the watcher, save a figures file with a new note, and return the event the browser gets."""
    stop = threading.Event()
    watcher = threading.Thread(
        target=watch_and_rebuild, args=(project / "data", project / "_site", templates, state, stop), daemon=True
    )
    watcher.start()
    try:
        import time

        time.sleep(0.3)  # let the watcher start
        changed = FIGURES.replace("Percentage points, though the article writes %.", note)
        event, _ = next_event(port, lambda: write_tree(project, {"data/figures/sample-news.yaml": changed}))
        return event
    finally:
        stop.set()


def test_saving_a_data_file_triggers_a_rebuild(served):
    project, state, port = served
    assert save_a_note_while_watching(project, TEMPLATES, state, port, "Percentage points.") == "reload"
    assert "Percentage points." in (project / "_site" / "2020" / "index.html").read_text()


def test_a_template_error_shows_in_the_page_and_the_watcher_rebuilds_once_it_is_fixed(project):
    import shutil
    import time

    templates = project / "templates"
    shutil.copytree(DEFAULT_THEME, templates)  # overrides of every template: an edit is an override's
    state = BuildState()
    assert rebuild(project / "data", project / "_site", templates, state)
    server = make_server((project / "_site").resolve(), state, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    watcher = threading.Thread(
        target=watch_and_rebuild, args=(project / "data", project / "_site", templates, state, stop), daemon=True
    )
    watcher.start()
    try:
        time.sleep(0.3)
        page = templates / "base.html"
        good = page.read_text()
        event, data = next_event(server.server_port, lambda: page.write_text(good + "{% if %}\n"))
        assert event == "failed"
        assert "error[template-syntax]" in data and "base.html:" in data
        assert watcher.is_alive()
        page.write_text(good)  # a new browser connection is told of the failure first, so watch the state
        deadline = time.monotonic() + 20
        while state.event != "reload" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert state.event == "reload", state.payload
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", ["/%00", "/a%00b/index.html", "/" + "a" * 300, "/" + "a" * 300 + "/"])
def test_a_path_with_a_nul_or_an_overlong_name_is_answered_not_dropped(served, path):
    _, _, port = served
    status, _ = get(port, path)
    assert status in (400, 404)
    assert get(port, "/2021/")[0] == 200  # the server is still there


def test_a_port_in_use_is_a_one_line_error(project):
    import socket
    import subprocess
    import sys

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        result = subprocess.run(
            [sys.executable, "-m", "beijing_econ_site", "serve", "--port", str(port), "--templates", str(TEMPLATES)],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        taken.close()
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_a_reload_names_the_pages_that_changed_so_the_others_keep_their_place(served):
    import json

    project, state, port = served
    changed = FIGURES.replace("Percentage points, though the article writes %.", "Percentage points.")
    assert changed != FIGURES

    def edit_and_rebuild() -> None:
        write_tree(project, {"data/figures/sample-news.yaml": changed})
        rebuild(project / "data", project / "_site", TEMPLATES, state)

    event, data = next_event(port, edit_and_rebuild)
    pages = json.loads(data)
    assert event == "reload"
    assert "/2020/" in pages and "/2021/" not in pages and "/sources/" not in pages
    event, data = next_event(port, lambda: rebuild(project / "data", project / "_site", TEMPLATES, state))
    assert (event, json.loads(data)) == ("reload", []), "nothing changed: no page reloads"


def test_a_changed_style_sheet_reloads_every_page():
    from beijing_econ_site.serve import changed_pages

    assert changed_pages(["2021/index.html", "charts/chart-a.svg", "404.html"]) == ["/2021/", "/404.html"]
    assert changed_pages(["2021/index.html", "assets/site.css"]) is None


def test_a_site_with_no_templates_folder_is_served_with_the_default_theme_and_its_data_watched(project):
    state = BuildState()
    missing = project / "templates"
    assert not missing.exists()
    assert rebuild(project / "data", project / "_site", missing, state)
    server = make_server((project / "_site").resolve(), state, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        note = "Percentage points, said so."
        assert save_a_note_while_watching(project, missing, state, server.server_port, note) == "reload"
        assert note in (project / "_site" / "2020" / "index.html").read_text()
    finally:
        server.shutdown()
        server.server_close()


def _get_as(port: int, path: str, host: str) -> tuple[int, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    response.read()
    return response.status, dict(response.getheaders())


def test_a_request_for_another_host_name_is_refused(served):
    """DNS rebinding: a page at evil.example whose name now resolves to 127.0.0.1 sends its own Host."""
    _, _, port = served
    assert _get_as(port, "/2021/", f"evil.example:{port}")[0] == 403
    assert _get_as(port, "/2021/", "127.0.0.1")[0] == 403  # another port's name
    assert _get_as(port, "/2021/", f"localhost:{port}")[0] == 200
    assert _get_as(port, "/2021/", f"127.0.0.1:{port}")[0] == 200


def test_a_link_in_the_output_folder_to_a_file_outside_it_is_not_served(served, tmp_path):
    project, _, port = served
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("private", encoding="utf-8")
    (project / "_site" / "leak.txt").symlink_to(secret)
    (project / "_site" / "leakdir").symlink_to(secret.parent, target_is_directory=True)
    for path in ("/leak.txt", "/leakdir/secret.txt"):
        status, body = get(port, path)
        assert status == 404 and "private" not in body


def test_pages_may_not_be_framed_by_other_sites_and_embeds_may(served):
    _, _, port = served
    _, page = _get_as(port, "/2021/", f"127.0.0.1:{port}")
    assert page["Content-Security-Policy"] == "frame-ancestors 'self'" and page["X-Frame-Options"] == "SAMEORIGIN"
    embeds = sorted((served[0] / "_site" / "embed").iterdir())
    _, embed = _get_as(port, f"/embed/{embeds[0].name}/", f"127.0.0.1:{port}")
    assert "X-Frame-Options" not in embed and "frame-ancestors" not in embed.get("Content-Security-Policy", "")


def test_a_browser_that_drops_a_request_mid_answer_leaves_no_traceback(served, capfd):
    import socket
    import struct

    project, _, port = served
    (project / "_site" / "big.bin").write_bytes(b"x" * 20_000_000)
    for _ in range(3):
        client = socket.create_connection(("127.0.0.1", port))
        client.sendall(f"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        client.recv(100)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset, not close
        client.close()
    assert get(port, "/2021/")[0] == 200
    assert "Traceback" not in capfd.readouterr().err


def test_the_pages_open_in_a_browser_are_made_and_shown_before_the_others(project):
    from beijing_econ_site.build.run import build_site

    def build(**options):
        return build_site(project / "data", project / "_site", TEMPLATES, cache_dir=project / ".cache", **options)

    build()
    write_tree(
        project, {"data/figures/sample-news.yaml": FIGURES.replace("Percentage points, though", "Points, though")}
    )
    shown: list[dict[str, bytes]] = []
    result = build(preview=shown.append, open_pages=["/sources/sample-news/", "/no-such-page/"])
    changed = {path for path in result.changed if path.endswith(".html")}
    opened = "sources/sample-news/index.html"  # made after the year pages, were it not open
    assert opened in changed and len(changed) > 1, "the edit changes the open page and others"
    assert list(shown[0]) == [opened], "the open page is shown alone, before any other is made"
    assert set().union(*shown) == changed and sum(map(len, shown)) == len(changed), "every page shown once"
    assert shown[0][opened] == (project / "_site" / opened).read_bytes()


def test_an_event_stream_names_the_page_it_is_open_on_and_only_a_page_address_counts(served):
    from beijing_econ_site.serve import _page_of

    _, state, port = served
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/__events?page=%2F2021%2F")
    assert connection.getresponse().status == 200
    deadline = time.monotonic() + 5
    while state.open_pages() != ["/2021/"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert state.open_pages() == ["/2021/"]
    connection.close()
    state.opened("/2021/")  # a second tab on the same page
    state.closed("/2021/")
    assert "/2021/" in state.open_pages(), "the first tab still has it open"
    assert _page_of("/__events?page=/404.html") == "/404.html"
    for request in ("/__events", "/__events?page=", "/__events?page=2021/", "/__events?page=/a&page=/b"):
        assert _page_of(request) is None, request
    assert _page_of("/__events?page=/%3Cscript%3E") is None
    assert _page_of("/__events?page=/" + "a" * 400) is None


def test_the_open_pages_are_found_and_made_first_and_the_rest_keep_the_site_s_order():
    from beijing_econ_site.build.run import open_pages_first, page_file

    class Job:
        def __init__(self, file_path: str):
            self.file_path = file_path

    files = ["index.html", "2020/index.html", "2021/index.html", "compare/index.html", "404.html"]

    def order(*addresses: str) -> list[str | None]:
        opened = {page_file(address) for address in addresses}
        return [
            None if item is None else item[1].file_path for item in open_pages_first(enumerate(map(Job, files)), opened)
        ]

    assert order() == files
    assert order("/2021/") == [
        "2021/index.html",
        None,
        "index.html",
        "2020/index.html",
        "compare/index.html",
        "404.html",
    ]
    assert order("/404.html", "/") == ["index.html", None, "404.html", None, *files[1:4]]
    assert order("/gone/", "/2020/") == ["2020/index.html", None, "index.html", *files[2:]]
