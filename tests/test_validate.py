"""Validation: pydantic errors reach the editor as file:line:col with the field named."""

from __future__ import annotations

from tests.helpers import FIGURES, formatted, run_check
from tests.test_verify import FIGURES_FILE, position


def errors_for(make_project, figures: str) -> list[str]:
    return formatted(run_check(make_project(**{FIGURES_FILE: figures})).errors)


def test_a_misspelt_field_gets_a_suggestion(make_project):
    figures = FIGURES.replace('    quote: "Beijing’s GDP', '    qoute: "Beijing’s GDP')
    where = position(figures, "qoute: ")
    assert errors_for(make_project, figures) == [
        f"{FIGURES_FILE}:2:5: error[missing-field]: figures[0].quote: required field is missing",
        f"{FIGURES_FILE}:{where}: error[unknown-field]: figures[0].qoute: unknown field 'qoute'; did you mean 'quote'?",
    ]


def test_a_wrong_type(make_project):
    figures = FIGURES.replace("value: -3.2", "value: minus three")
    where = position(figures, "value: ")
    assert errors_for(make_project, figures) == [
        (
            f"{FIGURES_FILE}:{where}: error[invalid-value]: figures[0].value: must be a number written without quotes, "
            "in base units (1600000000000, not '1.6 trillion') (got 'minus three')"
        )
    ]


def test_nan_and_infinity_are_refused(make_project):
    for written in (".nan", ".inf", "-.inf"):
        figures = FIGURES.replace("value: -3.2", f"value: {written}")
        [error] = errors_for(make_project, figures)
        assert "error[invalid-value]: figures[0].value: must be a finite number, not NaN or infinity" in error


def test_numbers_out_of_range(make_project):
    figures = FIGURES.replace("value: -3.2", "value: 1.0e+300")
    [error] = errors_for(make_project, figures)
    assert "figures[0].value: is out of range (more than 1e+16 in absolute value)" in error


def test_dates_that_do_not_exist(make_project):
    figures = FIGURES.replace("period: 2022-11-11", "period: 2022-02-30")
    where = position(figures, "period: ", after="services-trade-share-china-2022")
    assert errors_for(make_project, figures) == [
        f"{FIGURES_FILE}:{where}: error[invalid-value]: figures[6].period: 2022-02-30 is not a date (got '2022-02-30')"
    ]


def test_a_period_that_ends_before_it_starts(make_project):
    figures = FIGURES.replace("period: 2020-H1", "period: 2021-03..2021-01", 1)
    [error] = errors_for(make_project, figures)
    assert "figures[0].period: the period ends before it starts" in error


def test_a_figure_id_that_is_not_a_slug(make_project):
    for bad in ("../etc/passwd", "gdp/growth", "GDP", "gdp\u2010growth"):
        figures = FIGURES.replace("id: gdp-growth-2020-h1", f"id: '{bad}'")
        [error] = errors_for(make_project, figures)
        assert error == (
            f"{FIGURES_FILE}:2:9: error[invalid-value]: figures[0].id: must be a slug: lower-case letters a-z, "
            f"digits and hyphens, starting with a letter or digit (got {bad!r})"
        )


def test_an_unknown_qualifier(make_project):
    figures = FIGURES.replace("qualifier: exact", "qualifier: roughly", 1)
    [error] = errors_for(make_project, figures)
    assert (
        "figures[0].qualifier: must be one of 'exact', 'at-least', 'at-most' or 'approximately' (got 'roughly')"
        in error
    )


def test_duplicate_ids_across_files(make_project):
    duplicate = "figures:\n" + FIGURES.split("figures:\n")[1].split("  - id: gdp-growth-change")[0]
    errors = formatted(run_check(make_project(**{"data/figures/again.yaml": duplicate})).errors)
    assert errors == [
        (
            "data/figures/sample-news.yaml:2:9: error[duplicate-id]: id 'gdp-growth-2020-h1' is already used by "
            "the figure at data/figures/again.yaml:2:9"
        )
    ]
