"""Lighthouse report (not a test: it is slow): every page, mobile and desktop presets.

    python scripts/lighthouse.py [--site _site] [--out docs/lighthouse]

Builds nothing: run `python3 tasks.py site` first. Installs npm lighthouse into node_modules/
when missing. Writes scores.json and scores.md (a Markdown table) to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import serve

from beijing_econ_site.chromium import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = " ".join(CHROMIUM_ARGS)
TARGETS = {"performance": 0.98, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}


def ensure_lighthouse() -> None:
    if not LIGHTHOUSE.exists():
        subprocess.run(
            ["npm", "install", "--no-save", "--no-audit", "--no-fund", "lighthouse@13"], cwd=ROOT, check=True
        )


def page_paths(site: Path) -> list[str]:
    paths = []
    for index in sorted(site.rglob("index.html")):
        folder = index.parent.relative_to(site).as_posix()
        paths.append("" if folder == "." else f"{folder}/")
    return paths


def audit(url: str, preset: str) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        "--quiet",
        f"--chrome-flags={CHROME_FLAGS}",
        "--only-categories=" + ",".join(CATEGORIES),
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    result = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=300
    )
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse failed for {url} ({preset}): {result.stderr[-1500:]}")
    report = json.loads(result.stdout)
    scores = {c: report["categories"][c]["score"] for c in CATEGORIES}
    failing = [
        audit_id
        for audit_id, item in report["audits"].items()
        if item.get("score") is not None
        and item["score"] < 0.9
        and item.get("scoreDisplayMode") in ("binary", "numeric")
    ]
    return {"scores": scores, "below_0.9": sorted(failing)}


def markdown(results: dict) -> str:
    lines = ["| page | preset | performance | accessibility | best practices | SEO |", "|---|---|---|---|---|---|"]
    for page, presets in results.items():
        for preset, result in presets.items():
            s = result["scores"]
            lines.append(
                f"| /{page} | {preset} | {s['performance']:.2f} | {s['accessibility']:.2f} "
                f"| {s['best-practices']:.2f} | {s['seo']:.2f} |"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, default=ROOT / "_site")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "lighthouse")
    args = parser.parse_args()
    ensure_lighthouse()
    server = serve(args.site)
    base = f"http://127.0.0.1:{server.server_port}/"
    results: dict = {}
    try:
        for path in page_paths(args.site):
            results[path] = {preset: audit(base + path, preset) for preset in ("mobile", "desktop")}
            print(path, {p: r["scores"] for p, r in results[path].items()}, flush=True)
    finally:
        server.shutdown()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scores.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    table = markdown(results)
    (args.out / "scores.md").write_text(table, encoding="utf-8")
    print(table)
    missed = [
        f"/{page} {preset} {category} {score}"
        for page, presets in results.items()
        for preset, result in presets.items()
        for category, score in result["scores"].items()
        if score < (TARGETS[category] if preset == "mobile" or category != "performance" else 0.98)
    ]
    if missed:
        print("below target:\n  " + "\n  ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
