"""Measurements: a command's wall time and peak memory, serve's save-to-reload latency, page weight, the floor."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SAMPLE_SECONDS = 0.05
QUIET_LIMIT = 120  # seconds to wait for other processes to go quiet before timing something


@dataclass
class ProcessRun:
    """One finished command: wall time, memory, other processes' load, exit code and what it printed."""

    seconds: float
    max_rss: int  # bytes, the largest single process of the tree (exact, from wait4's rusage)
    tree_rss: int  # bytes, the largest sum over the whole process tree (sampled every 50 ms)
    background: float  # CPU seconds that other processes used meanwhile
    returncode: int
    stdout: str
    stderr: str


def busy_cpu_seconds() -> float:
    """CPU seconds all processes have used since boot (user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(value) for value in stat.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def wait_for_quiet(limit: float, busy_below: float = 0.25) -> float:
    """Wait, up to limit seconds, until other processes use less than busy_below of a core; returns the wait."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = busy_cpu_seconds()
        time.sleep(1.0)
        if busy_cpu_seconds() - before < busy_below:
            break
    return time.monotonic() - started


def _children_of() -> dict[int, list[int]]:
    """Every process's children, from /proc/<pid>/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def tree_rss(root: int) -> int:
    """Resident bytes of root and all its descendants now (shared pages are counted in each)."""
    children, total, pending = _children_of(), 0, [root]
    while pending:
        pid = pending.pop()
        pending += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * PAGE_SIZE
        except (OSError, IndexError):
            continue
    return total


class TreeSampler(threading.Thread):
    """Samples a process tree's resident memory until stopped; keeps the peak."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root, self.peak, self.stopped = root, 0, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, tree_rss(self.root))

    def stop(self) -> int:
        self.stopped.set()
        self.join()
        return self.peak


def cold_environment(work: Path, user_cache: Path | None = None) -> dict[str, str]:
    """The environment with the per-user cache (where the build keeps the Vega bundle) inside work, or at user_cache."""
    return {**os.environ, "XDG_CACHE_HOME": str(user_cache or work / "user-cache")}


def run_measured(command: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None) -> ProcessRun:
    """Run command in cwd; wall time from start to exit, peak memory of its whole process tree."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        busy_before, started = busy_cpu_seconds(), time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True)
        sampler = TreeSampler(process.pid)
        sampler.start()
        killer = threading.Timer(timeout, os.killpg, (process.pid, signal.SIGKILL))
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # interrupted: take the command's whole process group down with us
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        finally:
            killer.cancel()
        seconds = time.perf_counter() - started
        own = usage.ru_utime + usage.ru_stime
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait
        peak = sampler.stop()
        out.seek(0)
        err.seek(0)
        return ProcessRun(
            seconds,
            usage.ru_maxrss * 1024,
            max(peak, usage.ru_maxrss * 1024),
            max(0.0, busy_cpu_seconds() - busy_before - own),
            process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


def append_comment(path: Path, text: str) -> None:
    """Save a YAML file with a comment line added: a change that keeps the data valid."""
    with path.open("a", encoding="utf-8") as file:
        file.write(f"# benchmark: {text}\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _open_events(port: int, process: subprocess.Popen, timeout: float) -> http.client.HTTPResponse:
    """Connect to serve's Server-Sent Events once it listens (it listens after its first build)."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited with code {process.returncode} before listening")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            connection.request("GET", "/__events")
            return connection.getresponse()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _next_event(events: http.client.HTTPResponse) -> str:
    """The name of the next event on the stream, skipping keep-alive comments."""
    while True:
        line = events.readline()
        if not line:
            raise RuntimeError("serve closed the event stream")
        if line.startswith(b"event: "):
            return line[len(b"event: ") :].strip().decode()


def _fetch(port: int, path: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path)
    connection.getresponse().read()
    connection.close()


@dataclass
class ReloadTiming:
    event: float  # seconds from saving the file to the 'reload' event
    page: float  # ... to the reloaded page's HTML received, as the browser's location.reload() does


