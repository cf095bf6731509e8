#!/usr/bin/env python3
"""Benchmark the site generator: cold build, rebuilds, serve's reload, page weight, the floor, growth.

    .venv/bin/python bench/run.py [--quick] [--sizes 1000,10000,60000] [--runs N] [--out bench/results]

Measures the real site (a copy of data/) and synthetic datasets of the given sizes, each
built by the command line in a fresh working directory (so the chart cache, which lives in
.cache/ under the working directory, starts empty). Writes results.md and results.json to
--out and prints the Markdown. bench/README.md explains every number.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import synthetic
from measure import (
    QUIET_LIMIT,
    Floor,
    PageWeight,
    ProcessRun,
    append_comment,
    cold_environment,
    measure_imports,
    page_weights,
    run_measured,
    seconds_per_card,
    seconds_per_chart,
    serve_latency,
    wait_for_quiet,
)
from report import DatasetResult, fit_growth, markdown, targets

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
PYTHON = sys.executable
CLI = [str(Path(PYTHON).parent / "beijing-econ-site")]
SERVE_MAX_FIGURES = 1000  # serve's latency is measured on the real site and synthetic sets this small
SERVE_EDITS = 5
CORES = os.cpu_count() or 1

CHECK_SUMMARY = re.compile(r"(\d+) figures, (\d+) indicators, (\d+) sources: (\d+) error\(s\), (\d+) warning\(s\)")
BUILT = re.compile(r"built (\d+) pages, (\d+) charts, (\d+) files \((\d+) bytes\)")
RENDERED = re.compile(r"charts: (\d+) rendered")
CARDS = re.compile(r"share cards: (\d+) made, (\d+) unchanged")


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def logged(pattern: re.Pattern[str], log: str) -> tuple[int, ...]:
    """The numbers a line of the build's log reports."""
    found = pattern.search(log)
    if found is None:
        raise SystemExit(f"[bench] no line like '{pattern.pattern}' in the build's log:\n{log[-2000:]}")
    return tuple(map(int, found.groups()))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run, the 1k dataset only")
    parser.add_argument(
        "--sizes",
        default="1000,10000,60000",
        help="synthetic figure counts (default: 1000,10000,60000; empty: the real site only)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; the median is reported (default: 3)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="where results.md and .json go")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds one command may take (default: 3600)")
    args = parser.parse_args(argv)
    args.sizes = [1000] if args.quick else [int(size) for size in args.sizes.split(",") if size]
    args.runs = 1 if args.quick else max(1, args.runs)
    return args


