"""Charts with time drawn as time, on an article the tests own (tests/fixtures/timeline/):
export growth over years with a gap and a change of measure stated by a half-year figure, a flow
over years and over half-years, charging points as of three dates, and shares stated as bounds.

Each rule is proved on what the site publishes (each chart's spec, and its SVG read back), then
attacked: the chart code's old mistakes put back into a spec are caught by the chart rules."""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from beijing_econ_site.build.run import build_site
from beijing_econ_site.checks.run import check_data
from beijing_econ_site.site.chart_rules import chart_problems
from beijing_econ_site.site.charts import time_of
from beijing_econ_site.site.pages import SiteConfig
from beijing_econ_site.site.views import FigureView, derive
from tests.helpers import PROFILE, sha256, write_tree

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "timeline"
SOURCE = "timeline-news-2024-09-01"


def timeline_files() -> dict[str, str | bytes]:
    article = (FIXTURE / f"{SOURCE}.txt").read_text(encoding="utf-8")
    source = (
        f"source:\n  id: {SOURCE}\n  title: Ten years of a city's trade, parcels and chargers\n"
        f'  publisher: Timeline News\n  published: "2024-09-01"\n  language: en\n'
        f"  archive: {SOURCE}.txt\n  sha256: {sha256(article)}\n"
        "  omitted:\n    - quote: Ten years of a city's trade\n      reason: The headline's span, not a figure.\n"
    )
    return {
        "data/site.yaml": PROFILE,
        f"data/sources/{SOURCE}.txt": article,
        f"data/sources/{SOURCE}.yaml": source,
        "data/indicators/timeline.yaml": (FIXTURE / "indicators.yaml").read_text(encoding="utf-8"),
        f"data/figures/{SOURCE}.yaml": (FIXTURE / "figures.yaml").read_text(encoding="utf-8"),
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, dict[str, FigureView]]:
    root = write_tree(tmp_path_factory.mktemp("timeline"), timeline_files())
    checked = check_data(root / "data")
    assert not checked.errors, [d.format() for d in checked.errors]
    build_site(root / "data", root / "_site", root / "templates", config=SiteConfig(base_url=""))
    return root / "_site", derive(checked.dataset).figures


def spec_of(site: Path, chart: str) -> dict[str, Any]:
    return json.loads((site / "charts" / f"{chart}.vl.json").read_text(encoding="utf-8"))


def marks(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["figure"]: m for m in spec["datasets"]["figures"]}


def lines(spec: dict[str, Any]) -> list[list[str]]:
    """The figures each drawn line joins, in time order (a line of one point draws nothing)."""
    joined: dict[str, list[str]] = {}
    for mark in sorted(spec["datasets"]["figures"], key=lambda m: m["when"]):
        joined.setdefault(mark["segment"], []).append(mark["figure"])
    return sorted(joined.values())


def rules(spec: dict[str, Any], views: dict[str, FigureView]) -> set[str]:
    return {p.rule for p in chart_problems("c", spec, views)}


def test_every_chart_of_the_timeline_keeps_every_rule(site):
    path, views = site
    specs = {p.name.removesuffix(".vl.json"): json.loads(p.read_text()) for p in path.glob("charts/*.vl.json")}
    assert specs
    assert {name: rules(spec, views) for name, spec in specs.items()} == {name: set() for name in specs}


def test_each_value_sits_at_the_middle_of_its_period_on_a_time_scale(site):
    path, _ = site
    spec = spec_of(path, "chart-charging-points")
    at = {k: m["when"] for k, m in marks(spec).items()}
    assert at["charging-points-2020-06-30"] == time_of(date(2020, 6, 30))
    assert at["charging-points-2023-08-05"] == time_of(date(2023, 8, 5))
    growth = marks(spec_of(path, "chart-export-growth"))
    assert growth["export-growth-2019"]["when"] == time_of(date(2019, 7, 2))
    assert growth["export-growth-2022-h1"]["when"] == time_of(date(2022, 4, 1))


