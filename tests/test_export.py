"""Exports: figures.json, figures.csv and a datapackage that frictionless accepts."""

from __future__ import annotations

import csv
import io
import json

from beijing_econ_site.site.export import EXPORT_COLUMNS, export_files
from tests.helpers import run_check


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
