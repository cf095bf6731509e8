"""Render: views and charts through Jinja templates into pages {site path: bytes}."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    Environment,
    FileSystemBytecodeCache,
    StrictUndefined,
    select_autoescape,
)
from jinja2.bccache import Bucket
from markupsafe import Markup

from beijing_econ_site.data.formatting import count_of, quoted, year_span
from beijing_econ_site.data.profile import SiteProfile
from beijing_econ_site.data.stories import Story
from beijing_econ_site.environment import check_site_url
from beijing_econ_site.site.cards import Card, card_of
from beijing_econ_site.site.charts import Chart
from beijing_econ_site.site.crawl import corrections_of
from beijing_econ_site.site.markdown import render_markdown, render_markdown_inline, render_story
from beijing_econ_site.site.theme import folder_loader
from beijing_econ_site.site.views import FigureView, Series, SiteView, YearView

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
# Pagefind's search runs in WebAssembly, which a browser compiles only with 'wasm-unsafe-eval'
# (it allows no JavaScript eval): the search page alone has it
SEARCH_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SiteConfig:
    """What every page knows of the site: its profile, and the address it is published at."""

    # absolute URL of the published site, for permalinks and Open Graph; "" for none; None: SITE_URL,
    # else the profile's url
    base_url: str | None = None
    profile: SiteProfile | None = None  # the build fills it in from the data

    def of(self, profile: SiteProfile) -> SiteConfig:
        """This configuration for a site of that profile, its address settled. Raises BadSiteUrl
        for an address that is not an absolute http(s) URL of printable characters."""
        base_url = self.base_url
        if base_url is None:
            from_environment = os.environ.get("SITE_URL")
            base_url = from_environment or profile.url or ""
            check_site_url(from_environment)
        return SiteConfig(base_url, profile)

    @property
    def site(self) -> SiteProfile:
        if self.profile is None:
            raise ValueError("SiteConfig.of(profile) first: the configuration has no profile yet")
        return self.profile

    @property
    def url(self) -> str:
        return self.base_url or ""

    @property
    def title(self) -> str:
        return self.site.title

    @property
    def language(self) -> str:
        return self.site.language


class _ForgivingBytecodeCache(FileSystemBytecodeCache):
    """Jinja's bytecode cache, compiling again from the template when a cached file is damaged
    (cut short by a full disk or a killed build) instead of failing every later build."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception as exc:  # marshal raises EOFError, ValueError or TypeError on bad bytes
            log.warning("template cache %s is damaged (%s): compiling the template again", self.directory, exc)
            bucket.reset()


def make_environment(templates_dir: Path | None, bytecode_dir: Path | None = None) -> Environment:
    """The environment of a site's templates folder over the default theme."""
    return environment_of(folder_loader(templates_dir), bytecode_dir)


