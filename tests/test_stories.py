"""Stories: figure references render as the article states the number; hand-typed numbers fail check."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from beijing_econ_site.site.markdown import render_story
from beijing_econ_site.site.views import derive
from tests.helpers import formatted, run_check


@pytest.fixture
def views(project):
    return derive(run_check(project).dataset).figures


def rendered(text: str, views) -> LexborHTMLParser:
    return LexborHTMLParser(str(render_story(text, views, "../")))


@pytest.mark.parametrize(
    ("reference", "shown"),
    [
        ("{{fig:digital-share-gdp-2021}}", "40.4%"),  # exact, percent
        ("{{fig:digital-share-gdp-2019}}", "over 50%"),  # at-least
        ("{{fig:services-trade-share-china-2022}}", "about one-fifth"),  # approximately, the article's fraction
        ("{{fig:digital-core-value-added-2021}}", "over 890 billion yuan"),  # CNY with scale
        ("{{fig:digital-value-added-2021}}", "1.6 trillion yuan"),
        ("{{fig:gdp-growth-2020-h1}}", "−3.2%"),  # signed growth
        ("{{fig:gdp-growth-change-2020-h1:value}}", "3.4 percentage points"),
        ("{{fig:5g-added-target-2020}}", "13,000"),  # count
        ("{{fig:digital-core-value-added-2021:value}}", "890 billion yuan"),  # the value alone
        ("{{fig:gdp-growth-2020-h1:period}}", "−3.2% in H1 2020"),
        (
            "{{fig:services-trade-share-china-2022:period}}",
            "about one-fifth as of 11 Nov 2022 (probably)",
        ),  # "now", the article's date
    ],
)
def test_a_reference_renders_the_value_as_the_article_states_it(views, reference, shown):
    tree = rendered(f"Value: {reference}.", views)
    link = tree.css_first("a.fig-ref")
    assert link.text() == shown
    figure_id = reference.strip("{}").split(":")[1]
    assert link.attributes["href"] == f"../{views[figure_id].home}#{figure_id}"
    tip = tree.css_first(f"#{link.attributes['aria-describedby']}")
    assert tip.attributes["role"] == "tooltip" and "Sample News" in tip.text() and "“" in tip.text()


def test_a_change_between_two_figures_is_computed_and_labelled(views):
    tree = rendered("{{change:digital-share-gdp-2019:digital-share-gdp-2021}}", views)
    computed = tree.css_first(".computed")
    assert computed.text().startswith("about −9.6 percentage points (computed from the figures for 2019 and for 2021)")
    assert [a.attributes["href"] for a in computed.css("a")] == [
        "../2019/#digital-share-gdp-2019",
        "../2021/#digital-share-gdp-2021",
    ]


def test_allowed_text_is_shown_as_written(views):
    assert rendered("The {{allow:Top 500}} list", views).css_first("p").text() == "The Top 500 list"


def lint(make_project, story: str, name: str = "2021.md"):
    return run_check(make_project(**{f"data/stories/{name}": story})).diagnostics


def test_a_hand_typed_number_is_an_error_with_a_suggested_figure(make_project):
    assert formatted(lint(make_project, "Intro.\nThe share was 40.4% of GDP.\n")) == [
        (
            "data/stories/2021.md:2:15: error[number-in-prose]: '40.4%' is typed by hand: every number in a story "
            "must be a figure reference; use {{fig:digital-share-gdp-2021}}"
        )
    ]


def test_number_words_are_numbers_too(make_project):
    problems = lint(make_project, "Nearly half the firms, and two more.\n")
    assert [(d.rule, d.location.column) for d in problems] == [("number-in-prose", 8), ("number-in-prose", 28)]


def test_the_half_of_a_half_year_is_a_period_and_half_the_firms_is_a_number(make_project):
    story = "In the first half of 2021 and in the second half, half the firms hired.\n"
    problems = lint(make_project, story)
    assert [(d.rule, d.location.column) for d in problems] == [("number-in-prose", story.index("half the") + 1)]


def test_dates_years_ordinals_code_links_and_allowances_are_not_figures(make_project):
    story = (
        "On 11 November 2022, in 2021 and the 2010s, for the first time, see `x = 3` and [page](../2020/#a-1).\n"
        "The {{allow:Top 500}} list.\n"
    )
    assert formatted(lint(make_project, story)) == []


def test_an_unknown_figure_is_an_error_and_a_figure_from_another_year_a_warning(make_project):
    problems = lint(make_project, "{{fig:no-such-figure}} and {{fig:digital-share-gdp-2019}}\n")
    assert formatted(problems) == [
        "data/stories/2021.md:1:1: error[unknown-figure]: no figure has the id 'no-such-figure'",
        "data/stories/2021.md:1:28: warning[figure-from-other-year]: 'digital-share-gdp-2019' measures 2019, but this story is about 2021",
    ]


def test_a_change_needs_two_figures_of_one_indicator(make_project):
    problems = lint(make_project, "{{change:digital-share-gdp-2021:gdp-growth-2020-h1}}\n", name="compare.md")
    assert [d.rule for d in problems] == ["change-across-indicators"]


def test_a_malformed_reference_is_an_error(make_project):
    problems = lint(make_project, "{{fig:digital-share-gdp-2021:bogus}}\n", name="overview.md")
    assert formatted(problems) == [
        (
            "data/stories/overview.md:1:1: error[bad-reference]: '{{fig:digital-share-gdp-2021:bogus}}': "
            "write {{fig:ID}}, {{fig:ID:value}} or {{fig:ID:period}}"
        )
    ]


def test_stories_appear_on_their_pages_above_the_charts(make_project, tmp_path):
    from pathlib import Path

    from beijing_econ_site.build.run import build_site

    root = make_project(**{"data/stories/2021.md": "Digital share: {{fig:digital-share-gdp-2021}}.\n"})
    build_site(root / "data", root / "_site", Path(__file__).resolve().parent.parent / "templates", cache_dir=None)
    tree = LexborHTMLParser((root / "_site/2021/index.html").read_text())
    story = tree.css_first("main .story")
    assert (
        story.text().strip()
        == "Digital share: 40.4%Sample News, 11 November 2022: “the digital economy achieved an added value of 1.6 trillion yuan, accounting for 40.4% of GDP.”."
    )
    html = tree.html
    assert html.index('class="story"') < html.index('class="chart"')