def machine_info() -> dict[str, str]:
    """The machine and the code measured."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "src", "templates"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    return {
        "CPU": f"{os.cpu_count()} x {cpu}",
        "memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "Python": platform.python_version(),
        "commit": commit + (" (src/ or templates/ modified)" if dirty.strip() else ""),
        "load average at start": " ".join(f"{load:.2f}" for load in os.getloadavg()),
    }


def snapshot_code(into: Path) -> tuple[Path, str]:
    """Copy src/ and templates/ into into/ and make every command below import the copy.

    Someone may edit the code while the benchmark runs; the copy keeps every run measuring
    the same code (and keeps the build's fingerprint, which hashes the package, stable).
    Returns the templates' copy and a digest of the code copied.
    """
    package = shutil.copytree(
        ROOT / "src" / "beijing_econ_site",
        into / "src" / "beijing_econ_site",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    templates = shutil.copytree(ROOT / "templates", into / "templates")
    os.environ["PYTHONPATH"] = str(into / "src")  # ahead of the editable install, for every child process
    digest = hashlib.sha256()
    for path in sorted([*Path(package).rglob("*.py"), *Path(templates).rglob("*")]):
        if path.is_file():
            digest.update(path.relative_to(into).as_posix().encode() + path.read_bytes())
    return Path(templates), digest.hexdigest()[:12]


def check(name: str, data_dir: Path, *, strict: bool, timeout: float) -> DatasetResult:
    """Run `check`; a synthetic dataset must have no errors and no warnings, the real one no errors."""
    run = run_measured([*CLI, "check", "--data", str(data_dir)], data_dir.parent, timeout)
    summary = CHECK_SUMMARY.search(run.stderr)
    if summary is None or run.returncode != 0:
        raise SystemExit(f"[bench] check of {name} failed:\n{run.stderr[-3000:]}")
    figures, indicators, sources, errors, warnings = map(int, summary.groups())
    if errors or (strict and warnings):
        raise SystemExit(f"[bench] {name} does not pass check cleanly:\n{run.stderr[-3000:]}")
    say(f"{name}: check passed ({figures} figures, {warnings} warnings) in {run.seconds:.2f} s")
    return DatasetResult(name, figures, indicators, sources, warnings, run.seconds)


def build(data_dir: Path, work: Path, args: argparse.Namespace, user_cache: Path | None = None) -> ProcessRun:
    """`beijing-econ-site build`, on a quiet machine, with its caches (the project's and the user's) in work,
    or the user's at user_cache."""
    wait_for_quiet(QUIET_LIMIT)
    command = [*CLI, "build", "--data", str(data_dir), "--out", str(work / "_site"), "--templates", str(args.templates)]
    run = run_measured(command, work, args.timeout, cold_environment(work, user_cache))
    if run.returncode != 0:
        raise SystemExit(f"[bench] build failed (exit {run.returncode}):\n{run.stderr[-3000:]}")
    return run


def measure_builds(
    result: DatasetResult,
    data_dir: Path,
    work_root: Path,
    edit: Callable[[int], None],
    args: argparse.Namespace,
    installed: bool = False,
) -> None:
    """Per run: a cold build in a fresh directory, a rebuild with nothing changed, and one after edit(run);
    if installed, also a build in another fresh directory that shares the first one's user cache, where
    the cold build left the Vega bundle (made once per vl-convert version, like an install step).

    Each run's directory is work_root/run-N; the first is kept for the caller to inspect.
    """
    for index in range(args.runs):
        work = work_root / f"run-{index}"
        work.mkdir()
        cold = build(data_dir, work, args)
        pages, charts, files, size = logged(BUILT, cold.stderr)
        result.pages, result.charts, result.files, result.site_bytes = pages, charts, files, size
        result.cards = sum(logged(CARDS, cold.stderr))
        result.cold_seconds.append(cold.seconds)
        result.cold_max_rss.append(cold.max_rss)
        result.cold_tree_rss.append(cold.tree_rss)
        result.cold_background.append(cold.background / (cold.seconds * CORES))
        if installed:
            project = work / "another-project"
            project.mkdir()
            result.installed_cold_seconds.append(build(data_dir, project, args, user_cache=work / "user-cache").seconds)
        unchanged = build(data_dir, work, args)
        if "nothing changed" not in unchanged.stderr:
            raise SystemExit(
                f"[bench] the rebuild of unchanged {result.name} was not skipped:\n{unchanged.stderr[-2000:]}"
            )
        result.nochange_seconds.append(unchanged.seconds)
        edit(index)
        edited = build(data_dir, work, args)
        result.edit_seconds.append(edited.seconds)
        result.edit_charts_rendered.append(logged(RENDERED, edited.stderr)[0])
        say(
            f"{result.name} run {index + 1}/{args.runs}: cold {cold.seconds:.2f} s ({charts} charts, "
            f"{cold.tree_rss / 2**20:.0f} MB), no-change {unchanged.seconds:.2f} s, edit {edited.seconds:.2f} s"
        )
        if index:
            shutil.rmtree(work)


def measure_serve(result: DatasetResult, data_dir: Path, args: argparse.Namespace) -> None:
    """Save-to-reload latency of serve, appending a comment to the first figures file each time."""
    edited = sorted((data_dir / "figures").glob("*.yaml"))[0]
    timings = serve_latency(data_dir, args.templates, CLI, edited, max(args.runs, SERVE_EDITS), args.timeout)
    result.reload_event_seconds = [t.event for t in timings]
    result.reload_page_seconds = [t.page for t in timings]
    say(f"{result.name}: serve reloads in " + ", ".join(f"{t.page * 1000:.0f}" for t in timings) + " ms")


def real_site(args: argparse.Namespace) -> tuple[DatasetResult, list[PageWeight], Floor]:
    """The real site, from a copy of data/: builds, serve, its pages' weight, and the floor."""
    with tempfile.TemporaryDirectory(prefix="bench-real-") as tmp:
        data_dir = Path(shutil.copytree(DATA, Path(tmp) / "data"))
        result = check("real site", data_dir, strict=False, timeout=args.timeout)
        edited = sorted((data_dir / "figures").glob("*.yaml"))[0]
        result.edit = f"a comment line appended to figures/{edited.name}"
        work_root = Path(tmp) / "work"
        work_root.mkdir()
        measure_builds(
            result, data_dir, work_root, lambda index: append_comment(edited, f"edit {index}"), args, installed=True
        )
        site = work_root / "run-0" / "_site"
        measure_output(result, site)
        weights = page_weights(site)
        floor = measure_imports(PYTHON, args.runs)
        set_floor(result, floor, site, data_dir, args)
        measure_serve(result, data_dir, args)
    return result, weights, floor


def synthetic_site(size: int, floor: Floor, args: argparse.Namespace) -> DatasetResult:
    """A generated dataset of size figures: check, builds, and serve when it is small."""
    dataset = synthetic.make_dataset(size)
    name = f"synthetic {size // 1000}k" if size % 1000 == 0 else f"synthetic {size}"
    with tempfile.TemporaryDirectory(prefix=f"bench-{size}-") as tmp:
        data_dir = Path(tmp) / "data"
        synthetic.write_dataset(dataset, data_dir)
        result = check(name, data_dir, strict=True, timeout=args.timeout)
        result.edit = "one figure's value, with its quote, article, sha256 and a rearchived entry"
        work_root = Path(tmp) / "work"
        work_root.mkdir()
        measure_builds(
            result, data_dir, work_root, lambda index: synthetic.edit_one_value(dataset, data_dir, index + 1), args
        )
        measure_output(result, work_root / "run-0" / "_site")
        set_floor(result, floor, work_root / "run-0" / "_site", data_dir, args)
        if size <= SERVE_MAX_FIGURES:
            measure_serve(result, data_dir, args)
    return result


def measure_output(result: DatasetResult, site: Path) -> None:
    """The heaviest page and the bar chart with the most bars, read from the built site."""
    pages = [(p.stat().st_size, p.relative_to(site).as_posix()) for p in site.rglob("*.html")]
    result.largest_page_bytes, result.largest_page = max(pages)
    bars = [0]
    for spec_path in site.glob("charts/*.vl.json"):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        marks = [layer.get("mark", {}) for layer in spec.get("layer", [spec])]
        if any(isinstance(mark, dict) and mark.get("type") == "bar" for mark in marks):
            bars.append(len(spec["datasets"]["figures"]))
    result.most_bars = max(bars)
    say(
        f"{result.name}: largest page {result.largest_page} ({result.largest_page_bytes:,} bytes), "
        f"most bars {result.most_bars}"
    )


def set_floor(result: DatasetResult, floor: Floor, site: Path, data_dir: Path, args: argparse.Namespace) -> None:
    wait_for_quiet(QUIET_LIMIT)
    result.floor_chart_seconds = seconds_per_chart(PYTHON, sorted(site.glob("charts/*.vl.json")), args.runs)
    result.floor_card_seconds = seconds_per_card(PYTHON, data_dir, args.runs)
    result.charts_floor_seconds = floor.seconds(result.charts, result.floor_chart_seconds)
    result.floor_seconds = floor.seconds(
        result.charts, result.floor_chart_seconds, result.cards, result.floor_card_seconds
    )
    say(
        f"{result.name} floor: imports {floor.imports:.2f} s + ({result.charts} charts x "
        f"{result.floor_chart_seconds * 1000:.0f} ms + {result.cards} cards x "
        f"{result.floor_card_seconds * 1000:.0f} ms) / {floor.cores} cores = {result.floor_seconds:.2f} s"
    )


def write_results(
    args: argparse.Namespace,
    machine: dict[str, str],
    results: list[DatasetResult],
    weights: list[PageWeight],
    floor: Floor,
) -> str:
    """results.md and results.json under args.out; returns the Markdown."""
    growth = fit_growth(results[1:])
    text = markdown(machine, results, weights, floor, growth, args.runs)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(text, encoding="utf-8")
    data = {
        "machine": machine,
        "runs": args.runs,
        "datasets": [dataclasses.asdict(r) | {"cold_median": r.cold, "floor_ratio": r.floor_ratio} for r in results],
        "growth": dataclasses.asdict(growth) if growth else None,
        "floor": dataclasses.asdict(floor),
        "pages": [dataclasses.asdict(w) for w in weights],
        "targets": [dataclasses.asdict(t) for t in targets(results[0], results[1:], weights, growth)],
    }
    (args.out / "results.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return text


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    machine = machine_info()
    with tempfile.TemporaryDirectory(prefix="bench-code-") as code:
        args.templates, machine["code measured"] = snapshot_code(Path(code))
        say(f"{machine}; sizes {args.sizes}, {args.runs} run(s)")
        real, weights, floor = real_site(args)
        results = [real]
        for size in args.sizes:
            write_results(args, machine, results, weights, floor)  # so far: a stopped run keeps what it measured
            results.append(synthetic_site(size, floor, args))
    print(write_results(args, machine, results, weights, floor))
    say(f"wrote {args.out / 'results.md'} and {args.out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
