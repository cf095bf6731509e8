"""serve's save-to-visible latency: from writing a story sentence to the new words in Chromium's DOM.

For the real site (a copy of data/ and templates/) and for synthetic datasets, the script starts
`beijing-econ-site serve` in a temporary folder, opens the page the story is on in headless
Chromium, and times each edit from the write (a sentence of the story replaced) until the page's
text holds the new words, polled every 5 ms. It also reads serve's log for its own stages.

    .venv/bin/python bench/save_to_visible.py --sizes real,1000,10000 --runs 7

The story edited is the overview's (`/`): every dataset has that page. A synthetic dataset gets a
story of plain words before serve starts. Medians are reported; each run's figures are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from beijing_econ_site.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from bench.measure import QUIET_LIMIT, free_port, wait_for_quiet  # noqa: E402

OPENING = "The figures of this edition, each quoted from its article."
MARKERS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]


def prepare(size: str, folder: Path) -> Path:
    """A site folder holding data/ (and templates/ for the real site) with an overview story."""
    site = folder / f"site-{size}"
    if size == "real":
        shutil.copytree(ROOT / "data", site / "data")
        if (ROOT / "templates").is_dir():
            shutil.copytree(ROOT / "templates", site / "templates")
    else:
        from bench.synthetic import make_dataset, write_dataset

        write_dataset(make_dataset(int(size)), site / "data")
    stories = site / "data" / "stories"
    stories.mkdir(parents=True, exist_ok=True)
    overview = stories / "overview.md"
    overview.write_text(OPENING + "\n\n" + (overview.read_text(encoding="utf-8") if overview.exists() else ""))
    return site


def wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def one_edit(page: object, story: Path, before: str, marker: str, timeout: float = 30.0) -> float | None:
    """Seconds from the write to the marker in the page's text (None if it never shows)."""
    check = f"() => !!document.body && document.body.textContent.includes({json.dumps(marker)})"
    text = story.read_text(encoding="utf-8")
    started = time.perf_counter()
    story.write_text(text.replace(before, marker, 1), encoding="utf-8")
    deadline = started + timeout
    while time.perf_counter() < deadline:
        try:
            if page.evaluate(check):  # type: ignore[attr-defined]
                return time.perf_counter() - started
        except Exception:  # the page is navigating (a full reload)
            pass
        time.sleep(0.005)
    return None


def measure(size: str, runs: int, folder: Path, chromium: str) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    site = prepare(size, folder)
    port = free_port()
    log_path = folder / f"serve-{size}.log"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as on an editor's machine
    cli = str(ROOT / ".venv" / "bin" / "beijing-econ-site")
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [cli, "serve", "--port", str(port)], cwd=site, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    timings: list[float | None] = []
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_http(url, timeout=3600)
        story = site / "data" / "stories" / "overview.md"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page()
            page.goto(url, wait_until="load")
            page.wait_for_timeout(1500)  # the live-reload channel connects
            before = OPENING
            for index in range(runs):
                wait_for_quiet(QUIET_LIMIT)
                marker = f"{OPENING[:-1]}, edit {MARKERS[index % len(MARKERS)]}."
                timings.append(one_edit(page, story, before, marker))
                before = marker
                print(f"  {size} edit {index + 1}: {timings[-1]}", flush=True)
                time.sleep(1.0)  # the rest of the rebuild (search index, cards, the swap) ends
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    seen = [t for t in timings if t is not None]
    return {
        "size": size,
        "runs_ms": [None if t is None else round(t * 1000, 1) for t in timings],
        "median_ms": round(statistics.median(seen) * 1000, 1) if seen else None,
        "log": log_path.read_text(encoding="utf-8")[-4000:],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="real,1000,10000")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--chromium", default=CHROMIUM)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="save-to-visible-") as temporary:
        for size in args.sizes.split(","):
            results.append(measure(size, args.runs, Path(temporary), args.chromium))
            print(f"{size}: median {results[-1]['median_ms']} ms of {results[-1]['runs_ms']}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "save-to-visible.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
