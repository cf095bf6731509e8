#!/usr/bin/env python3
"""Benchmark `diff`: the review of one edit against the last commit, as an editor runs it.

    .venv/bin/python bench/review.py [--sizes 10000] [--runs 3] [--out bench/results]

For the real data and each synthetic size: a git repository holding the data and the
templates, one commit, then an edit, then `beijing-econ-site diff --base HEAD --json` in a
new process, first with an empty cache (a fresh clone in CI) and then --runs times with the
cache the first run left (an editor's machine). Each run's output is read back: the edit must
be listed, and nothing must be listed for the same data unedited. Writes review.md and
review.json to --out and prints the Markdown.
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
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import synthetic
from measure import run_measured

ROOT = Path(__file__).resolve().parent.parent
CLI = [str(Path(sys.executable).parent / "beijing-econ-site")]
TARGETS = {"real data": 2.0, "synthetic 10k": 5.0}  # seconds, from the review issue


@dataclass
class ReviewTiming:
    name: str
    figures: int
    edit: str
    listed: list[str]  # the kinds of change the diff listed for the edit
    fresh_seconds: float = 0.0  # an empty cache
    warm_seconds: list[float] = field(default_factory=list)
    unchanged_seconds: float = 0.0  # the same data, no edit, warm cache
    peak_rss: int = 0

    @property
    def warm(self) -> float:
        return statistics.median(self.warm_seconds)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def diff(repo: Path, timeout: float) -> tuple[float, int, dict[str, object]]:
    # as on an editor's machine, Python keeps the bytecode it compiles (a sandbox may forbid it,
    # which costs each process about 0.8 s of compiling)
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    run = run_measured([*CLI, "diff", "--base", "HEAD", "--json"], repo, timeout, env)
    if run.returncode != 0:
        raise SystemExit(f"[bench] diff failed (exit {run.returncode}):\n{run.stderr[-3000:]}")
    return run.seconds, run.tree_rss, json.loads(run.stdout)


def measure(name: str, data_dir: Path, edit: Callable[[], str], runs: int, timeout: float) -> ReviewTiming:
    """data_dir is <repo>/data; the repository is made around it."""
    repo = data_dir.parent
    shutil.copytree(ROOT / "templates", repo / "templates")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.email=bench@example.org", "-c", "user.name=bench", "add", "-A")
    git(repo, "-c", "user.email=bench@example.org", "-c", "user.name=bench", "commit", "-q", "-m", "base")
    figures = sum(line.startswith("  - id:") for path in data_dir.glob("figures/**/*.yaml") for line in _lines(path))
    _, _, unchanged = diff(repo, timeout)  # fills the cache for the unedited data
    if unchanged["changed"]:
        raise SystemExit(f"[bench] {name}: the unedited data gave changes: {unchanged['changes']}")
    timing = ReviewTiming(name, figures, edit(), [])
    shutil.rmtree(repo / ".cache")
    timing.fresh_seconds, timing.peak_rss, result = diff(repo, timeout)
    timing.listed = sorted({str(change["kind"]) for change in result["changes"]})  # type: ignore[index, union-attr]
    if not timing.listed:
        raise SystemExit(f"[bench] {name}: the edit was not listed")
    for _ in range(runs):
        timing.warm_seconds.append(diff(repo, timeout)[0])
    git(repo, "stash", "-q")
    timing.unchanged_seconds = diff(repo, timeout)[0]
    git(repo, "stash", "pop", "-q")
    print(
        f"[bench] {name}: diff {timing.fresh_seconds:.2f} s fresh, {timing.warm:.2f} s warm, "
        f"{timing.unchanged_seconds:.2f} s unchanged; listed {', '.join(timing.listed)}",
        file=sys.stderr,
    )
    return timing


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def real_data(tmp: Path, runs: int, timeout: float) -> list[ReviewTiming]:
    timings = []
    edits = (("a story sentence", _story_edit), ("a template's text (every page rendered twice)", _template_edit))
    for label, change in edits:
        work = tmp / f"real-{len(timings)}"
        data_dir = Path(shutil.copytree(ROOT / "data", work / "data"))

        def edit(change: Callable[[Path], None] = change, data_dir: Path = data_dir, label: str = label) -> str:
            change(data_dir)
            return label

        timings.append(measure("real data", data_dir, edit, runs, timeout))
    return timings


def _story_edit(data_dir: Path) -> None:
    story = data_dir / "stories" / "overview.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nA sentence added for the benchmark.\n", encoding="utf-8")


def _template_edit(data_dir: Path) -> None:
    base = data_dir.parent / "templates" / "base.html"  # an override of the default theme's page
    text = (ROOT / "src" / "beijing_econ_site" / "theme" / "base.html").read_text(encoding="utf-8")
    base.write_text(text.replace("</footer>", "<p>Benchmark.</p></footer>", 1), encoding="utf-8")


def synthetic_data(tmp: Path, size: int, runs: int, timeout: float) -> ReviewTiming:
    dataset = synthetic.make_dataset(size)
    data_dir = tmp / f"synthetic-{size}" / "data"
    synthetic.write_dataset(dataset, data_dir)

    def edit() -> str:
        synthetic.edit_one_value(dataset, data_dir, 1)
        return "one figure's value, with its quote, article, sha256 and a rearchived entry"

    return measure(f"synthetic {size // 1000}k", data_dir, edit, runs, timeout)


def markdown(timings: list[ReviewTiming]) -> str:
    lines = [
        (
            "| dataset | figures | edit | diff, fresh cache (s) | diff, warm (s) | unchanged (s) | target (s) "
            "| peak RSS (MB) | listed |"
        ),
        "|---|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for t in timings:
        target = TARGETS.get(t.name)
        lines.append(
            f"| {t.name} | {t.figures:,} | {t.edit} | {t.fresh_seconds:.2f} | {t.warm:.2f} | {t.unchanged_seconds:.2f} "
            f"| {target if target else ''} | {t.peak_rss / 2**20:.0f} | {', '.join(t.listed)} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000", help="synthetic sizes, comma-separated (default: 10000)")
    parser.add_argument("--runs", type=int, default=3, help="warm runs per dataset; the median is reported")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="where review.md and .json go")
    parser.add_argument("--timeout", type=float, default=600, help="seconds one diff may take (default: 600)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        timings = real_data(Path(tmp), args.runs, args.timeout)
        timings += [synthetic_data(Path(tmp), size, args.runs, args.timeout) for size in sizes]
    args.out.mkdir(parents=True, exist_ok=True)
    report = markdown(timings)
    (args.out / "review.md").write_text(report, encoding="utf-8")
    data = [{**asdict(t), "warm": t.warm} for t in timings]
    (args.out / "review.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
