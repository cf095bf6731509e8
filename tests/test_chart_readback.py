"""Charts read back: every drawn value is its fact's value, no fact is drawn twice, no line joins
periods of different lengths, no axis mixes units, and bars never stack.

The real data, plus three short fixture articles (tests/fixtures/facts/) that add a confirming
source (42.9% for 2023, as the work report says), a conflicting one (43.0% for 2023), a half-year
share (H1 2023) and an as-of-date count of 5G base stations. The charts are read from what the
site publishes: each chart's spec (charts/<id>.vl.json), its data (charts/<id>.csv) and its SVG.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from beijing_econ_site.build.run import build_site
from beijing_econ_site.checks.run import check_data
from beijing_econ_site.site.pages import SiteConfig
from beijing_econ_site.site.views import FigureView, derive
from tests.helpers import project_data

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "facts"

SOURCES = {
    "fixture-wire-2024-01-20": ("A wire report on 2023", "Fixture Wire", "2024-01-20"),
    "fixture-daily-2023-08-01": ("A daily's half-year report", "Fixture Daily", "2023-08-01"),
    "fixture-review-2024-03-01": ("A review of 2023", "Fixture Review", "2024-03-01"),
}
FIGURES = {
    "fixture-wire-2024-01-20": [
        (
            "digital-share-gdp-2023-wire",
            "digital-share-gdp",
            42.9,
            "percent",
            "2023",
            "The added value of the digital economy accounted for 42.9% of the city's GDP in 2023",
        )
    ],
    "fixture-daily-2023-08-01": [
        (
            "digital-share-gdp-2023-h1",
            "digital-share-gdp",
            44.5,
            "percent",
            "2023-H1",
            "In the first half of 2023, the digital economy accounted for 44.5% of Beijing's GDP.",
        ),
        (
            "5g-base-stations-total-2023-06-30",
            "5g-base-stations-total",
            76000,
            "count",
            "2023-06-30",
            "As of the end of June, the city had 76,000 5G base stations.",
        ),
    ],
    "fixture-review-2024-03-01": [
        (
            "digital-share-gdp-2023-review",
            "digital-share-gdp",
            43.0,
            "percent",
            "2023",
            "Digital economy value added made up 43.0% of Beijing's GDP in 2023",
        )
    ],
}


def _source_yaml(source_id: str, text: bytes) -> str:
    title, publisher, published = SOURCES[source_id]
    return (
        f"source:\n  id: {source_id}\n  title: {title}\n  publisher: {publisher}\n"
        f'  published: "{published}"\n  language: en\n  archive: {source_id}.txt\n'
        f"  sha256: {hashlib.sha256(text).hexdigest()}\n  notes: A fixture article written for the tests.\n"
    )


def _figures_yaml(source_id: str) -> str:
    lines = ["figures:"]
    for fid, indicator, value, unit, period, quote in FIGURES[source_id]:
        lines += [
            f"  - id: {fid}",
            f"    indicator: {indicator}",
            f"    value: {value}",
            f"    unit: {unit}",
            "    qualifier: exact",
            f'    period: "{period}"',
            "    scope: beijing",
            f"    source: {source_id}",
            f"    quote: {json.dumps(quote)}",
        ]
        if fid.endswith("-review"):
            lines.append("    note: A later review gives 43.0%, where the work report and a wire report give 42.9%.")
    return "\n".join(lines) + "\n"


def data_with_fixtures(target: Path) -> Path:
    shutil.copytree(project_data(), target)
    for source_id in SOURCES:
        text = (FIXTURES / f"{source_id}.txt").read_bytes()
        (target / "sources" / f"{source_id}.txt").write_bytes(text)
        (target / "sources" / f"{source_id}.yaml").write_text(_source_yaml(source_id, text))
        (target / "figures" / f"{source_id}.yaml").write_text(_figures_yaml(source_id))
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict[str, FigureView]]:
    work = tmp_path_factory.mktemp("readback")
    data = data_with_fixtures(work / "data")
    checked = check_data(data)
    assert not checked.errors, [d.format() for d in checked.errors]
    site = work / "_site"
    build_site(data, site, ROOT / "templates", cache_dir=work / ".cache", config=SiteConfig(base_url=""))
    return site, derive(checked.dataset).figures


def charts(site: Path) -> dict[str, dict[str, object]]:
    return {p.name.removesuffix(".vl.json"): json.loads(p.read_text()) for p in sorted(site.glob("charts/*.vl.json"))}


def drawn(spec: dict[str, object]) -> list[dict[str, object]]:
    datasets = spec["datasets"]
    assert isinstance(datasets, dict)
    return list(datasets["figures"])


def rows(site: Path, chart: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((site / "charts" / f"{chart}.csv").read_text())))


def _kind_of(period_label: str) -> str:
    if period_label.startswith("as of"):
        return "date"
    if re.match(r"^(H[12]|Q[1-4]) \d{4}$", period_label):
        return "half-or-quarter"
    if re.match(r"^\d{4}$", period_label):
        return "year"
    return "months"


def test_the_fixtures_make_a_confirmed_fact_a_conflict_a_half_year_and_an_as_of_date(built):
    _, views = built
    assert views["digital-share-gdp-2023-wire"].fact_id == views["digital-share-gdp-2023"].fact_id
    assert "digital-share-gdp-2023-wire" in [v.id for v in views["digital-share-gdp-2023"].confirmed_with]
    assert "digital-share-gdp-2023-review" in [v.id for v in views["digital-share-gdp-2023"].conflicts_with]
    assert views["digital-share-gdp-2023-h1"].figure.period_info.kind == "half"
    assert views["5g-base-stations-total-2023-06-30"].figure.period_info.kind == "date"


def test_every_drawn_value_is_the_value_of_a_figure_the_chart_draws(built):
    site, views = built
    for name, spec in charts(site).items():
        behind = [views[row["id"]] for row in rows(site, name)]
        scales = set()
        for mark in drawn(spec):
            stating = [v for v in behind if v.display == mark["display"]]
            assert stating, f"{name}: {mark['display']} is no figure's value"
            if stating[0].figure.value:
                scales.add(round(float(mark["value"]) / float(stating[0].figure.value), 12))
        assert len(scales) <= 1, f"{name}: the drawn values are not the figures' values on one scale: {scales}"


def test_no_fact_is_drawn_twice_and_no_bar_is_stacked(built):
    site, _ = built
    for name, spec in charts(site).items():
        marks = drawn(spec)
        if name.startswith("chart-20"):  # a year's bar chart: one bar per label, never summed
            assert all(count == 1 for count in Counter(str(m["label"]) for m in marks).values()), name
            x = spec["layer"][0]["encoding"]["x"]  # type: ignore[index]
            assert x.get("stack", "default") is None, f"{name}: bars would stack"
        else:  # a comparison chart: one point per period and value
            seen = Counter((m["period_label"], m["display"]) for m in marks)
            assert all(count == 1 for count in seen.values()), f"{name}: {seen.most_common(1)}"


def _confirmed_by(views: dict[str, FigureView]) -> str:
    """How a row names the sources of the confirmed 42.9%: every source that states it."""
    return f"(confirmed by {len(views['digital-share-gdp-2023'].statements)} sources)"


def test_the_confirmed_2023_share_is_one_bar_naming_every_source(built):
    site, views = built
    spec = charts(site)["chart-2023-digital-economy-share-percent-2023-share-of-gdp"]
    bars = [
        m
        for m in drawn(spec)
        if m["name"] == "Digital economy, share of GDP (Fixture Review)" or "42.9" in str(m["display"])
    ]
    confirmed = [m for m in bars if m["display"] == "42.9%"]
    assert len(confirmed) == 1 and confirmed[0]["value"] == 42.9
    assert _confirmed_by(views) in str(confirmed[0]["source"])
    assert "Fixture Wire" in str(confirmed[0]["source"])


def test_a_charts_data_table_and_csv_have_one_row_per_fact_in_one_spelling(built):
    site, views = built
    for path in sorted(site.glob("charts/*.csv")):
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        drawn_ids = [row["id"] for row in rows]
        assert len(drawn_ids) == len(set(drawn_ids)), path.name
        facts = [views[i].fact_id for i in drawn_ids]
        statements = {(views[i].fact_id, views[i].figure.value) for i in drawn_ids}
        assert len(statements) == len(facts), f"{path.name}: a fact's statement is listed twice"
        for row in rows:
            assert not row["value"].endswith(".0"), f"{path.name}: {row['value']}"
            assert row["qualifier"] in ("exact", "at-least", "at-most", "approximately")  # figures.csv's codes
            assert row["period_inferred"] in ("true", "false")
    confirmed = site / "charts" / "chart-2023-digital-economy-share-percent-2023-share-of-gdp.csv"
    [row] = [r for r in csv.DictReader(io.StringIO(confirmed.read_text("utf-8"))) if r["value"] == "42.9"]
    assert _confirmed_by(views) in row["source"] and "Fixture Wire" in row["source"]


def test_a_line_joins_only_periods_of_one_length(built):
    site, _ = built
    for name, spec in charts(site).items():
        if name.startswith("chart-20"):
            continue
        lines: dict[str, set[str]] = {}
        for mark in drawn(spec):
            lines.setdefault(str(mark["segment"]), set()).add(_kind_of(str(mark["period_label"])))
        assert all(len(kinds) == 1 for kinds in lines.values()), f"{name}: {lines}"


def test_the_digital_share_line_does_not_run_through_the_half_year(built):
    site, _ = built
    marks = drawn(charts(site)["chart-digital-share-gdp"])
    by_period = {(m["period_label"], m["display"]): m["segment"] for m in marks}
    assert by_period[("H1 2023", "44.5%")] != by_period[("2023", "42.9%")]
    assert by_period[("2023", "43%")] not in {v for k, v in by_period.items() if k != ("2023", "43%")}


def test_each_chart_holds_one_measure_one_unit_and_for_counts_and_money_one_thing_measured(built):
    site, views = built
    for name in charts(site):
        behind = [views[r["id"]] for r in rows(site, name)]
        assert len({v.figure.unit for v in behind}) == 1, name
        if behind[0].figure.unit == "count" and len({v.indicator.id for v in behind}) > 1:
            assert len({v.indicator.counts for v in behind}) == 1 and behind[0].indicator.counts, name
        if behind[0].figure.unit in ("CNY", "USD") and len({v.indicator.id for v in behind}) > 1:
            assert len({v.indicator.measures for v in behind}) == 1 and behind[0].indicator.measures, name


def test_software_revenue_is_not_drawn_beside_the_digital_economys_value_added(built):
    site, _ = built
    flows = rows(site, "chart-2021-digital-economy-flow-cny-2021-value-added")
    assert sorted(r["id"] for r in flows) == ["digital-core-value-added-2021", "digital-value-added-2021"]
    assert all(
        "software-revenue-2021" not in {r["id"] for r in rows(site, name)}
        for name in charts(site)
        if name.startswith("chart-20")
    )


def test_every_value_label_in_the_svg_is_a_drawn_value(built):
    site, _ = built
    for name, spec in charts(site).items():
        svg = (site / "charts" / f"{name}.svg").read_text()
        texts = Counter(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
        shown = Counter(
            _bar_text(m) if name.startswith("chart-20") else f"{m['display']}{m['read']}" for m in drawn(spec)
        )
        for display, count in shown.items():
            assert texts[display] >= count, f"{name}: {display!r} drawn {count} times, {texts[display]} in the SVG"


def _bar_text(mark: dict[str, object]) -> str:
    """A bar's label: its value, and after it the conflict when another source states another value,
    then the mark of a period the site reads."""
    stated = f"{mark['display']} ({mark['flag']})" if mark["flag"] else str(mark["display"])
    return f"{stated}{mark['read']}"
