#!/usr/bin/env python3
"""Time a fresh clone's `python3 tasks.py site` as on a new machine: set-up and first build.

    python3 bench/setup.py [--ref REF ...] [--runs N]

For each git ref (default HEAD), clones the repository into a new temporary folder and runs
`python3 tasks.py site` there with every cache empty: pip's and uv's download caches and
the per-user cache that holds the Vega bundle each point at a new empty folder, so each
package is downloaded again, as on a machine that never installed it. Reports the wall time
of each run and the median. Needs only python3 and git; the network must reach PyPI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cold_setup_seconds(ref: str) -> float:
    with tempfile.TemporaryDirectory(prefix="setup-bench-") as tmp:
        work = Path(tmp)
        clone = work / "clone"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", ref], check=True)
        env = {
            **os.environ,
            "PIP_NO_CACHE_DIR": "1",
            "UV_CACHE_DIR": str(work / "uv-cache"),
            "XDG_CACHE_HOME": str(work / "user-cache"),
        }
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "tasks.py", "site"], cwd=clone, env=env, capture_output=True, text=True
        )
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"{ref}: tasks.py site failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ref", action="append", help="git ref to measure (repeatable; default HEAD)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| ref | runs (s) | median (s) |\n|---|---|---:|")
    for ref in args.ref or ["HEAD"]:
        runs = [cold_setup_seconds(ref) for _ in range(args.runs)]
        listed = ", ".join(f"{s:.1f}" for s in runs)
        print(f"| {ref} | {listed} | {statistics.median(runs):.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
