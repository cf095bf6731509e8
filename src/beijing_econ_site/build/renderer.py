"""Chart rendering for the build: chart templates and SVG/PNG renders, each kept in an on-disk
cache, and the vl-convert worker processes that fill it."""

from __future__ import annotations

import hashlib
import importlib.metadata
import itertools
import json
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from beijing_econ_site.build import vega
from beijing_econ_site.build.vega import RenderResult
from beijing_econ_site.build.write import load_verified, store_verified
from beijing_econ_site.data.models import Qualifier
from beijing_econ_site.diagnostics import DataError, Diagnostic
from beijing_econ_site.site import charts
from beijing_econ_site.site.charts import Chart, accessible_svg, bar_template, series_template

log = logging.getLogger(__name__)


PACKAGED_TEMPLATES = Path(charts.__file__).with_name("chart_templates.json")


def template_variants() -> Iterator[tuple[str, Callable[..., str], tuple[Any, ...]]]:
    """Every chart template a site can need: the bar chart, and the series chart for each
    combination of rank axis, qualifiers present and breaks."""
    yield "bar", bar_template, ()
    for is_rank in (False, True):
        for size in range(1, len(Qualifier) + 1):
            for qualifiers in itertools.combinations(list(Qualifier), size):
                for with_breaks in (False, True):
                    yield "series", series_template, (is_rank, qualifiers, with_breaks)


def packaged_templates() -> dict[str, str]:
    """Every template, made by Altair, keyed as ChartTemplates keys them."""
    return {_template_key(name, args): builder(*args) for name, builder, args in template_variants()}


