"""Browser fixtures: the real site built once, served on 127.0.0.1, and Debian's Chromium."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from beijing_econ_site.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import project_data

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    from beijing_econ_site.build.run import build_site

    out = tmp_path_factory.mktemp("site") / "_site"
    build_site(project_data(), out, ROOT / "templates", cache_dir=ROOT / ".cache" / "beijing-econ-site")
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def base_url(built_site) -> str:
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def page_paths(built_site) -> list[str]:
    """Every page's URL path, '' for the root."""
    paths = []
    for index in sorted(built_site.rglob("index.html")):
        folder = index.parent.relative_to(built_site).as_posix()
        paths.append("" if folder == "." else f"{folder}/")
    return paths


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `python3 tasks.py test`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


def wait_until(page, expression: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression from Python: the pages' CSP forbids the eval that wait_for_function uses."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        page.wait_for_timeout(50)
