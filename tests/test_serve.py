"""serve: rebuilds on change, tells the browser to reload, and shows build errors without losing the site."""

from __future__ import annotations

import http.client
import threading
from pathlib import Path

import pytest

from beijing_econ_site.serve import BuildState, make_server, rebuild, watch_and_rebuild
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


def next_event(port: int, trigger) -> tuple[str, str]:
    """Open the event stream, run trigger, and return the first event that arrives."""
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


def test_saving_a_data_file_triggers_a_rebuild(served):
    project, state, port = served
    stop = threading.Event()
    watcher = threading.Thread(
        target=watch_and_rebuild, args=(project / "data", project / "_site", TEMPLATES, state, stop), daemon=True
    )
    watcher.start()
    try:
        import time

        time.sleep(0.3)  # let the watcher start
        changed = FIGURES.replace("Percentage points, though the article writes %.", "Percentage points.")
        event, _ = next_event(port, lambda: write_tree(project, {"data/figures/sample-news.yaml": changed}))
        assert event == "reload"
        assert "Percentage points." in (project / "_site" / "2020" / "index.html").read_text()
    finally:
        stop.set()