def _points(svg: str) -> list[float]:
    """The x of each point Vega drew, in the order of the data."""
    group = re.search(r'<g class="mark-symbol role-mark layer_\d+_marks"[^>]*>(.*?)</g>', svg, re.S)
    assert group is not None
    return [float(x) for x in re.findall(r'transform="translate\(([-\d.]+),', group[1])]


def test_the_drawn_distance_between_dates_is_the_distance_in_the_calendar(site):
    path, _ = site
    page = (path / "compare" / "index.html").read_text(encoding="utf-8")
    svg = page[page.index('id="chart-charging-points-title"') :]
    first, second, third, _now = _points(svg)
    days = [(date(2020, 12, 31) - date(2020, 6, 30)).days, (date(2023, 8, 5) - date(2020, 12, 31)).days]
    assert (second - first) / (third - second) == pytest.approx(days[0] / days[1], rel=0.02)


def test_a_gap_in_the_years_is_drawn_as_a_gap_and_a_break_stated_by_a_half_year_cuts_the_years_line(site):
    path, _ = site
    spec = spec_of(path, "chart-export-growth")
    assert lines(spec) == [
        ["export-growth-2017"],  # 2018 is missing: no line to 2019
        ["export-growth-2019", "export-growth-2020", "export-growth-2021"],
        ["export-growth-2022"],  # the new method, stated by H1 2022's figure, starts in 2022
        ["export-growth-2022-h1"],
    ]
    [rule] = spec["datasets"]["breaks"]
    assert rule["when"] == time_of(date(2022, 1, 1)) and rule["figure"] == "export-growth-2022-h1"
    description = spec_description(path, "chart-export-growth")
    assert "between 2017 and 2019" in description and "the measure may differ, before H1 2022" in description


def spec_description(path: Path, chart: str) -> str:
    page = (path / "compare" / "index.html").read_text(encoding="utf-8")
    found = re.search(rf'<desc id="{chart}-desc">(.*?)</desc>', page, re.S)
    assert found is not None
    return found[1]


def test_a_flow_over_half_years_is_a_chart_apart_from_the_same_flow_over_years(site):
    path, _ = site
    years = marks(spec_of(path, "chart-parcels-handled"))
    halves = marks(spec_of(path, "chart-parcels-handled-half"))
    assert set(years) == {"parcels-handled-2021", "parcels-handled-2022"}
    assert set(halves) == {"parcels-handled-2023-h1", "parcels-handled-2024-h1"}
    assert lines(spec_of(path, "chart-parcels-handled-half")) == [
        ["parcels-handled-2023-h1", "parcels-handled-2024-h1"]
    ]
    page = (path / "compare" / "index.html").read_text(encoding="utf-8")
    assert "Parcels handled, half-years" in page


def test_as_of_dates_a_year_apart_are_joined_and_years_apart_are_not(site):
    path, _ = site
    assert lines(spec_of(path, "chart-charging-points")) == [
        ["charging-points-2020-06-30", "charging-points-2020-12-31"],
        ["charging-points-2023-08-05"],
        ["charging-points-2024-09-01"],
    ]


def test_a_bound_is_an_open_bar_and_an_exact_value_a_solid_one(site):
    path, _ = site
    [name] = [p.name.removesuffix(".vl.json") for p in path.glob("charts/chart-2023-*share*.vl.json")]
    spec = spec_of(path, name)
    [bars] = [layer for layer in spec["layer"] if layer["mark"]["type"] == "bar"]
    fills = dict(
        zip(bars["encoding"]["fill"]["scale"]["domain"], bars["encoding"]["fill"]["scale"]["range"], strict=True)
    )
    drawn = marks(spec)
    assert fills[drawn["services-share-gdp-2023"]["qualifier"]] == "#ffffff"
    assert fills[drawn["industry-share-gdp-2023"]["qualifier"]] == "#ffffff"
    assert fills[drawn["farming-share-gdp-2023"]["qualifier"]] != "#ffffff"
    page = (path / "2023" / "index.html").read_text(encoding="utf-8")
    svg = page[page.index(f'id="{name}-title"') :]
    rects = re.search(r'<g class="mark-rect role-mark layer_\d+_marks"[^>]*>(.*?)</g>', svg, re.S)
    assert rects is not None
    assert sorted(re.findall(r'fill="(#[0-9a-fA-F]+)"', rects[1])).count("#ffffff") == 2
    assert "Value stated as" in svg


