"""A big site stays readable and light: no bar chart has more bars than a reader can read, a
year with many figures has a page per topic, the comparison is split into pages, and every
figure's permalink leads to the page that shows it."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from beijing_econ_site.build.run import build_site
from beijing_econ_site.checks.run import check_data
from beijing_econ_site.site import pages, views
from beijing_econ_site.site.pages import SiteConfig

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import synthetic  # noqa: E402 - the benchmark's dataset maker

LIMITS = {"MAX_BARS": 2, "YEAR_PAGE_LIMIT": 12}


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> tuple[Path, views.SiteView]:
    """A 600-figure synthetic site built with limits small enough that every split happens."""
    patch = pytest.MonkeyPatch()
    for name, value in LIMITS.items():
        patch.setattr(views, name, value)
    patch.setattr(pages, "SERIES_PER_PAGE", 6)
    patch.setattr(pages, "FIGURES_PER_PAGE", 40)
    patch.setattr(pages.compare_parts, "__defaults__", (6, 40))
    try:
        work = tmp_path_factory.mktemp("big")
        synthetic.write_dataset(synthetic.make_dataset(600), work / "data")
        out = work / "_site"
        build_site(
            work / "data", out, ROOT / "templates", cache_dir=ROOT / ".cache" / "synthetic-site", config=SiteConfig()
        )
        site = views.derive(check_data(work / "data").dataset)
        yield out, site
    finally:
        patch.undo()


def test_no_bar_chart_draws_more_bars_than_the_limit_and_no_fact_is_split(big_site):
    out, site = big_site
    bar_specs = [json.loads(p.read_text()) for p in (out / "charts").glob("chart-[0-9]*.vl.json")]
    assert bar_specs
    counts = [len(next(iter(spec["datasets"].values()))) for spec in bar_specs]
    assert max(counts) <= LIMITS["MAX_BARS"]
    split = [p.name for p in (out / "charts").glob("*-part-2.vl.json")]
    assert split, "some long groups were split"
    for year in site.years:
        for topic in year.topics:
            for group in topic.charts:
                for other in topic.charts:
                    if other is not group:
                        assert not {f.fact_id for f in group.figures} & {f.fact_id for f in other.figures}


def test_a_large_year_has_a_page_per_topic_and_every_permalink_leads_to_its_figure(big_site):
    out, site = big_site
    assert [y.year for y in site.years if y.split] == [y.year for y in site.years if len(y.figures) > 12]
    assert any(y.split for y in site.years)
    for view in site.figures.values():
        page = out / view.home / "index.html"
        assert page.is_file(), view.home
        assert f'id="{view.id}"' in page.read_text(encoding="utf-8"), f"{view.id} is not on {view.home}"
    year = next(y for y in site.years if y.split)
    overview = (out / year.path / "index.html").read_text(encoding="utf-8")
    for topic in year.topics:
        assert f'href="../{topic.path}#topic-{topic.topic}"' in overview


def test_the_comparison_is_split_into_pages_of_a_topic_linked_from_its_index(big_site):
    out, site = big_site
    index = (out / "compare" / "index.html").read_text(encoding="utf-8")
    parts = sorted(p.parent.relative_to(out).as_posix() for p in (out / "compare").glob("*/**/index.html"))
    assert len(parts) > len(site.topics)
    linked = set(re.findall(r'href="\.\./(compare/[^"#]+)"', index))
    assert {p + "/" for p in parts if p.count("/") == 1} <= linked
    for part in parts:
        text = (out / part / "index.html").read_text(encoding="utf-8")
        assert len(re.findall(r'<section class="topic"', text)) <= 6
    shown = "".join((out / p / "index.html").read_text(encoding="utf-8") for p in parts)
    for series in site.series:
        assert f'id="{series.key}"' in shown or f'id="chart-{series.key}"' in shown
