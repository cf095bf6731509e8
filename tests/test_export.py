"""Exports: figures.json, figures.csv and a datapackage that frictionless accepts."""

from __future__ import annotations

import csv
import io
import json

import pytest

from beijing_econ_site.site.export import EXPORT_COLUMNS, export_files
from tests.helpers import ROOT, run_check


def test_json_and_csv_hold_the_same_rows_with_the_agreed_keys(project):
    files = export_files(run_check(project).dataset)
    rows = json.loads(files["data/figures.json"])
    assert [list(row) for row in rows] == [EXPORT_COLUMNS] * len(rows)
    table = list(csv.DictReader(io.StringIO(files["data/figures.csv"].decode())))
    assert [r["id"] for r in table] == [r["id"] for r in rows]
    by_id = {r["id"]: r for r in rows}
    gdp = by_id["gdp-growth-2020-h1"]
    assert (gdp["value"], gdp["unit"], gdp["period"], gdp["year"], gdp["source"]) == (
        -3.2,
        "percent",
        "2020-H1",
        2020,
        "sample-news",
    )
    assert by_id["digital-value-added-2021"]["value"] == 1600000000000
    assert {r["id"]: r["value"] for r in table}["digital-value-added-2021"] == "1600000000000"


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(make_project):
    from tests.helpers import FIGURES

    figures = FIGURES.replace(
        "note: Percentage points, though the article writes %.", "note: '=HYPERLINK(\"http://x\")'"
    )
    files = export_files(run_check(make_project(**{"data/figures/sample-news.yaml": figures})).dataset)
    table = list(csv.DictReader(io.StringIO(files["data/figures.csv"].decode())))
    assert {r["id"]: r["note"] for r in table}["gdp-growth-change-2020-h1"] == '\'=HYPERLINK("http://x")'
    assert {r["id"]: r["value"] for r in table}["gdp-growth-2020-h1"] == "-3.2"


def test_the_datapackage_is_valid_for_frictionless(project, tmp_path):
    frictionless = __import__("pytest").importorskip("frictionless")
    files = export_files(run_check(project).dataset)
    folder = tmp_path / "out"
    folder.mkdir()
    for name in ("figures.csv", "datapackage.json"):
        (folder / name).write_bytes(files[f"data/{name}"])
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])


FORMULAS = [
    '=HYPERLINK("http://example.org/x","click")',
    "@SUM(1+1)",
    "+1+1",
    "- 1+1",
    " =1+1",
    "\u00a0=1+1",
    "\uff1d1+1",
    "\t=1+1",
    "\u2212 1+1",
]


def test_every_csv_the_site_publishes_is_safe_to_open_in_a_spreadsheet(tmp_path):
    import json as json_module

    from beijing_econ_site.build.run import build_site
    from beijing_econ_site.site.spreadsheet import could_run
    from tests.helpers import FIGURES, INDICATORS, dataset_files, write_tree

    def quoted(text: str) -> str:
        return json_module.dumps(text, ensure_ascii=False)

    indicators, figures = INDICATORS, FIGURES
    labels = ["Digital economy, share of GDP", "Digital economy, value added", "GDP growth"]
    for label, formula in zip(labels, FORMULAS, strict=False):
        indicators = indicators.replace(f"label: {label}\n", f"label: {quoted(formula + label)}\n", 1)
    figures = figures.replace("note: Percentage points, though the article writes %.", f"note: {quoted(FORMULAS[3])}")
    files = dataset_files(**{"data/indicators/all.yaml": indicators, "data/figures/sample-news.yaml": figures})
    files["data/sources/sample-news.yaml"] = files["data/sources/sample-news.yaml"].replace(
        "title: Sample article", f"title: {quoted(FORMULAS[4] + 'Sample article')}"
    )
    root = write_tree(tmp_path, files)
    site = tmp_path / "_site"
    build_site(root / "data", site, ROOT / "templates", cache_dir=None)
    tables = sorted(site.rglob("*.csv"))
    assert len(tables) >= 3  # figures.csv and each chart's data
    cells = [cell for table in tables for row in csv.reader(io.StringIO(table.read_text("utf-8"))) for cell in row]
    assert [cell for cell in cells if could_run(cell)] == []
    assert sum(cell.startswith("'") for cell in cells) >= 4, "the planted formulas were not in the CSVs"
    assert "-3.2" in cells  # a negative number stays a number


@pytest.mark.parametrize("formula", FORMULAS)
def test_each_formula_form_is_defused_and_numbers_are_left_alone(formula):
    from beijing_econ_site.site.spreadsheet import could_run, safe_cell

    assert could_run(formula)
    assert not could_run(safe_cell(formula))
    assert safe_cell("-3.2") == "-3.2" and safe_cell("Beijing") == "Beijing"
    assert [safe_cell(shown) for shown in ("+15.2%", "\u22123.7%", "-1,200")] == ["+15.2%", "\u22123.7%", "-1,200"]
    assert [safe_cell(text) for text in ("+15.2%+cmd", "-1,2,0", "+1%%")] == ["'+15.2%+cmd", "'-1,2,0", "'+1%%"]