def test_a_number_the_site_doubts_is_shown_with_its_doubt_and_never_drawn(site):
    path, _ = site
    for spec_path in path.glob("charts/*.vl.json"):
        assert "construction-share-gdp-2023" not in marks(json.loads(spec_path.read_text()))
    [name] = [p.name.removesuffix(".vl.json") for p in path.glob("charts/chart-2023-*share*.vl.json")]
    assert set(marks(spec_of(path, name))) == {
        "services-share-gdp-2023",
        "industry-share-gdp-2023",
        "farming-share-gdp-2023",
        "mining-share-gdp-2023",
    }
    page = (path / "2023" / "index.html").read_text(encoding="utf-8")
    row = page[page.index('id="construction-share-gdp-2023"') :]
    row = row[: row.index("</tr>")]
    assert '<span class="tag doubt">doubtful</span>' in row
    assert "The site doubts this number:" in row and "cannot be a part of the same GDP" in row
    assert "construction-share-gdp-2023" not in page[: page.index("<main")] + page[page.index("</main>") :]
    exported = json.loads((path / "data" / "figures.json").read_text(encoding="utf-8"))
    [doubtful] = [r for r in exported if r["id"] == "construction-share-gdp-2023"]
    assert doubtful["doubt"].startswith("The article prints 70%")
    assert all(r["doubt"] == "" for r in exported if r["id"] != "construction-share-gdp-2023")


def test_a_doubtful_number_drawn_on_a_chart_is_a_chart_doubtful_drawn_error(site):
    path, views = site
    [name] = [p.name.removesuffix(".vl.json") for p in path.glob("charts/chart-2023-*share*.vl.json")]
    spec = copy.deepcopy(spec_of(path, name))
    doubtful = views["construction-share-gdp-2023"]
    spec["datasets"]["figures"].append(
        {**spec["datasets"]["figures"][0], "figure": doubtful.id, "fact": doubtful.fact_id, "value": 70}
    )
    assert "chart-doubtful-drawn" in rules(spec, views)


def test_a_doubtful_number_is_never_a_headline(tmp_path):
    files = timeline_files()
    figures = str(files[f"data/figures/{SOURCE}.yaml"])
    files[f"data/figures/{SOURCE}.yaml"] = figures.replace(
        "    doubt: |\n      The article prints 70%", "    headline: true\n    doubt: |\n      The article prints 70%"
    )
    checked = check_data(write_tree(tmp_path, files) / "data")
    assert "cannot be a headline figure" in " ".join(d.format() for d in checked.errors)


def test_a_story_that_names_a_doubtful_number_says_the_site_doubts_it(tmp_path):
    files = timeline_files()
    files["data/stories/2023.md"] = "Construction stood at {{fig:construction-share-gdp-2023}} of GDP.\n"
    root = write_tree(tmp_path, files)
    build_site(root / "data", root / "_site", root / "templates", config=SiteConfig(base_url=""))
    page = (root / "_site" / "2023" / "index.html").read_text(encoding="utf-8")
    assert "70% (a number the site doubts)" in re.sub(r"<[^>]+>", "", page)


def test_a_change_from_a_doubtful_number_is_a_change_of_doubtful_error(tmp_path):
    files = timeline_files()
    files["data/stories/2023.md"] = (
        "Construction stood at {{fig:construction-share-gdp-2023}}, and the change is "
        "{{change:services-share-gdp-2023:construction-share-gdp-2023}}.\n"
    )
    checked = check_data(write_tree(tmp_path, files) / "data")
    assert {d.rule for d in checked.errors} == {"change-of-doubtful"}