def serve_latency(
    data_dir: Path, templates: Path, command: list[str], edited: Path, edits: int, timeout: float
) -> list[ReloadTiming]:
    """Save edited (a data file) edits times while serve runs; time each save to the reload.

    Each save appends a YAML comment line: the data stays valid, serve rebuilds the whole site
    (serve always does), and no chart needs rendering again.
    """
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as work, tempfile.TemporaryFile() as log:
        out = Path(work) / "_site"
        arguments = [
            "serve",
            "--data",
            str(data_dir),
            "--out",
            str(out),
            "--templates",
            str(templates),
            "--port",
            str(port),
        ]
        process = subprocess.Popen(
            command + arguments,
            cwd=work,
            env=cold_environment(Path(work)),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        try:
            events = _open_events(port, process, timeout)
            time.sleep(1.0)  # the file watcher starts just after the server
            return [_one_reload(events, port, edited, index) for index in range(edits)]
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _one_reload(events: http.client.HTTPResponse, port: int, edited: Path, index: int) -> ReloadTiming:
    wait_for_quiet(QUIET_LIMIT)  # also lets the previous rebuild's file events settle
    started = time.perf_counter()
    append_comment(edited, f"serve edit {index}")
    event = _next_event(events)
    if event != "reload":
        raise RuntimeError(f"serve sent '{event}' after a valid edit")
    reloaded = time.perf_counter()
    _fetch(port, "/")
    return ReloadTiming(reloaded - started, time.perf_counter() - started)


@dataclass
class PageWeight:
    page: str
    charts: int
    raw: int  # page + CSS
    gzip: int
    raw_interactive: int  # page + CSS + the page's scripts (enhance.js: the tooltips; nothing is fetched on hover)
    gzip_interactive: int


def _gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


_STYLESHEET = re.compile(rb'<link rel="stylesheet" href="([^"]+)"')
_SCRIPT = re.compile(rb'<script src="([^"]+)"')
_CHART = re.compile(rb'<figure class="chart"')


def _linked(pattern: re.Pattern[bytes], html: bytes, page: Path, site: Path) -> list[Path]:
    """The files a page references through pattern's attribute, resolved against the page (or,
    for an address from the root, as the 404 page has, against the site)."""
    refs = [ref.decode() for ref in pattern.findall(html)]
    return [(site / ref.lstrip("/") if ref.startswith("/") else page.parent / ref).resolve() for ref in refs]


def page_weights(site: Path) -> list[PageWeight]:
    """Bytes each HTML page costs a reader, raw and gzip -9, without and with the interactive charts.

    Each file is compressed on its own, as a server sends it; "with" adds the page's scripts.
    """
    weights = []
    for page in sorted(site.rglob("*.html")):
        html = page.read_bytes()
        plain = [html] + [p.read_bytes() for p in _linked(_STYLESHEET, html, page, site)]
        scripts = _linked(_SCRIPT, html, page, site)
        interactive = plain + [p.read_bytes() for p in scripts]
        weights.append(
            PageWeight(
                page.relative_to(site).as_posix(),
                len(_CHART.findall(html)),
                sum(map(len, plain)),
                sum(map(_gzip_size, plain)),
                sum(map(len, interactive)),
                sum(map(_gzip_size, interactive)),
            )
        )
    return weights


@dataclass
class Floor:
    """The least a cold build can cost: start Python with the imports, render each chart and each
    page's share card once, on every core."""

    imports: float  # seconds, median of fresh interpreters
    cores: int

    def seconds(self, charts: int, per_chart: float, cards: int = 0, per_card: float = 0.0) -> float:
        return self.imports + (per_chart * charts + per_card * cards) / self.cores


IMPORTS = "import beijing_econ_site.build.run, altair, vl_convert"
FLOOR_SAMPLE = 40  # charts timed per dataset, evenly spaced over its charts
RENDER_SCRIPT = """
import json, statistics, sys, time
from beijing_econ_site.build.vega import render_spec
specs = [json.loads(open(path).read()) for path in sys.argv[2:]]
medians = []
for spec in specs:
    render_spec(spec)
    render_spec(spec)
    times = []
    for _ in range(int(sys.argv[1])):
        started = time.perf_counter()
        render_spec(spec)
        times.append(time.perf_counter() - started)
    medians.append(statistics.median(times))
print(json.dumps(statistics.fmean(medians)))
"""


def measure_imports(python: str, runs: int) -> Floor:
    """Python's start-up with the build's imports, in fresh interpreters."""
    imports = [run_measured([python, "-c", IMPORTS], Path.cwd(), 120).seconds for _ in range(max(runs, 3))]
    return Floor(statistics.median(imports), os.cpu_count() or 1)


CARD_SPECS_SCRIPT = """
import json, sys
from pathlib import Path
from beijing_econ_site.build.renderer import ChartTemplates
from beijing_econ_site.checks.run import check_data
from beijing_econ_site.site.cards import card_chart
from beijing_econ_site.site.charts import chart_sources
from beijing_econ_site.site.pages import SiteConfig, page_jobs
from beijing_econ_site.site.views import derive
checked = check_data(Path(sys.argv[1]))
site = derive(checked.dataset)
templates = ChartTemplates()
charts = {key: make(templates) for key, _, make in chart_sources(site)}
config = SiteConfig().of(checked.dataset.site)
jobs = page_jobs(site, charts, {}, checked.stories, config.url)
cards = sorted({job.context["card"].path: job.context["card"] for job in jobs}.items())
step = max(1, len(cards) // int(sys.argv[2]))
for number, (_, card) in enumerate(cards[::step][: int(sys.argv[2])]):
    (Path(sys.argv[3]) / f"card-{number:03d}.vl.json").write_text(json.dumps(card_chart(card).spec))
"""


def seconds_per_card(python: str, data_dir: Path, runs: int) -> float:
    """vl-convert's time for one share card, warm, as seconds_per_chart times a chart: the cards
    are made by the engine from the data (the site publishes only their PNGs)."""
    with tempfile.TemporaryDirectory(prefix="bench-cards-") as folder:
        subprocess.run(
            [python, "-c", CARD_SPECS_SCRIPT, str(data_dir), str(FLOOR_SAMPLE), folder], capture_output=True, check=True
        )
        return seconds_per_chart(python, sorted(Path(folder).glob("*.vl.json")), runs)


def seconds_per_chart(python: str, chart_specs: list[Path], runs: int) -> float:
    """vl-convert's time for one chart (SVG + PNG, as the build does), warm: the mean over a sample of
    the dataset's own charts of each chart's median. The mean, since the floor is the sum over charts."""
    step = max(1, len(chart_specs) // FLOOR_SAMPLE)
    sample = chart_specs[::step][:FLOOR_SAMPLE]
    rendered = subprocess.run(
        [python, "-c", RENDER_SCRIPT, str(max(runs, 3)), *map(str, sample)], capture_output=True, text=True, check=True
    )
    return json.loads(rendered.stdout)
