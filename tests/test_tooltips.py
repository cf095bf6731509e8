"""Tooltips from what the page already has: every drawn mark of every chart carries its figure's
words (value as stated, period, qualifier, source) in the inline SVG, on the mark that draws it;
the interactive layer is one small script of our own, and no page ships a chart runtime."""

from __future__ import annotations

import gzip
import html
import itertools
import re
from pathlib import Path

import pytest

from beijing_econ_site.build.run import build_site
from beijing_econ_site.checks.run import check_data
from beijing_econ_site.site.charts import Chart, with_tips
from beijing_econ_site.site.pages import SiteConfig
from beijing_econ_site.site.views import derive
from tests.test_chart_readback import data_with_fixtures

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 15 * 1024  # gzipped JavaScript per page
MARK = re.compile(r'<path class="tip-mark" data-tip="([^"]*)"([^>]*)>')


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, dict[str, object]]:
    work = tmp_path_factory.mktemp("tips")
    data = data_with_fixtures(work / "data")  # a confirming, a conflicting, a half-year and an as-of figure
    out = work / "_site"
    build_site(data, out, ROOT / "templates", cache_dir=work / ".cache", config=SiteConfig())
    return out, derive(check_data(data).dataset).figures


def _marks(svg: str) -> list[tuple[str, str]]:
    return [(html.unescape(tip), rest) for tip, rest in MARK.findall(svg)]


def test_every_drawn_value_has_one_mark_with_its_figures_words(site):
    out, views = site
    import json

    for spec_path in sorted(out.glob("charts/*.vl.json")):
        spec = json.loads(spec_path.read_text())
        svg = spec_path.with_name(spec_path.name.replace(".vl.json", ".svg")).read_text()
        drawn = spec["datasets"]["figures"]
        marks = _marks(svg)
        assert len(marks) == len(drawn), spec_path.name
        for row, (tip, _) in zip(drawn, marks, strict=True):
            view = views[row["figure"]]
            assert f": {view.display} (" in tip and view.period_label in tip, (spec_path.name, tip)
            assert view.source.publisher in tip


def test_each_tip_sits_on_the_mark_that_draws_its_value(site):
    """Bars: widths are in proportion to the values; points: higher values sit higher."""
    out, _views = site
    import json

    for svg_path in sorted(out.glob("charts/*.svg")):
        marks = _marks(svg_path.read_text())
        spec = json.loads(svg_path.with_name(svg_path.name.replace(".svg", ".vl.json")).read_text())
        values = [row["value"] for row in spec["datasets"]["figures"]]  # each tip is its row's: tested above
        if svg_path.name.startswith("chart-20"):  # a year's bar chart
            widths = [float(re.search(r'd="M[\d.-]+,[\d.-]+h([\d.-]+)', rest)[1]) for _, rest in marks]
            ratios = [abs(w) / abs(v) for w, v in zip(widths, values, strict=True) if v]
            assert max(ratios) <= 1.01 * min(ratios), (svg_path.name, ratios)
        else:
            heights = [float(re.search(r"translate\([\d.]+,([\d.]+)\)", rest)[1]) for _, rest in marks]
            ordered = sorted(zip(values, heights, strict=True))
            if "rank" not in svg_path.name:
                assert all(a[1] >= b[1] for a, b in itertools.pairwise(ordered) if a[0] < b[0]), svg_path.name


def test_a_chart_whose_marks_do_not_match_its_values_fails_instead_of_mislabelling(site):
    chart = Chart("c", "t", "d", {}, [], tips=["one", "two"])
    body = '<g class="mark-rect role-mark layer_0_marks" aria-hidden="true"><path d="M0,0h1v1h-1Z"/></g>'
    with pytest.raises(ValueError, match="1 marks drawn for 2 values"):
        with_tips(body, chart)


def test_no_page_ships_more_than_15_kb_of_script_nor_a_chart_runtime(site):
    out, _ = site
    for page in sorted(out.rglob("*.html")):
        text = page.read_text()
        scripts = re.findall(r'<script src="([^"]+)"', text)
        files = [out / src.lstrip("/") if src.startswith("/") else (page.parent / src).resolve() for src in scripts]
        size = sum(len(gzip.compress(path.read_bytes())) for path in files)
        assert size <= BUDGET, (page, size)
        assert not any("vega" in src for src in scripts)
    assert not (out / "assets" / "vega.js").exists()
    assert "fetch(" not in (out / "assets" / "enhance.js").read_text(), "the tooltips fetch nothing"