def _svg_of(path: Path, page: str, chart: str) -> str:
    html = (path / page / "index.html").read_text(encoding="utf-8")
    start = html.rindex("<svg", 0, html.index(f'id="{chart}-title"'))
    return html[start : html.index("</svg>", start)]


def test_a_value_whose_period_the_site_reads_is_marked_on_the_chart_and_the_footnote_says_why(site):
    path, _ = site
    # a date read from the article's own date, on a line of dates the article states
    series = spec_of(path, "chart-charging-points")
    assert {m["figure"]: m["read"] for m in series["datasets"]["figures"]} == {
        "charging-points-2020-06-30": "",
        "charging-points-2020-12-31": "",
        "charging-points-2023-08-05": "",
        "charging-points-2024-09-01": " *",
    }
    svg = _svg_of(path, "compare", "chart-charging-points")
    assert ">52,000 *</text>" in svg and ">40,000</text>" in svg
    assert ">* The period is the site's reading: the article does not state it</text>" in svg
    assert "as of 1 Sep 2024 (probably): 52,000" in spec_description(path, "chart-charging-points")
    # a year read from "last year", among bars whose year is stated: the bar is marked, the title is not
    [name] = [p.name.removesuffix(".vl.json") for p in path.glob("charts/chart-2023-*share*.vl.json")]
    bars = spec_of(path, name)
    assert {m["figure"] for m in bars["datasets"]["figures"] if m["read"]} == {"mining-share-gdp-2023"}
    bar_svg = _svg_of(path, "2023", name)
    assert ">2% *</text>" in bar_svg
    title = re.search(rf'<title id="{name}-title">(.*?)</title>', bar_svg)
    assert title is not None and "probably" not in title[1]


def test_a_bar_chart_whose_every_period_is_read_says_so_in_its_title_and_marks_no_bar(tmp_path):
    files = timeline_files()
    figures = str(files[f"data/figures/{SOURCE}.yaml"])
    for shared in ("services-share-gdp-2023", "industry-share-gdp-2023", "farming-share-gdp-2023"):
        figures = figures.replace(
            f"  - id: {shared}\n", f"  - id: {shared}\n    period_inferred: true\n    note: Read.\n"
        )
    files[f"data/figures/{SOURCE}.yaml"] = figures
    root = write_tree(tmp_path, files)
    build_site(root / "data", root / "_site", root / "templates", config=SiteConfig(base_url=""))
    [spec_path] = list((root / "_site" / "charts").glob("chart-2023-*share*.vl.json"))
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    assert all(m["read"] == "" for m in spec["datasets"]["figures"]) and "title" not in spec
    page = (root / "_site" / "2023" / "index.html").read_text(encoding="utf-8")
    assert f'<title id="{spec_path.name.removesuffix(".vl.json")}-title">Shares of GDP, 2023 (probably)</title>' in page


def test_a_read_period_drawn_plain_or_a_stated_one_marked_is_a_chart_period_read_unmarked_error(site):
    path, views = site
    spec = copy.deepcopy(spec_of(path, "chart-charging-points"))
    marks(spec)["charging-points-2024-09-01"]["read"] = ""
    assert rules(spec, views) == {"chart-period-read-unmarked"}
    spec = copy.deepcopy(spec_of(path, "chart-charging-points"))
    del spec["title"]
    assert rules(spec, views) == {"chart-period-read-unmarked"}
    spec = copy.deepcopy(spec_of(path, "chart-charging-points"))
    marks(spec)["charging-points-2023-08-05"]["read"] = " *"
    assert rules(spec, views) == {"chart-period-read-unmarked"}
    spec = copy.deepcopy(spec_of(path, "chart-charging-points"))
    for layer in spec["layer"]:
        for step in layer.get("transform", []):
            if "calculate" in step:
                step["calculate"] = "datum.display"
    assert rules(spec, views) == {"chart-period-read-unmarked"}


# The chart code's old mistakes, put back into a published spec, are caught.


