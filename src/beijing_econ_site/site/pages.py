"""Render: views and charts through Jinja templates into pages {site path: bytes}."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket
from markupsafe import Markup

from beijing_econ_site.data.stories import Story
from beijing_econ_site.site.charts import Chart
from beijing_econ_site.site.crawl import corrections_of
from beijing_econ_site.site.markdown import render_markdown, render_markdown_inline, render_story
from beijing_econ_site.site.views import SITE_TITLE, FigureView, SiteView, topic_label

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SiteConfig:
    title: str = SITE_TITLE
    base_url: str = ""  # absolute URL of the published site, for permalinks and Open Graph; may be empty
    language: str = "en"


class _ForgivingBytecodeCache(FileSystemBytecodeCache):
    """Jinja's bytecode cache, compiling again from the template when a cached file is damaged
    (cut short by a full disk or a killed build) instead of failing every later build."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception as exc:  # marshal raises EOFError, ValueError or TypeError on bad bytes
            log.warning("template cache %s is damaged (%s): compiling the template again", self.directory, exc)
            bucket.reset()


def make_environment(templates_dir: Path, bytecode_dir: Path | None = None) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
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
    env.filters["topic_label"] = topic_label
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


def citation(view: FigureView, config: SiteConfig) -> dict[str, str]:
    """Short and long citations, in the manner of 'How to cite this data': every source that
    states the value, and the scope when it is not Beijing."""
    link = f"{config.base_url.rstrip('/')}/{view.permalink}" if config.base_url else f"/{view.permalink}"
    scope = "" if view.figure.scope.value == "beijing" else f" ({view.scope_label})"
    statements = view.statements
    short = "; ".join(f"{v.source.publisher} ({v.published_label})" for v in statements) + f", via {config.title}"
    quoted = " ".join(
        f"{v.source.publisher}. “{v.source.title}”. Published {v.published_label}. Quoted: “{v.figure.quote.strip()}”."
        for v in statements
    )
    long = f"{quoted} In: {config.title}, figure “{view.indicator.label}{scope}, {view.period_label}”. {link}"
    return {"short": short, "long": long, "link": link}


@lru_cache(maxsize=8)
def shared_environment(templates_dir: Path, bytecode_dir: Path | None) -> Environment:
    """One environment per templates folder for the life of the process.

    Jinja then compiles each template once: `serve` rebuilds without compiling again unless a
    template file changed, and the bytecode cache spares a new process the compiling too.
    """
    if bytecode_dir is not None:
        bytecode_dir.mkdir(parents=True, exist_ok=True)
    return make_environment(templates_dir, bytecode_dir)


class PageRenderer:
    def __init__(self, templates_dir: Path, config: SiteConfig, bytecode_dir: Path | None = None):
        self.env = shared_environment(templates_dir.resolve(), bytecode_dir.resolve() if bytecode_dir else None)
        self.config = config

    def page(self, path: str, template: str, root: str | None = None, **context: Any) -> tuple[str, bytes]:
        """Render one page; path is the site path of its directory ('' for the root). root overrides
        the relative way back to the site's root (the 404 page is served at any depth)."""
        file_path = f"{path}index.html" if path.endswith("/") or not path else path
        root = _relative_root(file_path) if root is None else root
        html = self.env.get_template(template).render(
            site=self.config,
            root=root,
            page_path=path,
            csp=CSP,
            cite=lambda view: citation(view, self.config),
            **context,
        )
        return file_path, html.encode("utf-8")


def render_pages(
    site: SiteView,
    charts: dict[str, Chart],
    renderer: PageRenderer,
    dataset_jsonld: dict[str, Any],
    stories: dict[str, Story] | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Every page as (site path, bytes), one at a time, so each can be written before the next is made."""
    stories = stories or {}

    def story(name: str, path: str) -> Markup:
        found = stories.get(name)
        return render_story(found.text, site.figures, _relative_root(path + "index.html")) if found else Markup("")

    years = site.years
    yield renderer.page(
        "", "index.html", site_view=site, years=years, charts=charts, title=None, story=story("overview", "")
    )
    yield renderer.page(
        "compare/",
        "compare.html",
        site_view=site,
        years=years,
        series=site.series,
        charts=charts,
        title="Across the years",
        story=story("compare", "compare/"),
    )
    yield renderer.page("sources/", "sources.html", site_view=site, years=years, sources=site.sources, title="Sources")
    yield renderer.page("data/", "data.html", site_view=site, years=years, jsonld=dataset_jsonld, title="Data")
    for index, year in enumerate(years):
        neighbours = (years[index - 1] if index else None, years[index + 1] if index + 1 < len(years) else None)
        yield renderer.page(
            year.path,
            "year.html",
            site_view=site,
            years=years,
            year=year,
            charts=charts,
            neighbours=neighbours,
            title=str(year.year),
            story=story(str(year.year), year.path),
        )
    for source in site.sources:
        yield renderer.page(
            source.path, "source.html", site_view=site, years=years, source_view=source, title=source.source.title
        )
    homes = {charts[g.key].id: f"{y.path}#{charts[g.key].id}" for y in years for t in y.topics for g in t.charts}
    homes.update({charts[s.key].id: f"compare/#{charts[s.key].id}" for s in site.series if s.key in charts})
    for chart in charts.values():  # a standalone page per chart, to embed in an article
        sources = "; ".join(dict.fromkeys(str(row["source"]) for row in chart.rows))
        yield renderer.page(
            f"embed/{chart.id}/", "embed.html", chart=chart, home=homes.get(chart.id, ""), sources=sources
        )
    yield renderer.page(
        "corrections/",
        "corrections.html",
        site_view=site,
        years=years,
        corrections=corrections_of(site),
        title="Corrections",
    )
    base = renderer.config.base_url.rstrip("/")
    yield renderer.page(
        "404.html", "404.html", root=f"{base}/" if base else "/", site_view=site, years=years, title="Not found"
    )
