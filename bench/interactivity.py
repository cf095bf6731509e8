"""What a reader's browser loads for the charts, before and after pointing at one.

    python bench/interactivity.py [--site _site]

Per page, in headless Chromium (Debian's): requests and bytes (raw and gzip -9, each file on
its own, as a server sends it) once the page has loaded; the same after hovering the first mark
of the first chart; the time from pointer-enter to the tooltip showing (median of 5); and,
with JavaScript off, the bytes and the charts in the DOM. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from beijing_econ_site.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _serve(site: Path) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _sizes(bodies: list[bytes]) -> tuple[int, int]:
    return sum(map(len, bodies)), sum(len(gzip.compress(b, compresslevel=9, mtime=0)) for b in bodies)


def measure(site: Path) -> list[dict[str, object]]:
    from playwright.sync_api import sync_playwright

    server = _serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    pages = sorted(p.parent.relative_to(site).as_posix() for p in site.rglob("index.html"))
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for folder in pages:
            path = "" if folder == "." else f"{folder}/"
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            bodies: list[bytes] = []
            scripts: list[bytes] = []

            def keep(response: object, bodies: list[bytes] = bodies, scripts: list[bytes] = scripts) -> None:
                body = response.body()  # type: ignore[attr-defined]
                bodies.append(body)
                if response.request.resource_type == "script":  # type: ignore[attr-defined]
                    scripts.append(body)

            page.on("response", keep)
            page.goto(base + path, wait_until="networkidle")
            loaded = (len(bodies), *_sizes(bodies), _sizes(scripts)[1])
            marks = page.locator(".tip-mark")
            timings = []
            if marks.count():
                for _ in range(5):
                    page.mouse.move(1, 1)
                    page.wait_for_selector("#chart-tip:not(.visible)")
                    started = time.perf_counter()
                    marks.first.hover(force=True)
                    page.wait_for_selector("#chart-tip.visible")
                    timings.append((time.perf_counter() - started) * 1000)
                page.wait_for_load_state("networkidle")
            hovered = (len(bodies), *_sizes(bodies), _sizes(scripts)[1])
            page.close()
            off = browser.new_page(java_script_enabled=False)
            off_bodies: list[bytes] = []
            off.on("response", lambda r, b=off_bodies: b.append(r.body()))
            off.goto(base + path, wait_until="networkidle")
            charts_without_js = off.locator("figure.chart svg").count()
            off.close()
            rows.append(
                {
                    "page": "/" + path,
                    "loaded": loaded,
                    "hovered": hovered,
                    "tooltip_ms": statistics.median(timings) if timings else None,
                    "js_off": (len(off_bodies), *_sizes(off_bodies)),
                    "charts_without_js": charts_without_js,
                }
            )
        browser.close()
    server.shutdown()
    return rows


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        (
            "| page | loaded: requests, KB, KB gz (JS gz) | after one hover | tooltip after pointer-enter "
            "| JS off: requests, KB gz, charts |"
        ),
        "|---|---|---|---:|---|",
    ]
    for row in rows:
        loaded, hovered, off = row["loaded"], row["hovered"], row["js_off"]
        assert isinstance(loaded, tuple) and isinstance(hovered, tuple) and isinstance(off, tuple)
        timing = row["tooltip_ms"]
        lines.append(
            f"| {row['page']} | {loaded[0]}, {loaded[1] / 1024:.1f}, {loaded[2] / 1024:.1f} ({loaded[3] / 1024:.1f}) "
            f"| {hovered[0]}, {hovered[1] / 1024:.1f}, {hovered[2] / 1024:.1f} ({hovered[3] / 1024:.1f}) "
            f"| {f'{timing:.0f} ms' if isinstance(timing, float) else 'no chart'} "
            f"| {off[0]}, {off[2] / 1024:.1f}, {row['charts_without_js']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_site")
    print(table(measure(parser.parse_args().site)))