def test_a_line_run_across_the_gap_is_a_chart_gap_joined_error(site):
    path, views = site
    spec = copy.deepcopy(spec_of(path, "chart-export-growth"))
    marks(spec)["export-growth-2017"]["segment"] = marks(spec)["export-growth-2019"]["segment"]
    assert rules(spec, views) == {"chart-gap-joined"}


def test_a_line_run_across_a_break_another_length_states_is_a_chart_break_joined_error(site):
    path, views = site
    spec = copy.deepcopy(spec_of(path, "chart-export-growth"))
    marks(spec)["export-growth-2022"]["segment"] = marks(spec)["export-growth-2021"]["segment"]
    assert rules(spec, views) == {"chart-break-joined"}


def test_periods_drawn_as_a_list_are_a_chart_time_axis_error(site):
    path, views = site
    spec = copy.deepcopy(spec_of(path, "chart-charging-points"))
    for layer in spec["layer"]:
        x = layer.get("encoding", {}).get("x")
        if x:
            layer["encoding"]["x"] = {"field": "period_label", "type": "ordinal", "sort": None}
    assert rules(spec, views) == {"chart-time-axis"}
    spec = copy.deepcopy(spec_of(path, "chart-charging-points"))
    marks(spec)["charging-points-2023-08-05"]["when"] = time_of(date(2021, 6, 30))  # equally spaced
    assert rules(spec, views) == {"chart-time-axis"}


def test_a_change_of_measure_left_unmarked_is_a_chart_break_unmarked_error(site):
    path, views = site
    spec = copy.deepcopy(spec_of(path, "chart-export-growth"))
    spec["datasets"]["breaks"] = []
    assert rules(spec, views) == {"chart-break-unmarked"}


def test_a_half_year_flow_drawn_beside_years_is_a_chart_flow_lengths_mixed_error(site):
    path, views = site
    spec = copy.deepcopy(spec_of(path, "chart-parcels-handled"))
    half = views["parcels-handled-2023-h1"]
    spec["datasets"]["figures"].append(
        {
            **marks(spec)["parcels-handled-2022"],
            "figure": half.id,
            "value": 500000000 / float(spec["usermeta"]["scale"]),
            "display": half.display,
            "when": time_of(half.figure.period_info.centre),
            "segment": "half-0",
        }
    )
    assert rules(spec, views) == {"chart-flow-lengths-mixed"}


def test_a_bound_drawn_as_a_solid_bar_is_a_chart_open_bars_error(site):
    path, views = site
    [name] = [p.name.removesuffix(".vl.json") for p in path.glob("charts/chart-2023-*share*.vl.json")]
    spec = copy.deepcopy(spec_of(path, name))
    [bars] = [layer for layer in spec["layer"] if layer["mark"]["type"] == "bar"]
    bars["encoding"]["fill"]["scale"]["range"] = ["#0072B2"] * len(bars["encoding"]["fill"]["scale"]["range"])
    assert "chart-open-bars" in rules(spec, views)
    spec = copy.deepcopy(spec_of(path, name))
    [bars] = [layer for layer in spec["layer"] if layer["mark"]["type"] == "bar"]
    bars["encoding"]["fill"] = {"value": "#0072B2"}
    assert rules(spec, views) == {"chart-open-bars"}


@pytest.mark.parametrize(
    ("earlier", "later", "joined"),
    [
        ("2020", "2021", True),
        ("2020", "2022", False),  # 2021 missing: a gap
        ("2023-H1", "2023-H2", True),
        ("2023-H2", "2024-H1", True),
        ("2023-H1", "2024-H1", True),  # like periods, year on year
        ("2023-Q1", "2023-Q3", False),
        ("2021-01..2021-02", "2022-01..2022-02", True),
        ("2020-06-30", "2020-12-31", True),  # levels at most a year apart
        ("2020-06-30", "2023-08-05", False),
        ("2022", "2022-H1", False),  # unlike lengths are never joined
    ],
)
def test_a_line_joins_periods_that_follow_one_another(earlier, later, joined):
    from beijing_econ_site.data.periods import follows, parse_period

    assert follows(parse_period(earlier), parse_period(later)) is joined
