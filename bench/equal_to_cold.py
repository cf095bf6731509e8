#!/usr/bin/env python3
"""An edited synthetic site, rebuilt from the command line, is the cold build's byte for byte.

    .venv/bin/python bench/equal_to_cold.py [--size 10000] [--edits 3] [--work DIR]

Builds a synthetic dataset of --size figures, then makes --edits value edits (each re-archives
its article), rebuilding after each one into the same output, as an editor would; then builds
the edited data cold into a second output (no build state: every page and file made afresh;
the chart render cache is shared, which holds bytes, not decisions) and compares the two trees,
file by file. Prints the build times and exits 1 on any difference. The suite's
tests/test_incremental.py makes the same comparison for every kind of edit on the real site;
this is its case at a size the suite cannot afford.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import synthetic

PYTHON = sys.executable


def build(data: Path, out: Path, templates: Path, cache: Path) -> float:
    """One build by the command line in a fresh process; returns its wall time."""
    env = {**os.environ, "NO_COLOR": "1"}
    command = [PYTHON, "-m", "beijing_econ_site", "build", "--data", str(data), "--out", str(out)]
    command += ["--templates", str(templates)]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=cache, env=env, capture_output=True)
    return time.perf_counter() - started


def differences(left: Path, right: Path) -> list[str]:
    """Every path that is in one tree only, or whose bytes differ."""
    found: list[str] = []
    comparison = filecmp.dircmp(left, right, ignore=[])

    def walk(node: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(f"{prefix}{name} (only in the incremental build)" for name in node.left_only)
        found.extend(f"{prefix}{name} (only in the cold build)" for name in node.right_only)
        _, mismatch, errors = filecmp.cmpfiles(node.left, node.right, node.common_files, shallow=False)
        found.extend(f"{prefix}{name} (bytes differ)" for name in mismatch + errors)
        for name, child in node.subdirs.items():
            walk(child, f"{prefix}{name}/")

    walk(comparison, "")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--work", type=Path, help="a folder to work in (default: a new temporary one)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="equal-to-cold-"))
    data, templates = work / "data", work / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    dataset = synthetic.make_dataset(args.size)
    synthetic.write_dataset(dataset, data)
    first = build(data, work / "incremental" / "_site", templates, work)
    print(f"{args.size:,} figures: first build {first:.1f} s")
    for step in range(1, args.edits + 1):
        figure = synthetic.edit_one_value(dataset, data, step)
        seconds = build(data, work / "incremental" / "_site", templates, work)
        print(f"edit {step} ({figure.id}): rebuilt in {seconds:.1f} s")
    seconds = build(data, work / "cold" / "_site", templates, work)
    print(f"cold build of the edited data: {seconds:.1f} s")
    found = differences(work / "incremental" / "_site", work / "cold" / "_site")
    for line in found[:50]:
        print(f"  {line}")
    print(f"{len(found)} difference(s)" if found else "the incremental build is the cold build's, byte for byte")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
