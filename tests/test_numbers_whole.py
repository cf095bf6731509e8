"""The checker reads numbers whole, from the archive: a quote cut inside a number, a sign or a
qualifier read wrong, or a share filed as a growth rate never passes."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import ARTICLE, FIGURES, INDICATORS, formatted, run_check, source_yaml

EXTRA_ARTICLE = (
    "The digital economy grew 13.1% year on year, accounting for 40.4% of GDP.\n"
    "Exports changed by -6.6% and imports by \u22123.2% in H1.\n"
    "Retail sales saw negative growth of 4.4% in the first quarter.\n"
    "Coverage of 5G reached 83% or more of the city.\n"
)
ARTICLE_PLUS = ARTICLE + EXTRA_ARTICLE
EXTRA_INDICATORS = textwrap.indent(
    textwrap.dedent(
        """\
      - id: digital-growth
        label: Digital economy growth
        unit: percent
        kind: growth
        topic: digital-economy
        description: Nominal growth, year on year.
      - id: exports-growth
        label: Exports growth
        unit: percent
        kind: growth
        topic: economy
        description: Year on year.
      - id: imports-growth
        label: Imports growth
        unit: percent
        kind: growth
        topic: economy
        description: Year on year.
      - id: retail-growth
        label: Retail sales growth
        unit: percent
        kind: growth
        topic: economy
        description: Year on year.
      - id: 5g-coverage
        label: 5G coverage, share of the city
        unit: percent
        kind: share
        topic: infrastructure
        description: Share of the city covered.
    """
    ),
    "  ",
)


def figure(indicator: str, value: float, quote: str, qualifier: str = "exact", fid: str = "extra") -> str:
    return textwrap.indent(
        textwrap.dedent(
            f"""\
            - id: {fid}
              indicator: {indicator}
              value: {value}
              unit: percent
              qualifier: {qualifier}
              period: 2018
              scope: beijing
              source: sample-news
              quote: "{quote}"
            """
        ),
        "  ",
    )


def check(make_project, *figures: str, figures_text: str = FIGURES) -> list[str]:
    root = make_project(
        **{
            "data/sources/sample-news.yaml": source_yaml(ARTICLE_PLUS),
            "data/sources/sample-news.txt": ARTICLE_PLUS,
            "data/indicators/all.yaml": INDICATORS + EXTRA_INDICATORS,
            "data/figures/sample-news.yaml": figures_text + "".join(figures),
        }
    )
    return [line.split(": ", 1)[1] for line in formatted(run_check(root).errors)]


def test_the_extended_article_with_its_true_figures_passes(make_project):
    problems = check(
        make_project,
        figure(
            "digital-growth", 13.1, "The digital economy grew 13.1% year on year, accounting for 40.4% of GDP.", fid="a"
        ),
        figure("exports-growth", -6.6, "Exports changed by -6.6% and imports", fid="b"),
        figure("retail-growth", -4.4, "Retail sales saw negative growth of 4.4% in the first quarter.", fid="c"),
        figure("5g-coverage", 83, "Coverage of 5G reached 83% or more of the city.", "at-least", fid="d"),
        figure("imports-growth", -3.2, "imports by \u22123.2% in H1.", fid="e"),
    )
    assert problems == []


CUT_QUOTES = {
    "a quote that starts inside 40.4%": ("digital-share-gdp", 0.4, "0.4% of GDP."),
    "a quote that ends before the scale word": (
        "digital-share-gdp",
        1.6,
        "the digital economy achieved an added value of 1.6",
    ),
    "a quote that starts inside 13,000": ("digital-share-gdp", 3000, "000 additional 5G base stations will be built."),
    "a quote that ends inside a word": ("digital-share-gdp", 40.4, "accounting for 40.4% of G"),
}


@pytest.mark.parametrize(("indicator", "value", "quote"), CUT_QUOTES.values(), ids=CUT_QUOTES.keys())
def test_a_quote_cut_inside_a_number_or_word_is_refused(make_project, indicator, value, quote):
    problems = check(make_project, figure(indicator, value, quote))
    assert any(p.startswith("error[quote-cut]") for p in problems), problems


def test_a_quote_cut_before_its_scale_word_says_what_the_archive_states(make_project):
    problems = check(
        make_project, figure("digital-share-gdp", 1.6, "the digital economy achieved an added value of 1.6")
    )
    assert "error[quote-cut]: the quote cuts '1.6 trillion yuan' short" in problems[0]


def test_a_quote_that_is_only_a_number_is_refused(make_project):
    problems = check(make_project, figure("digital-share-gdp", 40.4, "40.4%"))
    assert problems[0].startswith('error[quote-too-short]: the quote "40.4%" is little more than a number')


def test_a_growth_figure_may_not_take_the_share_stated_beside_it(make_project):
    problems = check(
        make_project,
        figure("digital-growth", 40.4, "The digital economy grew 13.1% year on year, accounting for 40.4%"),
    )
    assert problems[0] == (
        "error[value-measure-mismatch]: value 40.4 is '40.4%', which the quote words as a share ('accounted for', "
        "'of GDP'), but indicator 'digital-growth' is a growth rate ('grew', 'up', 'year on year'); "
        "the quote words '13.1%' as growth"
    )


SIGNS = {
    "a hyphen-minus": ("exports-growth", 6.6, "Exports changed by -6.6% and imports", "'-6.6%': write -6.6"),
    "a minus sign": ("exports-growth", 3.2, "imports by \u22123.2% in H1.", "'\u22123.2%': write -3.2"),
    "negative growth": (
        "retail-growth",
        4.4,
        "Retail sales saw negative growth of 4.4%",
        "'negative growth of 4.4%': write -4.4",
    ),
}


@pytest.mark.parametrize(("indicator", "value", "quote", "fix"), SIGNS.values(), ids=SIGNS.keys())
def test_a_negative_number_written_positive_is_refused(make_project, indicator, value, quote, fix):
    problems = check(make_project, figure(indicator, value, quote))
    assert problems[0].startswith(f"error[value-sign]: value {value} has the wrong sign; the quote says {fix}")


def test_a_qualifier_after_the_number_is_read(make_project):
    problems = check(make_project, figure("5g-coverage", 83, "Coverage of 5G reached 83% or more of the city."))
    assert problems == [
        "error[qualifier-mismatch]: the quote says '83% or more', so qualifier should be at-least, not exact"
    ]


def test_numbers_listed_after_a_growth_word_are_growth_rates_too(make_project):
    from beijing_econ_site.data.readings import read_span

    text = "In H1, the added value of the financial and information industries increased by 5.7% and 8.3% respectively."
    assert [(r.text, r.measure) for r in read_span(text, 0, len(text))] == [("5.7%", "growth"), ("8.3%", "growth")]


def test_a_hyphen_between_years_or_in_a_name_is_no_minus_sign():
    from beijing_econ_site.data.readings import read_span

    text = "In 2020-2021 COVID-19 cases fell."
    assert [(r.text, r.negative) for r in read_span(text, 0, len(text))] == [
        ("2020", None),
        ("2021", None),
        ("19", None),
    ]