def environment_of(loader: BaseLoader, bytecode_dir: Path | None = None) -> Environment:
    """The site's Jinja environment over any loader (a folder's, or templates read from git)."""
    env = Environment(
        loader=loader,
        bytecode_cache=_ForgivingBytecodeCache(str(bytecode_dir)) if bytecode_dir else None,
        auto_reload=True,  # a template edited while `serve` runs is compiled again
        autoescape=select_autoescape(["html", "xml", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = render_markdown
    env.filters["markdown_inline"] = render_markdown_inline
    env.filters["quoted"] = quoted
    env.globals["count"] = count_of
    env.filters["json_script"] = json_for_script
    return env


def json_for_script(data: Any) -> Markup:
    """JSON safe inside <script>: no '</', no '<!--', no U+2028/9 surprises."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=None)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def _relative_root(path: str) -> str:
    depth = path.count("/")
    return "../" * depth if depth else "./"


# a card's headline figure with a comparability note: the page shows the note, the card says it is there
COMPARABILITY_CAVEAT = "It may not be comparable with other periods' figures: see the note"


def _closing(quote: str) -> str:
    """The full stop after a quotation, unless the quotation ends a sentence itself."""
    return "" if quote.strip().endswith((".", "!", "?")) else "."


def citation(view: FigureView, config: SiteConfig) -> dict[str, str]:
    """Short and long citations, in the manner of 'How to cite this data': every source that
    states the value, and the scope when it is not the home place."""
    link = f"{config.url.rstrip('/')}/{view.permalink}" if config.url else f"/{view.permalink}"
    scope = view.scope_note
    statements = view.statements
    short = "; ".join(f"{v.source.publisher}, {v.date_label}{v.citing}" for v in statements) + f", via {config.title}"
    stated_as = " ".join(
        f"{v.source.publisher}. {v.source.quoted_title}. Published {v.published_label}. "
        f"Quoted: {quoted(v.figure.quote)}{_closing(v.figure.quote)}"
        for v in statements
    )
    figure = quoted(f"{view.indicator.label}{scope}, {view.period_label}")
    long = f"{stated_as} In: {config.title}, figure {figure}. {link}"
    return {"short": short, "long": long, "link": link}


@lru_cache(maxsize=8)
def shared_environment(templates_dir: Path | None, bytecode_dir: Path | None) -> Environment:
    """One environment per templates folder for the life of the process.

    Jinja then compiles each template once: `serve` rebuilds without compiling again unless a
    template file changed, and the bytecode cache spares a new process the compiling too.
    """
    if bytecode_dir is not None:
        bytecode_dir.mkdir(parents=True, exist_ok=True)
    return make_environment(templates_dir, bytecode_dir)


class PageRenderer:
    def __init__(
        self,
        templates_dir: Path | None,
        config: SiteConfig,
        bytecode_dir: Path | None = None,
        env: Environment | None = None,
    ):
        """A folder's templates, or those of env when one is given."""
        if env is None:
            own = templates_dir.resolve() if templates_dir is not None else None
            env = shared_environment(own, bytecode_dir.resolve() if bytecode_dir else None)
        self.env = env
        self.config = config

    def page(self, path: str, template: str, root: str | None = None, **context: Any) -> tuple[str, bytes]:
        """Render one page; path is the site path of its directory ('' for the root). root overrides
        the relative way back to the site's root (the 404 page is served at any depth)."""
        job = PageJob(path, template, context, root)
        return job.file_path, b"".join(self.stream(job))

    def stream(self, job: PageJob) -> Iterator[bytes]:
        """A page's bytes in pieces as Jinja makes them, so a large page is never held whole."""
        context = dict(job.context)
        csp = context.pop("csp", CSP)
        stream = self.env.get_template(job.template).generate(
            site=self.config,
            root=job.root,
            page_path=job.path,
            csp=csp,
            cite=lambda view: citation(view, self.config),
            **context,
        )
        return (piece.encode("utf-8") for piece in stream)


@dataclass
class PageJob:
    """A page to make: where it goes, its template and what the template is given. The context
    is all the page may show, so that a digest of it says when the page must be made again."""

    path: str
    template: str
    context: dict[str, Any]
    root_override: str | None = None

    @property
    def file_path(self) -> str:
        return f"{self.path}index.html" if self.path.endswith("/") or not self.path else self.path

    @property
    def root(self) -> str:
        return _relative_root(self.file_path) if self.root_override is None else self.root_override

    def charts(self) -> Iterator[Chart]:
        for value in self.context.values():
            if isinstance(value, Chart):
                yield value
            elif isinstance(value, dict):
                yield from (chart for chart in value.values() if isinstance(chart, Chart))


@dataclass(frozen=True)
class YearLink:
    """A year as the navigation shows it."""

    year: int
    path: str


@dataclass(frozen=True)
class SiteSummary:
    """What the front and data pages say of the whole site: how many figures and sources, and the
    years the home place's figures measure. Computed from the data, never typed into a template."""

    figures: tuple[str, ...]
    sources: tuple[str, ...]
    years_covered: tuple[int, ...] = ()
    in_those_years: int | None = None  # how many figures measure one of those years; None: all

    @property
    def years(self) -> str:
        """'1998–2003', or '2021' for one year."""
        return year_span(list(self.years_covered))

    @property
    def figures_and_articles(self) -> str:
        """'95 figures from 5 articles'."""
        return f"{count_of(len(self.figures), 'figure')} from {count_of(len(self.sources), 'article')}"

    @property
    def summary(self) -> str:
        """One sentence for a description: '95 figures for 1998–2003 from 5 articles.', or, when some
        measure other years (a world figure of 1970), '95 figures from 5 articles, 93 of them for 1998–2003.'"""
        figures, articles = count_of(len(self.figures), "figure"), count_of(len(self.sources), "article")
        if not self.years:
            return f"{figures} from {articles}."
        if self.in_those_years is None or self.in_those_years == len(self.figures):
            return f"{figures} for {self.years} from {articles}."
        return f"{figures} from {articles}, {self.in_those_years} of them for {self.years}."


@dataclass(frozen=True)
class ComparePart:
    """One page of a comparison split by topic."""

    topic: str
    label: str
    path: str
    series: list[Series]
    number: int  # 1 for a topic's first page
    of: int


# a series chart with its table and quotes is about 35 KB (1,040,729 bytes for 30 at 10k, with
# each figure's source line and citations): 25 keep a page under 1 MB
SERIES_PER_PAGE = 25
FIGURES_PER_PAGE = 200  # and a long series has a long table: so many rows at most


def compare_parts(
    series: list[Series], per_page: int = SERIES_PER_PAGE, figures_per_page: int = FIGURES_PER_PAGE
) -> list[ComparePart]:
    """The comparison in pages of at most per_page series and figures_per_page figures, by topic;
    none when it all fits on one page."""
    if len(series) <= per_page and sum(len(s.figures) for s in series) <= figures_per_page:
        return []
    by_topic: dict[str, list[Series]] = {}
    for s in series:
        by_topic.setdefault(s.indicator.topic, []).append(s)
    parts = []
    for topic, members in by_topic.items():
        chunks: list[list[Series]] = [[]]
        for s in members:
            full = (
                len(chunks[-1]) >= per_page
                or sum(len(c.figures) for c in chunks[-1]) + len(s.figures) > figures_per_page
            )
            if chunks[-1] and full:
                chunks.append([])
            chunks[-1].append(s)
        for number, chunk in enumerate(chunks, start=1):
            path = f"compare/{topic}/" + (f"{number}/" if number > 1 else "")
            label = members[0].figures[0].site.topic_label(topic)
            parts.append(ComparePart(topic, label, path, chunk, number, len(chunks)))
    return parts


def series_pages(series: list[Series]) -> dict[str, str]:
    """The comparison page that shows each series."""
    parts = compare_parts(series)
    on_part = {s.key: part.path for part in parts for s in part.series}
    return {s.key: on_part.get(s.key, "compare/") for s in series}


def chart_homes(site: SiteView, charts: dict[str, Chart], parts: list[ComparePart]) -> dict[str, str]:
    """The page (and anchor) where each chart is shown, for the link back from its embed page."""
    homes = {
        charts[g.key].id: f"{t.path or y.path}#{charts[g.key].id}"
        for y in site.years
        for t in y.topics
        for g in t.charts
    }
    compare_path = {s.key: part.path for part in parts for s in part.series}
    homes.update(
        {
            charts[s.key].id: f"{compare_path.get(s.key, 'compare/')}#{charts[s.key].id}"
            for s in site.series
            if s.key in charts
        }
    )
    return homes


@dataclass(frozen=True)
class TopicLink:
    label: str
    path: str


def _topic_pages(
    year: YearView, nav: tuple[YearLink, ...], charts_of: Callable[[list[str]], dict[str, Chart]]
) -> Iterator[PageJob]:
    """A page per topic of a year too large for one page."""
    links = [TopicLink(t.label, t.path) for t in year.topics]
    for index, topic in enumerate(year.topics):
        neighbours = (links[index - 1] if index else None, links[index + 1] if index + 1 < len(links) else None)
        yield PageJob(
            topic.path,
            "year_topic.html",
            {
                "years": nav,
                "year": YearLink(year.year, year.path),
                "topic": topic,
                "charts": charts_of([g.key for g in topic.charts]),
                "neighbours": neighbours,
                "title": f"{topic.label}, {year.year}",
            },
        )


def page_jobs(
    site: SiteView,
    charts: dict[str, Chart],
    dataset_jsonld: dict[str, Any],
    stories: dict[str, Story] | None = None,
    base_url: str = "",
) -> Iterator[PageJob]:
    """Every page to make, each with its share card (cards.py)."""
    site_title = site.site.title
    for job in _page_jobs(site, charts, dataset_jsonld, stories, base_url):
        if job.template == "embed.html":  # an embedded chart is shared with a card of its own figure
            chart = job.context["chart"]
            card = card_of(site_title, str(chart.title), _latest_of(chart, site), chart.caveat)
        elif job.template == "source.html":  # an article: its own title, and who published it when
            view = job.context["source_view"]
            card = Card(site_title, view.source.cited_title, source=f"{view.source.publisher}, {view.published_label}")
        else:
            title = job.context.get("title") or _front_title(site_title, site)
            headline = _headline_of(job)
            caveat = COMPARABILITY_CAVEAT if headline is not None and headline.figure.comparability else ""
            card = card_of(site_title, str(title), headline, caveat)
        job.context["card"] = card
        yield job


def search_examples(site: SiteView) -> list[str]:
    """What the search page suggests trying, taken from the data: the latest year's first
    headline figure's number as the page writes it, and two headline indicators' labels."""
    headlines = [f for year in reversed(site.years) for f in year.headlines]
    if not headlines:
        return []
    number = re.search(r"\d[\d,.]*", headlines[0].display)
    labels = list(dict.fromkeys(f.indicator.label.split(",")[0].lower() for f in headlines))[:2]
    return ([number[0]] if number else []) + labels


def _front_title(site_title: str, site: SiteView) -> str:
    years = year_span([y.year for y in site.years])
    return f"{site_title}, {years}" if years else site_title


def _latest_of(chart: Chart, site: SiteView) -> FigureView | None:
    """The figure an embedded chart's card shows: the chart's latest, its first bar of that period."""
    if chart.inputs:  # the same inputs draw the same figures: serve's rebuilds look each chart's up once
        found = _LATEST.get((chart.id, chart.inputs))
        if found is not None and found in site.figures:
            return site.figures[found]
    drawn = [site.figures[row["id"]] for row in chart.rows if row["id"] in site.figures]
    if not drawn:
        return None
    latest = max(drawn, key=lambda view: view.figure.period_info.sort_key)
    if chart.inputs:
        if len(_LATEST) > 100_000:
            _LATEST.clear()
        _LATEST[(chart.id, chart.inputs)] = latest.id
    return latest


_LATEST: dict[tuple[str, str], str] = {}  # (chart, its inputs' digest) -> the figure its card shows


def _headline_of(job: PageJob) -> FigureView | None:
    """The figure a page's card shows: the page's first headline, or its first figure."""
    context = job.context
    figures: list[FigureView] = []
    if job.template == "year.html":
        figures = context["year"].headlines
    elif job.template == "year_topic.html":
        figures = context["topic"].figures
    elif job.template == "index.html" and context["years"]:
        figures = context["years"][-1].headlines
    elif job.template == "compare.html" and context["series"]:
        figures = context["series"][0].figures[::-1]
    return next((f for f in figures if not f.is_shown_elsewhere), None)


def _story(site: SiteView, stories: dict[str, Story], name: str, path: str) -> Markup:
    found = stories.get(name)
    return render_story(found.text, site.figures, _relative_root(path + "index.html")) if found else Markup("")


def told_stories(site: SiteView, stories: dict[str, Story] | None, site_title: str) -> list[tuple[str, str, Markup]]:
    """Each page's story as its page tells it (page path, page title, rendered story), in the
    order of the pages, for the search index: known before any page is made."""
    stories = stories or {}
    pages = [("overview", "", site_title), ("compare", "compare/", "Across the years")]
    pages += [(str(year.year), year.path, str(year.year)) for year in site.years]
    told = [(path, title, _story(site, stories, name, path)) for name, path, title in pages]
    return [(path, title, story) for path, title, story in told if story]


def _page_jobs(
    site: SiteView,
    charts: dict[str, Chart],
    dataset_jsonld: dict[str, Any],
    stories: dict[str, Story] | None = None,
    base_url: str = "",
) -> Iterator[PageJob]:
    """Every page to make, one at a time. Each is given only what it shows: the navigation is
    the list of years, not the years' figures, so an edit makes again only the pages it touches."""
    stories = stories or {}

    def story(name: str, path: str) -> Markup:
        return _story(site, stories, name, path)

    def charts_of(keys: list[str]) -> dict[str, Chart]:
        return {key: charts[key] for key in keys if key in charts}

    years = site.years
    nav = tuple(YearLink(y.year, y.path) for y in years)  # a tuple: every page's key digests it once
    shown_years = tuple(y.year for y in years)
    # the years are named as a span ('1998–2003'): a figure of a year between two pages is in it
    in_those_years = sum(
        1 for v in site.figures.values() if shown_years and shown_years[0] <= v.figure.year <= shown_years[-1]
    )
    summary = SiteSummary(tuple(site.figures), tuple(s.source.id for s in site.sources), shown_years, in_those_years)
    lead = site.series[:1]
    yield PageJob(
        "",
        "index.html",
        {
            "site_view": summary,
            "facts": summary,
            "lead_series": lead,
            "years": years,
            "charts": charts_of([s.key for s in lead]),
            "title": None,
            "story": story("overview", ""),
        },
    )
    parts = compare_parts(site.series)
    yield PageJob(
        "compare/",
        "compare.html",
        {
            "years": nav,
            "series": [] if parts else site.series,
            "not_compared": site.not_compared,
            "parts": [p for p in parts if p.number == 1],
            "part": None,
            "charts": charts_of([] if parts else [s.key for s in site.series]),
            "title": "Across the years",
            "story": story("compare", "compare/"),
        },
    )
    for part in parts:
        pages = f" (page {part.number} of {part.of})" if part.of > 1 else ""
        yield PageJob(
            part.path,
            "compare.html",
            {
                "years": nav,
                "series": part.series,
                "not_compared": [],
                "parts": [],
                "part": part,
                "charts": charts_of([s.key for s in part.series]),
                "title": f"Across the years: {part.label}{pages}",
                "story": Markup(""),
            },
        )
    yield PageJob("sources/", "sources.html", {"years": nav, "sources": site.sources, "title": "Sources"})
    yield PageJob("data/", "data.html", {"site_view": summary, "years": nav, "jsonld": dataset_jsonld, "title": "Data"})
    for index, year in enumerate(years):
        neighbours = (nav[index - 1] if index else None, nav[index + 1] if index + 1 < len(nav) else None)
        yield PageJob(
            year.path,
            "year.html",
            {
                "years": nav,
                "year": year,
                "charts": {} if year.split else charts_of([g.key for t in year.topics for g in t.charts]),
                "neighbours": neighbours,
                "title": str(year.year),
                "story": story(str(year.year), year.path),
            },
        )
        if year.split:
            yield from _topic_pages(year, nav, charts_of)
    for source in site.sources:
        context = {"years": nav, "source_view": source, "title": source.source.cited_title}
        yield PageJob(source.path, "source.html", context)
    homes = chart_homes(site, charts, parts)
    for chart in charts.values():  # a standalone page per chart, to embed in an article
        sources = "; ".join(dict.fromkeys(str(row["source"]) for row in chart.rows))
        yield PageJob(
            f"embed/{chart.id}/", "embed.html", {"chart": chart, "home": homes.get(chart.id, ""), "sources": sources}
        )
    yield PageJob(
        "corrections/",
        "corrections.html",
        {"years": nav, "corrections": corrections_of(site), "title": "Corrections"},
    )
    yield PageJob(
        "search/",
        "search.html",
        {"years": nav, "title": "Search", "csp": SEARCH_CSP, "examples": search_examples(site)},
    )
    base = base_url.rstrip("/")
    yield PageJob(
        "404.html", "404.html", {"years": nav, "title": "Not found"}, root_override=f"{base}/" if base else "/"
    )
