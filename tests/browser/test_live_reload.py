"""serve in a real browser: after a save, the page that changed reloads and the others stay
where the reader left them."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from beijing_econ_site.serve import BuildState, make_server, rebuild, watch_and_rebuild
from tests.helpers import project_data

ROOT = Path(__file__).resolve().parents[2]


def test_only_the_changed_page_reloads_and_the_others_keep_their_scroll_position(browser, tmp_path):
    shutil.copytree(project_data(), tmp_path / "data")
    data, out, templates = tmp_path / "data", tmp_path / "_site", ROOT / "templates"
    state = BuildState()
    assert rebuild(data, out, templates, state)
    server = make_server(out.resolve(), state, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    threading.Thread(target=watch_and_rebuild, args=(data, out, templates, state, stop), daemon=True).start()
    context = browser.new_context(viewport={"width": 1280, "height": 700})
    try:
        base = f"http://127.0.0.1:{server.server_port}/"
        edited, other = context.new_page(), context.new_page()
        edited.goto(base + "2023/")
        other.goto(base + "2021/")
        for page in (edited, other):
            page.evaluate("window.scrollTo(0, 600); window.notReloaded = true")
        before = state.version
        figures = data / "figures" / "beijing-fao-2024-02-04.yaml"
        quote = '    quote: "Huairou'
        text = figures.read_text(encoding="utf-8")
        assert quote in text
        with edited.expect_event("load", timeout=30_000):
            figures.write_text(text.replace(quote, "    note: Facilities named in the report.\n" + quote, 1))
        assert edited.evaluate("window.notReloaded") is None
        assert state.version > before and state.event == "reload"
        assert "Facilities named in the report." in edited.content()
        assert other.evaluate("window.notReloaded") is True
        assert other.evaluate("window.scrollY") == 600
    finally:
        stop.set()
        context.close()
        server.shutdown()
        server.server_close()