@cache
def _packaged() -> dict[str, str]:
    try:
        found = json.loads(PACKAGED_TEMPLATES.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


class ChartTemplates:
    """Chart templates as JSON text, keyed by the hash of the charts module's code and Altair's
    version: shipped with the package (scripts/chart_templates.py makes them), so a build does
    not import Altair (about a second on this machine) nor build the specs; kept on disk too,
    for code whose templates are not shipped yet."""

    def __init__(self, cache_dir: Path | None = None):
        self.cache_dir = cache_dir

    def bar(self) -> str:
        return self._get("bar", bar_template)

    def series(self, is_rank: bool, qualifiers: tuple[Qualifier, ...], with_breaks: bool) -> str:
        return self._get("series", series_template, is_rank, qualifiers, with_breaks)

    def _get(self, name: str, builder: Callable[..., str], *args: Any) -> str:
        key = _template_key(name, args)
        shipped = _packaged().get(key)
        if shipped is not None:
            return shipped
        if self.cache_dir is None:
            return builder(*args)
        path = self.cache_dir / f"{key}.json"
        cached = load_verified(path)
        if cached is not None:
            return cached.decode("utf-8")
        text = builder(*args)
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            store_verified(path, text.encode("utf-8"))
        except OSError as exc:
            log.debug("cannot cache a chart template in %s: %s", self.cache_dir, exc)
        return text


@cache
def _template_key(name: str, args: tuple[Any, ...]) -> str:
    code = hashlib.sha256(Path(charts.__file__).read_bytes())
    code.update(f"altair {importlib.metadata.version('altair')} {name} {args!r}".encode())
    return code.hexdigest()[:24]


PARALLEL_FROM = 16  # uncached charts; below this, a warm process renders them sooner than new workers could


class Renderer:
    """Renders specs to SVG and PNG through vl-convert, with a content-addressed cache.

    vl-convert serialises calls within a process, so many charts are rendered in worker
    processes, one per core. start_early() starts them as the build starts, so that Vega is
    running by the time the build knows which charts changed: on a cold cache, one per core; on
    a warm one, a single standby worker for the few charts an edit changes (it is killed unused
    if none did). Workers are spawned, so a script that calls build_site needs the usual
    `if __name__ == "__main__":` guard.
    """

    def __init__(self, cache_dir: Path | None, workers: int | None = None):
        self.cache_dir = cache_dir
        self.workers = workers or os.cpu_count() or 1
        self.rendered = 0
        self.cached = 0
        self._pool: ProcessPoolExecutor | None = None
        self._standby: StandbyWorker | None = None
        self._ahead: dict[str, Future[RenderResult]] = {}  # renders begun before render_all asked for them

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._standby is not None:
            self._standby.close()
            self._standby = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    @property
    def parallel(self) -> bool:
        """Whether worker processes render (or are starting to)."""
        return self._pool is not None

    @property
    def standing_by(self) -> bool:
        """Whether a standby worker renders the charts (a warm cache: few charts to render)."""
        return self._standby is not None

    def start_early(self) -> None:
        """Start rendering processes before the charts are known: one per core if the cache holds
        no render (a first build, where every chart is new), else one standby worker. With one
        core, none: the build renders in its own process."""
        if self.workers < 2:
            return
        cold = self.cache_dir is not None and not (self.cache_dir.is_dir() and any(self.cache_dir.glob("*.svg")))
        if cold:
            self._start_pool()
        elif self._pool is None and self._standby is None:
            self._standby = StandbyWorker()

    def start(self) -> None:
        """Start the workers now, and Vega in each (serve keeps them for every rebuild)."""
        if self.workers > 1:
            self._start_pool()

    def _start_pool(self) -> None:
        if self._pool is not None:
            return
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=vega.start_worker,
            initargs=(os.getpid(),),
        )
        for _ in range(self.workers):  # the executor starts a worker per task until all are running
            self._pool.submit(int)

    def render_ahead(self, charts: Iterable[Chart]) -> None:
        """Give the running workers these charts now, so they render while the build does other
        work; render_all() collects them later. Without workers running, this does nothing. The
        caller bounds how many: each finished render is held in memory until collected."""
        if self._pool is None:
            return
        for chart in charts:
            key = chart.spec_hash
            cached = self.cache_dir is not None and (self.cache_dir / f"{key}.png").exists()
            if key not in self._ahead and not cached:
                self._ahead[key] = self._pool.submit(vega.render_or_error, chart.spec)

    def render_all(self, charts: Iterable[Chart], rendered: Callable[[Chart], None] = lambda chart: None) -> None:
        """Give every chart its SVG and PNG, calling rendered(chart) as each is done, so a caller
        can write it out and let it go. Charts come from the cache, or go to the workers, as soon
        as they are made if the workers are already running (a cold build)."""
        submitted: deque[tuple[Chart, Future[RenderResult]]] = deque()
        missing: list[Chart] = []
        for chart in charts:
            ahead = self._ahead.pop(chart.spec_hash, None)
            if ahead is not None:
                submitted.append((chart, ahead))
                continue
            svg, png = self._from_cache(chart.spec_hash)
            if svg is not None and png is not None:
                self.cached += 1
                self._finish(chart, svg, png)
                rendered(chart)
            elif self._pool is not None:
                submitted.append((chart, self._pool.submit(vega.render_or_error, chart.spec)))
            else:
                missing.append(chart)
        if len(missing) >= PARALLEL_FROM and self.workers > 1:
            if self._standby is not None:  # too many for one process: the pool renders them
                self._standby.close()
                self._standby = None
            self._start_pool()
        for chart, (svg, png, error) in self._results(submitted, missing):
            if error is not None:
                raise DataError([Diagnostic.simple(chart.id, "chart-render", f"chart could not be rendered: {error}")])
            self._store(chart.spec_hash, svg, png)
            self.rendered += 1
            self._finish(chart, svg, png)
            rendered(chart)

    def _results(
        self, submitted: deque[tuple[Chart, Future[RenderResult]]], missing: list[Chart]
    ) -> Iterator[tuple[Chart, RenderResult]]:
        """Renders in order, each let go once yielded (a large site's PNGs would not fit in memory)."""
        while submitted:
            chart, future = submitted.popleft()
            yield chart, future.result()
        specs = (chart.spec for chart in missing)
        if self._pool is None and self._standby is not None and missing:
            yield from zip(missing, self._standby.render_all(specs), strict=True)
        elif self._pool is not None and missing:
            chunk = max(1, min(8, len(missing) // (self.workers * 8)))
            yield from zip(missing, self._pool.map(vega.render_or_error, specs, chunksize=chunk), strict=True)
        else:
            yield from zip(missing, map(vega.render_or_error, specs), strict=True)

    @staticmethod
    def _finish(chart: Chart, svg: str, png: bytes) -> None:
        chart.svg = accessible_svg(svg, chart)
        chart.png = png

    def _from_cache(self, key: str) -> tuple[str | None, bytes | None]:
        if self.cache_dir is None:
            return None, None
        svg, png = load_verified(self.cache_dir / f"{key}.svg"), load_verified(self.cache_dir / f"{key}.png")
        if svg is None or png is None:
            return None, None
        return svg.decode("utf-8"), png

    def _store(self, key: str, svg: str, png: bytes) -> None:
        if self.cache_dir is None:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        store_verified(self.cache_dir / f"{key}.png", png)
        store_verified(self.cache_dir / f"{key}.svg", svg.encode("utf-8"))


class StandbyWorker:
    """One render process, spawned at once so that it starts Vega (about 0.6 s) while the build
    checks and derives the data; close() kills it, whether it rendered or not."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(
            target=vega.serve_renders, args=(child, os.getpid()), name="standby-renderer", daemon=True
        )
        self._process.start()
        child.close()
        self._gone = False

    def render_all(self, specs: Iterable[dict[str, Any]]) -> Iterator[RenderResult]:
        """Each spec's render, in order, one at a time (a few charts: the pipe never fills). If
        the process is gone (killed by hand, out of memory), the build renders them itself."""
        for spec in specs:
            result = self._ask(spec)
            yield result if result is not None else vega.render_or_error(spec)

    def _ask(self, spec: dict[str, Any]) -> RenderResult | None:
        if self._gone:
            return None
        try:
            self._connection.send(spec)
            answer: RenderResult = self._connection.recv()
        except (EOFError, OSError):
            log.warning("the chart-rendering process ended (exit code %s): rendering here", self._process.exitcode)
            self._gone = True
            return None
        return answer

    def close(self) -> None:
        self._connection.close()
        self._process.kill()
        self._process.join()
