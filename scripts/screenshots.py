"""Screenshots of the built site in headless Chromium, for people to look at.

python scripts/screenshots.py [--site _site] [--out docs/screenshots] [--page NAME=PATH ...]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from beijing_econ_site.chromium import CHROMIUM, CHROMIUM_ARGS

PAGES = {
    "overview": "",
    "year-2021": "2021/",
    "compare": "compare/",
    "source": "sources/bjinfo-2022-11-11/",
    "data": "data/",
}
WIDTHS = {"desktop": 1280, "phone": 390}


def serve(site: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, default=Path("_site"))
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--full-page", action="store_true", help="whole page instead of the first screens")
    parser.add_argument("--dark", action="store_true", help="prefers-color-scheme: dark")
    parser.add_argument("--page", action="append", default=[], help="NAME=PATH instead of the usual pages")
    args = parser.parse_args()
    pages = dict(item.split("=", 1) for item in args.page) if args.page else PAGES
    args.out.mkdir(parents=True, exist_ok=True)
    server = serve(args.site)
    base = f"http://127.0.0.1:{server.server_port}/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for label, width in WIDTHS.items():
            context = browser.new_context(
                viewport={"width": width, "height": 900 if width > 500 else 844},
                device_scale_factor=1,
                color_scheme="dark" if args.dark else "light",
            )
            page = context.new_page()
            for name, path in pages.items():
                page.goto(base + path, wait_until="networkidle")
                suffix = "-dark" if args.dark else ""
                target = args.out / f"{name}-{label}{suffix}.png"
                page.screenshot(path=str(target), full_page=args.full_page, animations="disabled")
                print(target)
            context.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
