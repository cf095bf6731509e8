"""Build: check, derive, chart, render, export and write, in that order.

The data is checked before anything is written. Files are then written, as they are made, to
a staging directory beside the output and published at the end, so a failed build leaves the
previous site untouched and a large site is never held in memory whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from beijing_econ_site.build import vega
from beijing_econ_site.build.fingerprint import DEFAULT_CACHE, output_fingerprint
from beijing_econ_site.build.graph import (
    BuildState,
    ChartRecord,
    forget_remembered_state,
    load_state,
    remembered_state,
    save_state,
    settings_key,
    template_digests,
)
from beijing_econ_site.build.output import check_output_dir, check_same_site
from beijing_econ_site.build.provenance import BUILD_INFO_PATH, build_info_bytes
from beijing_econ_site.build.renderer import ChartTemplates, Renderer
from beijing_econ_site.build.write import OutputChanged, SiteWriter
from beijing_econ_site.checks.archives import ARCHIVES_EXPORT, archives_export
from beijing_econ_site.checks.prose import check_templates
from beijing_econ_site.checks.run import CheckedData, check_data, file_digests
from beijing_econ_site.data.archive import Archive
from beijing_econ_site.data.models import Dataset
from beijing_econ_site.diagnostics import DataError, Diagnostic, Location
from beijing_econ_site.memo import Memo, key_of, load_lasting, save_lasting
from beijing_econ_site.site.cards import Card, card_chart, key_of_png, with_key
from beijing_econ_site.site.chart_rules import chart_diagnostics, chart_problems
from beijing_econ_site.site.charts import Chart, chart_sources
from beijing_econ_site.site.crawl import atom_feed, robots, sitemap
from beijing_econ_site.site.digests import Digests
from beijing_econ_site.site.export import dataset_summary, dataset_title, export_files
from beijing_econ_site.site.pages import PageJob, PageRenderer, SiteConfig, page_jobs, series_pages, told_stories
from beijing_econ_site.site.search import Indexing, Record, search_records
from beijing_econ_site.site.theme import static_files
from beijing_econ_site.site.views import SiteView, derive

log = logging.getLogger(__name__)


@dataclass
class BuildResult:
    pages: int
    charts: int
    files: int
    bytes_written: int
    seconds: float
    charts_rendered: int
    warnings: list[Diagnostic] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # the files whose bytes this build changed
    pages_made: int = 0  # pages rendered; the others were unchanged, taken from the previous site
    charts_made: int = 0  # charts whose spec was made (rendered, or from the render cache)


class StaleOutput(Exception):
    """The output folder changed since the build whose state serve remembered."""


def build_site(
    data_dir: Path,
    out_dir: Path,
    templates_dir: Path,
    *,
    cache_dir: Path | None = DEFAULT_CACHE,
    config: SiteConfig | None = None,
    renderer: Renderer | None = None,
    published: Path | None = None,
    preview: Callable[[dict[str, bytes]], None] | None = None,
    open_pages: Sequence[str] = (),
) -> BuildResult:
    """Check the data, then build the site into out_dir. cache_dir holds chart renders and
    templates; cache_dir=None uses no cache at all (--no-cache). A renderer given (serve's, whose
    workers stay warm between builds) is used and left running. preview (serve's) is given the
    new pages as soon as they are made, before the rest of the site: first those of open_pages
    (addresses such as "/2021/", the pages open in a browser), made before any other, then the rest."""
    started = time.perf_counter()
    check_output_dir(out_dir, {"the data": data_dir, "the templates": templates_dir})
    with contextlib.ExitStack() as closing:
        if renderer is None:  # the build's own, started now so Vega is up by the first chart (serve's stays warm)
            renderer = closing.enter_context(Renderer(cache_dir / "charts" if cache_dir else None))
            renderer.start_early()
        log.info("checking %s", data_dir)
        memo = Memo(cache_dir / "memo") if cache_dir else None
        # published: the deployed site's data/archives.json. A local build is not a publication, so the
        # previous build in out_dir is never taken for one (an editor's unpublished edits need no correction)
        checked = check_data(data_dir, published=published, memo=memo)
        errors = checked.errors + (check_templates(templates_dir, str(templates_dir)) if templates_dir.is_dir() else [])
        if errors:
            raise DataError(errors)
        config = (config or SiteConfig()).of(checked.dataset.site)
        check_same_site(out_dir, checked.dataset.site.id)
        build = Build(checked, config, out_dir, templates_dir, cache_dir, renderer, preview, started, tuple(open_pages))
        if cache_dir:
            load_lasting(cache_dir / "memo")
        try:
            result = _write_site(build, trust_memory=preview is not None)
        except (StaleOutput, OutputChanged) as exc:  # nothing was published: write again from what is on disk
            log.info("%s: checking every output file again", exc)
            forget_remembered_state()
            result = _write_site(build, trust_memory=False)
        if cache_dir:
            save_lasting(cache_dir / "memo")
        return result


@dataclass(frozen=True)
class Build:
    """What one build writes from: the checked data and the build's settings."""

    checked: CheckedData
    config: SiteConfig
    out_dir: Path
    templates_dir: Path
    cache_dir: Path | None
    renderer: Renderer
    preview: Callable[[dict[str, bytes]], None] | None
    started: float
    open_pages: tuple[str, ...] = ()  # serve's: addresses of the pages open in a browser, made and shown first


def _write_site(build: Build, trust_memory: bool) -> BuildResult:
    """Every page, chart and file of the site into a staging folder, then swapped in."""
    checked, config, out_dir, templates_dir = build.checked, build.config, build.out_dir, build.templates_dir
    cache_dir, renderer, preview, started = build.cache_dir, build.renderer, build.preview, build.started
    profile = checked.dataset.site
    with SiteWriter(out_dir, profile.id) as writer, contextlib.ExitStack() as closing:
        settings = settings_key(repr(config))
        # serve's builds take the state the last one left in memory, and check the output after
        # the new pages are shown; a command-line build reads it and checks the output first
        remembered = remembered_state(cache_dir, out_dir, settings) if trust_memory else None
        state = remembered or load_state(cache_dir, out_dir, settings)
        writer.trust_previous = remembered is not None  # its files are checked once the pages are shown
        made = BuildState(settings)
        site, known, digests = _derived(checked)

        def index_search() -> SearchIndex:
            """Pagefind, in another process, while this one makes the rest of the site."""
            records = search_records(site, told_stories(site, checked.stories, config.title), series_pages(site.series))
            return closing.enter_context(start_search(records, state))

        # a command-line build indexes beside the charts and pages; serve shows its new pages first,
        # with both cores, and indexes after
        search = index_search() if preview is None else None
        charts: dict[str, Chart] = {}
        rendered_before, cached_before = renderer.rendered, renderer.cached
        chart_templates = ChartTemplates(cache_dir / "chart-templates" if cache_dir else None)

        def to_render() -> Iterator[Chart]:
            """The charts whose inputs changed; the others are taken from the previous site."""
            for key, drawn_from, make in chart_sources(site):
                inputs = known.get(key)
                if not isinstance(inputs, str):  # scope labels and currency names are drawn
                    inputs = known[key] = digests.of((profile, drawn_from))
                record = state.charts.get(key)
                if record is not None and record.inputs == inputs and keep_chart_files(record.id, writer, later=True):
                    charts[key] = record.chart()
                    continue
                chart = make(chart_templates)
                chart.inputs = inputs
                problems = chart_problems(chart.id, chart.spec, site.figures)
                if problems:  # before the chart is rendered, so nothing of it is written
                    raise DataError(chart_diagnostics(problems, checked.locator))
                chart.schema = chart.spec.get("$schema", "")
                yield charts.setdefault(key, chart)

        renderer.render_all(to_render(), rendered=lambda chart: write_chart_files(chart, writer))
        rendered, cached = renderer.rendered - rendered_before, renderer.cached - cached_before
        made.charts = {key: ChartRecord.of(chart) for key, chart in charts.items()}
        log.info(
            "charts: %d rendered, %d from cache, %d unchanged",
            rendered,
            cached,
            len(charts) - rendered - cached,
        )
        templates = PageRenderer(templates_dir, config, cache_dir / "templates" if cache_dir else None)
        pages = kept_pages = 0
        try:
            template_keys = template_digests(templates.env)
            jsonld = known.get(f"jsonld {config!r}")  # the derived data's: the same while it is
            if not isinstance(jsonld, dict):
                jsonld = dataset_jsonld(checked.dataset, config)
                known[f"jsonld {config!r}"] = jsonld
            numbered = enumerate(page_jobs(site, charts, jsonld, checked.stories, config.url))
            cards: dict[str, Card] = {}
            fresh_cards = None  # serve looks for its cards after it has shown the new pages
            ordered: Iterator[tuple[int, PageJob] | None]
            if preview is None:  # a command-line build's workers make the first new cards while the pages are made
                every_job = list(numbered)
                cards = {job.context["card"].path: job.context["card"] for _, job in every_job}
                fresh_cards = cards_to_make(list(cards.values()), state.cards, writer)
                renderer.render_ahead(card_chart(card) for card in fresh_cards[:CARDS_AHEAD])
                ordered = iter(every_job)
            else:
                ordered = open_pages_first(numbered, {page_file(address) for address in build.open_pages})
            shown: set[str] = set()
            index_pages: list[tuple[int, str]] = []  # in the order made, numbered in the site's order
            for item in ordered:
                if item is None:
                    if preview is not None:  # the open pages are made: shown before the rest
                        shown = show_pages(preview, writer, shown)
                    continue
                number, job = item
                card = job.context["card"]
                cards[card.path] = card
                if job.file_path.endswith("index.html"):
                    index_pages.append((number, job.file_path.removesuffix("index.html")))
                key = digests.of((settings, template_keys.get(job.template, ""), job.path, job.root, job.context))
                made.pages[job.file_path] = key
                if state.pages.get(job.file_path) == key and writer.keep_later(job.file_path):
                    kept_pages += 1
                else:
                    for chart in job.charts():
                        if not chart.svg:  # unchanged, so its SVG is the previous site's
                            previous = writer.previous(f"charts/{chart.id}.svg").read_text(encoding="utf-8")
                            chart.svg = vega.unframed(previous)
                    writer.add_stream(job.file_path, templates.stream(job))
                pages += 1
        except jinja2.TemplateError as exc:
            raise DataError([template_diagnostic(exc, templates_dir)]) from None
        page_paths = [path for _, path in sorted(index_pages)]
        log.info("pages: %d made, %d unchanged", pages - kept_pages, kept_pages)
        if preview is not None:  # serve shows the new pages while the rest is made; nothing is swapped in yet
            show_pages(preview, writer, shown)
            if remembered is not None and output_fingerprint(out_dir) != remembered.output:
                raise StaleOutput(f"{out_dir} changed since the last build")
        if search is None:
            search = index_search()
        if fresh_cards is None:
            fresh_cards = cards_to_make(list(cards.values()), state.cards, writer)
        write_cards(fresh_cards, renderer, writer)
        log.info("share cards: %d made, %d unchanged", len(fresh_cards), len(cards) - len(fresh_cards))
        made.cards = set(cards)
        schemas = {chart.schema for chart in charts.values() if chart.schema}
        for files in (
            export_files(checked.dataset, state.rows, made.rows),
            static_files(templates_dir),
            archive_files(site, checked.archives),
            {ARCHIVES_EXPORT: archives_export(checked.dataset)},
            {BUILD_INFO_PATH: build_info_bytes(schemas)},
            crawler_files(site, page_paths, config),
        ):
            for path, content in files.items():
                writer.add(path, content)
        made.search = search.write(writer)
        written = writer.commit()
        save_state(cache_dir, out_dir, made)
        file_count = len(writer.paths)
        changed = list(writer.changed)
    seconds = time.perf_counter() - started
    log.info(
        "built %d pages, %d charts, %d files (%d bytes) in %.2f s", pages, len(charts), file_count, written, seconds
    )
    return BuildResult(
        pages,
        len(charts),
        file_count,
        written,
        seconds,
        rendered,
        checked.warnings,
        changed,
        pages - kept_pages,
        rendered + cached,
    )


def open_pages_first(
    numbered_jobs: Iterator[tuple[int, PageJob]], opened: set[str]
) -> Iterator[tuple[int, PageJob] | None]:
    """The pages to make, each open one (by file) as soon as it is found, followed by None, the
    moment to show it; then the others, in the site's order. Once every open page is found, the
    rest is not looked through first; an open page the site does not have holds nothing up."""
    waiting: set[str] = set(opened)
    passed: list[tuple[int, PageJob]] = []
    for number, job in numbered_jobs if waiting else ():
        if job.file_path in waiting:
            waiting.discard(job.file_path)
            yield number, job
            yield None
            if not waiting:
                break
        else:
            passed.append((number, job))
    yield from passed
    yield from numbered_jobs


def page_file(address: str) -> str:
    """A page's file in the site from its address: "/2021/" -> "2021/index.html"."""
    path = address.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def show_pages(preview: Callable[[dict[str, bytes]], None], writer: SiteWriter, shown: set[str]) -> set[str]:
    """Hand preview the pages this build changed that it has not shown yet; returns all shown."""
    fresh = {
        path: (writer.staging / path).read_bytes()
        for path in writer.changed
        if path.endswith(".html") and path not in shown
    }
    if fresh:
        preview(fresh)
    return shown | set(fresh)


# the views of the last data built, each chart's inputs digest and the digests of the views, for
# the life of the process: serve rebuilds after a story or a template is saved, and the data it
# derives from is the same. The digests keep what they digested alive (their cache is by id), so
# they are let go past a bound.
_DERIVED: dict[str, tuple[SiteView, dict[str, Any], Digests]] = {}
DIGESTS_KEPT = 200_000


def _derived(checked: CheckedData) -> tuple[SiteView, dict[str, Any], Digests]:
    """derive(), or its last result when every data file (the profile too) has the same bytes."""
    documents = checked.locator.documents
    if not documents or not all(document.digest for document in documents.values()):
        return derive(checked.dataset), {}, Digests()
    key = key_of("derive", *file_digests(checked.locator))
    found = _DERIVED.get(key)
    if found is None or found[2].size > DIGESTS_KEPT:
        _DERIVED.clear()
        found = _DERIVED[key] = (derive(checked.dataset), {}, Digests())
    return found


CHART_FILES = ("svg", "png", "csv", "vl.json")


CARDS_AHEAD = 64  # cards rendered while the pages are made: their PNGs wait in memory until written


def cards_to_make(cards: list[Card], previous: set[str], writer: SiteWriter) -> list[Card]:
    """The cards this build must render; the others are taken from the previous site, which
    made them (a card's path is a digest of its words)."""
    return [card for card in cards if not (card.path in previous and _keep_card(card, writer))]


def write_cards(cards: list[Card], renderer: Renderer, writer: SiteWriter) -> None:
    """Render each card and add its PNG to the site, with its key inside it."""
    made = {chart.id: card for card in cards for chart in [card_chart(card)]}
    renderer.render_all(
        (card_chart(card) for card in cards),
        rendered=lambda chart: writer.add(made[chart.id].path, with_key(chart.png, made[chart.id].key)),
    )


def _keep_card(card: Card, writer: SiteWriter) -> bool:
    """Keep the previous site's card only if it is this card's: each card names its key inside
    it, so a card moved or copied under another's name is made again, never published."""
    try:
        with writer.previous(card.path).open("rb") as handle:
            head = handle.read(256)
    except OSError:
        return False
    return key_of_png(head) == card.key and writer.keep(card.path)


@dataclass
class SearchIndex:
    """The search index of this build's records: Pagefind's run over them, started by
    start_search, or the previous build's files when its records were the same."""

    key: str
    previous: tuple[str, list[str]]
    indexing: Indexing | None = None  # None: the records are the last build's
    records: list[Record] = field(default_factory=list)

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.indexing is not None:
            self.indexing.__exit__(*exc_info)

    def write(self, writer: SiteWriter) -> tuple[str, list[str]]:
        """Add the index to the site; returns the records' key and the files, for the next build."""
        if self.indexing is None:
            if writer.keep(*self.previous[1]):
                log.info("search index unchanged")
                return self.previous
            self.indexing = Indexing(self.records)  # a file of it went missing: index again
        files = self.indexing.files()
        for path, content in files.items():
            writer.add(path, content)
        log.info("search index: %d records, %d files", len(self.records), len(files))
        return self.key, sorted(files)


def start_search(records: list[Record], state: BuildState) -> SearchIndex:
    """Start indexing the records, unless they are those of the last build (its files are kept)."""
    key = hashlib.sha256(repr(records).encode("utf-8", "surrogatepass")).hexdigest()
    previous = state.search
    if previous[0] == key and previous[1]:
        return SearchIndex(key, previous, None, records)
    log.info("search: indexing %d records in another process", len(records))
    return SearchIndex(key, previous, Indexing(records), records)


def keep_chart_files(chart_id: str, writer: SiteWriter, later: bool = False) -> bool:
    """Take an unchanged chart's files from the previous site; False, with none taken, if any is
    missing. later: link them when the writer flushes (after serve has shown the new pages)."""
    paths = [f"charts/{chart_id}.{suffix}" for suffix in CHART_FILES]
    return writer.keep_later(*paths) if later else writer.keep(*paths)


def crawler_files(site: SiteView, page_paths: list[str], config: SiteConfig) -> dict[str, bytes]:
    files = {"robots.txt": robots(config.url), "feed.xml": atom_feed(site, config.url)}
    mapped = sitemap(page_paths, config.url)
    if mapped is not None:
        files["sitemap.xml"] = mapped
    return files


def template_diagnostic(exc: jinja2.TemplateError, templates_dir: Path) -> Diagnostic:
    """A template's mistake as an editor reads it: the file and line, and Jinja's words."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name = exc.filename or str(templates_dir / (exc.name or "?"))
        return Diagnostic(Location(name, exc.lineno), "template-syntax", exc.message or str(exc))
    if isinstance(exc, jinja2.TemplateNotFound):
        return Diagnostic.simple(str(templates_dir / str(exc.name)), "template-missing", "template not found")
    return Diagnostic.simple(str(templates_dir), "template-error", str(exc))


def write_chart_files(chart: Chart, writer: SiteWriter) -> None:
    """A chart's downloads, written as soon as it is rendered, after which its spec and PNG are let go."""
    svg, png, csv, spec = (f"charts/{chart.id}.{suffix}" for suffix in CHART_FILES)
    download = chart.spec.get("usermeta", {}).get("download")
    picture = vega.framed(chart.svg, download["title"], download["source"]) if download else chart.svg
    writer.add(svg, picture.encode("utf-8"))
    writer.add(png, chart.png)
    writer.add(csv, chart.csv_bytes())
    writer.add(spec, chart.spec_json.encode("utf-8"))
    chart.let_go_of_written_parts()


def archive_files(site: SiteView, archives: dict[str, Archive]) -> dict[str, bytes]:
    """Each article's archived text beside its source page, so readers can check quotes."""
    return {
        f"{view.path}{view.source.archive}": archives[view.source.id].raw
        for view in site.sources
        if view.source.id in archives
    }


def dataset_jsonld(dataset: Dataset, config: SiteConfig) -> dict[str, Any]:
    """schema.org Dataset for the data page: the profile's words, and what the data says of itself
    (how many figures and articles, which years) computed from it."""
    base = config.url.rstrip("/")
    profile = dataset.site
    years = sorted({f.year for f in dataset.figures.values()})
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": dataset_title(dataset),
        "description": f"{profile.description} {dataset_summary(dataset)}",
        "license": profile.dataset.licence.url,
        "isAccessibleForFree": True,
        "keywords": list(profile.dataset.keywords),
        "temporalCoverage": f"{years[0]}/{years[-1]}" if years else "",
        "spatialCoverage": {"@type": "Place", "name": profile.place.label},
        "citation": [
            f"{s.publisher}, {s.cited_title} ({s.published})"
            for s in sorted(dataset.sources.values(), key=lambda s: s.id)
        ],
        "distribution": [
            {
                "@type": "DataDownload",
                "encodingFormat": "text/csv",
                "contentUrl": f"{base}/data/figures.csv" if base else "figures.csv",
            },
            {
                "@type": "DataDownload",
                "encodingFormat": "application/json",
                "contentUrl": f"{base}/data/figures.json" if base else "figures.json",
            },
        ],
    }
