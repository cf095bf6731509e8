"""Chart rules, as `check` and the build apply them: each rule passes on every chart of the real
data with the fixture articles, and catches the chart code's old mistakes when they come back
(a bar layer left to stack, a fact drawn once per source, a line run across a half-year, two
measures on one axis, a legend that contradicts the page). The rules of time (gaps, breaks, the
time axis, flows of different lengths, open bars) are proved on an article the tests own, in
test_time_charts.py."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from beijing_econ_site.build.renderer import ChartTemplates
from beijing_econ_site.build.run import build_site
from beijing_econ_site.checks.run import check_data
from beijing_econ_site.cli import main
from beijing_econ_site.diagnostics import DataError
from beijing_econ_site.site import charts as chart_module
from beijing_econ_site.site.chart_rules import chart_problems, check_charts
from beijing_econ_site.site.charts import QUALIFIER_MARKS, iter_charts
from beijing_econ_site.site.pages import SiteConfig
from beijing_econ_site.site.views import FigureView, derive
from tests.test_chart_readback import data_with_fixtures

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[Path, dict[str, dict[str, Any]], dict[str, FigureView]]:
    data = data_with_fixtures(tmp_path_factory.mktemp("rules") / "data")
    checked = check_data(data)
    assert not checked.errors
    site = derive(checked.dataset)
    specs = {chart.id: chart.spec for _, chart in iter_charts(site, ChartTemplates())}
    return data, specs, site.figures


def rules(chart: str, spec: dict[str, Any], views: dict[str, FigureView]) -> set[str]:
    return {p.rule for p in chart_problems(chart, spec, views)}


def test_every_chart_of_the_real_data_and_the_fixture_articles_keeps_every_rule(made):
    data, specs, views = made
    assert specs
    assert {name: rules(name, spec, views) for name, spec in specs.items()} == {name: set() for name in specs}
    checked = check_data(data)
    assert check_charts(checked.dataset, checked.locator, ChartTemplates()) == []


def test_bars_left_to_stack_are_a_chart_stacked_error(made):
    _, specs, views = made
    spec = copy.deepcopy(specs["chart-2023-digital-economy-share-percent-2023-share-of-gdp"])
    del spec["layer"][0]["encoding"]["x"]["stack"]  # Vega-Lite's default: bars at one label are summed
    assert rules("c", spec, views) == {"chart-stacked"}


def test_a_fact_drawn_once_per_source_is_a_chart_fact_twice_error(made):
    _, specs, views = made
    spec = copy.deepcopy(specs["chart-digital-share-gdp"])
    marks = spec["datasets"]["figures"]
    [first] = [m for m in marks if m["figure"] == "digital-share-gdp-2023-wire"]  # the earliest source
    marks.append({**first, "figure": "digital-share-gdp-2023", "segment": "apart"})  # drawn again, off the line
    # (the copy is also drawn without its own period's reading: that is chart-period-read-unmarked's)
    [problem] = [p for p in chart_problems("c", spec, views) if p.rule != "chart-period-read-unmarked"]
    assert problem.rule == "chart-fact-twice"
    assert problem.figures == ("digital-share-gdp-2023-wire", "digital-share-gdp-2023")


def test_a_line_through_a_half_year_is_a_chart_unlike_periods_joined_error(made):
    _, specs, views = made
    spec = copy.deepcopy(specs["chart-digital-share-gdp"])
    marks = spec["datasets"]["figures"]
    [year] = [m for m in marks if m["figure"] == "digital-share-gdp-2023-wire"]
    [half] = [m for m in marks if m["figure"] == "digital-share-gdp-2023-h1"]
    half["segment"] = year["segment"]
    [problem] = chart_problems("c", spec, views)
    assert problem.rule == "chart-unlike-periods-joined"
    assert "H1 2023" in problem.message and "digital-share-gdp-2023-h1" in problem.figures


def test_two_measures_on_one_axis_are_a_chart_mixed_measures_error(made):
    _, specs, views = made
    spec = copy.deepcopy(specs["chart-2021-digital-economy-flow-cny-2021-value-added"])
    software = views["software-revenue-2021"]
    first = spec["datasets"]["figures"][0]
    spec["datasets"]["figures"].append(
        {
            **first,
            "figure": software.id,
            "value": float(software.figure.value) / 1e12,
            "display": software.display,
            "qualifier": QUALIFIER_MARKS[software.figure.qualifier][0],
        }
    )
    [problem] = chart_problems("c", spec, views)
    assert problem.rule == "chart-mixed-measures"
    assert "operating revenue" in problem.message and "value added" in problem.message


def test_a_drawn_value_off_its_figure_is_a_chart_value_error(made):
    _, specs, views = made
    spec = copy.deepcopy(specs["chart-2023-digital-economy-share-percent-2023-share-of-gdp"])
    spec["datasets"]["figures"][0]["value"] *= 2  # what a stacked pair of equal bars looks like
    [problem] = chart_problems("c", spec, views)
    assert problem.rule == "chart-value" and "the figure states" in problem.message


def test_a_legend_that_draws_exact_values_open_is_a_chart_legend_error(made):
    _, specs, views = made
    spec = copy.deepcopy(specs["chart-digital-share-gdp"])
    points = [layer for layer in spec["layer"] if "fill" in layer.get("encoding", {})]
    assert points, "the series chart fills its points by qualifier"
    scale = points[0]["encoding"]["fill"]["scale"]
    scale["range"] = ["#ffffff"] * len(scale["range"])
    assert rules("c", spec, views) == {"chart-legend"}


def test_a_conflicting_value_is_drawn_apart_and_named_on_the_chart(made):
    _, specs, _ = made
    marks = specs["chart-digital-share-gdp"]["datasets"]["figures"]
    flagged = [m["figure"] for m in marks if m["flag"]]
    assert flagged == ["digital-share-gdp-2023-review"]
    bars = specs["chart-2023-digital-economy-share-percent-2023-share-of-gdp"]["datasets"]["figures"]
    assert sorted(m["figure"] for m in bars if m["flag"]) == [
        "digital-share-gdp-2023-review",
        "digital-share-gdp-2023-wire",
    ]


def _stacking_bar_template(validate: bool = False) -> str:
    spec = json.loads(chart_module.bar_template(validate))
    del spec["layer"][0]["encoding"]["x"]["stack"]
    return json.dumps(spec)


def test_check_names_the_figures_of_a_chart_that_breaks_a_rule_on_their_yaml_lines(made, monkeypatch, capsys):
    data, _, _ = made
    monkeypatch.setattr("beijing_econ_site.build.renderer.bar_template", _stacking_bar_template)
    monkeypatch.setattr("beijing_econ_site.build.renderer._packaged", dict)  # not the shipped templates
    monkeypatch.setattr("beijing_econ_site.memo._memory", {})  # nor what an earlier check found
    monkeypatch.setattr("beijing_econ_site.build.fingerprint.CACHE_ROOT", data.parent / "no-cache")
    assert main(["check", "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert "error[chart-stacked]: chart chart-2023-digital-economy-share-percent-2023-share-of-gdp:" in err
    assert "figures/" in err and ".yaml:" in err  # on a figure's YAML line
    assert "digital-share-gdp-2023" in err


def test_a_build_whose_chart_breaks_a_rule_fails_and_keeps_the_old_site(made, monkeypatch, tmp_path):
    data, _, _ = made
    out = tmp_path / "_site"
    build_site(data, out, ROOT / "templates", cache_dir=None, config=SiteConfig())
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr("beijing_econ_site.build.renderer.bar_template", _stacking_bar_template)
    monkeypatch.setattr("beijing_econ_site.build.renderer._packaged", dict)  # not the shipped templates
    with pytest.raises(DataError) as failure:
        build_site(data, out, ROOT / "templates", cache_dir=None, config=SiteConfig())
    assert {d.rule for d in failure.value.diagnostics} == {"chart-stacked"}
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_share_of_another_total_on_a_chart_of_shares_of_gdp_is_a_chart_mixed_measures_error(made):
    """Shares share an axis only when they are shares of one thing (their indicators' `measures`)."""
    _, specs, views = made
    [name] = [n for n in specs if n.endswith("-share-of-gdp") and n.startswith("chart-2023-")]
    spec = copy.deepcopy(specs[name])
    other = next(v for v in views.values() if v.indicator.kind.value == "share" and v.indicator.measures != "GDP")
    first = spec["datasets"]["figures"][0]
    spec["datasets"]["figures"].append(
        {
            **first,
            "figure": other.id,
            "fact": other.fact_id,
            "value": float(other.figure.value),
            "display": other.display,
            "qualifier": QUALIFIER_MARKS[other.figure.qualifier][0],
        }
    )
    problems = chart_problems("c", spec, views)
    assert "chart-mixed-measures" in {p.rule for p in problems}
    [mixed] = [p for p in problems if p.rule == "chart-mixed-measures"]
    assert "share of GDP" in mixed.message


def test_a_move_to_another_article_is_marked_on_the_chart_and_unmarked_is_an_error(made):
    _, specs, views = made
    switching = {
        name: [m for m in spec["datasets"].get("breaks", []) if m["kind"] == "source"]
        for name, spec in specs.items()
        if spec["datasets"].get("breaks")
    }
    name, marks = next((n, m) for n, m in switching.items() if m)
    for mark in marks:  # each marks a value whose sources share none with the value before it
        view = views[mark["figure"]]
        assert not view.figure.comparability and mark["note"] == "Another source"
    spec = copy.deepcopy(specs[name])
    spec["datasets"]["breaks"] = [m for m in spec["datasets"]["breaks"] if m["kind"] != "source"]
    assert "chart-source-change-unmarked" in rules("c", spec, views)


def test_a_change_of_source_is_drawn_between_two_values_never_through_one(made):
    _, specs, _ = made
    checked = 0
    for name, spec in specs.items():
        if not spec["datasets"].get("breaks"):
            continue  # a bar chart, or a line with no mark across it
        points = sorted(m["when"] for m in spec["datasets"]["figures"])
        at = {m["figure"]: m["when"] for m in spec["datasets"]["figures"]}
        for rule in spec["datasets"].get("breaks", []):
            if rule["kind"] != "source":
                continue
            before = max(p for p in points if p < at[rule["figure"]])
            assert before < rule["when"] < at[rule["figure"]], (name, rule)
            checked += 1
    assert checked  # the data has a move to another article (the 5G totals, as of two days)
