"""Claims in stories are checked, not only numbers: a change, a reversal or a year a sentence
asserts must be backed by the figures it links to, and a computed change must compare like
with like. The old stories (tests/fixtures/old-stories/, as they were before the desk's review)
are caught where they claimed what no figure states."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from beijing_econ_site.checks.claims import lint_claims
from beijing_econ_site.checks.run import check_data
from beijing_econ_site.checks.stories import lint_stories
from beijing_econ_site.data.models import Dataset
from beijing_econ_site.data.stories import Reference, Story
from beijing_econ_site.site.references import reference_text
from beijing_econ_site.site.views import derive
from tests.helpers import project_data

ROOT = Path(__file__).resolve().parent.parent
OLD_STORIES = ROOT / "tests" / "fixtures" / "old-stories"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return check_data(project_data()).dataset


def claims(text: str, dataset: Dataset, name: str = "overview") -> list[tuple[str, int, str]]:
    story = Story(name, f"data/stories/{name}.md", text)
    return [(d.rule, d.location.line, d.message) for d in lint_claims(story, dataset)]


def rules(text: str, dataset: Dataset, name: str = "overview") -> list[str]:
    story = Story(name, f"data/stories/{name}.md", text)
    return sorted(d.rule for d in lint_stories({name: story}, dataset) if d.rule != "figure-from-other-year")


@pytest.fixture(scope="module")
def old_stories_checked(tmp_path_factory) -> dict[str, list[tuple[str, int, str]]]:
    data = tmp_path_factory.mktemp("old") / "data"
    shutil.copytree(project_data(), data)
    for story in OLD_STORIES.glob("*.md"):
        shutil.copy(story, data / "stories" / story.name)
    found: dict[str, list[tuple[str, int, str]]] = {}
    for d in check_data(data).diagnostics:
        found.setdefault(Path(d.location.path).name, []).append((d.rule, d.location.line, d.message))
    return found


def test_row_7_the_old_overview_claims_growth_no_figure_measures(old_stories_checked):
    assert any(
        rule == "unbacked-change" and line == 1 and "'growing'" in message
        for rule, line, message in old_stories_checked["overview.md"]
    )


def test_row_8_the_old_comparison_computes_a_rise_across_a_change_of_measure(old_stories_checked):
    [(_, line, message)] = [d for d in old_stories_checked["compare.md"] if d[0] == "change-across-break"]
    assert line == 1 and "digital-share-gdp-2021" in message and "digital-share-gdp-2023" in message


def test_row_11_the_old_2021_story_claims_a_rebound_from_a_single_rise(old_stories_checked):
    assert [d[0] for d in old_stories_checked["2021.md"]] == ["unbacked-reversal"]


def test_row_10_the_old_overview_dates_a_share_whose_year_the_article_does_not_give(old_stories_checked):
    assert any(
        rule == "year-not-measured" and "mid-2020" in message for rule, _, message in old_stories_checked["overview.md"]
    )


def test_row_13_the_old_overviews_count_and_date_now_read_number_noun_date(old_stories_checked, dataset):
    # the old sentence 'Beijing had {{fig:...:period}} 5G base stations' printed the date between the
    # number and its noun; the period form now names what it counts first, and the old story says
    # the noun again, which the editor removes (see overview.md as published)
    assert not any(rule == "period-form-needs-counts" for rule, _, _ in old_stories_checked["overview.md"])
    views = derive(dataset).figures
    text = reference_text(Reference("fig", ("5g-base-stations-total-2020-06-30",), "period"), views)
    assert text == "22,500 5G base stations as of 30 Jun 2020"


def test_the_stories_as_published_make_no_unbacked_claim():
    checked = check_data(project_data())
    assert [d.format() for d in checked.diagnostics] == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Real GDP growth was {{fig:gdp-growth-2020-h1:period}}, and industry fell {{fig:industrial-value-added-growth-2020-h1}}.",
        "Contractual foreign investment was up {{fig:fdi-contractual-growth-2021-01-02:value}} on a year earlier.",
        "The network grew by {{change:5g-base-stations-total-2020-06-30:5g-base-stations-total-2022-11-11}}.",
        "Foreign-funded enterprises were set up, {{fig:foreign-enterprises-established-2021-01-02}} of them.",
        "AI products made up {{fig:genai-products-share-china-2023}} of the national total.",
        "Software revenue doubled ({{fig:software-revenue-multiple-2021}}) in three years.".replace(
            "three", "{{allow:three}}"
        ),
    ],
)
def test_a_change_word_backed_by_a_change_in_its_clause_passes(dataset, sentence):
    assert claims(sentence, dataset) == []


@pytest.mark.parametrize(
    ("sentence", "word"),
    [
        (
            "Beijing had {{fig:5g-base-stations-total-2022-11-11}} 5G base stations, and the network kept growing.",
            "growing",
        ),
        ("The share rose to {{fig:digital-share-gdp-2023}}.", "rose"),
        ("Services fell, to {{fig:services-share-gdp-2020-07-31}} of GDP.", "fell"),
        ("Its output was up {{fig:zpark-output-value-2019}}.", "up"),
        # a growth figure in another clause backs its own clause only
        ("GDP growth was {{fig:gdp-growth-2020-h1}}, yet the digital economy kept growing.", "growing"),
    ],
)
def test_a_change_word_with_no_change_in_its_clause_is_an_unbacked_change(dataset, sentence, word):
    [(rule, _, message)] = claims(sentence, dataset)
    assert rule == "unbacked-change" and f"'{word}'" in message


def test_a_change_word_wrapped_onto_the_next_line_is_still_read_in_its_sentence(dataset):
    text = "Beijing had {{fig:5g-base-stations-total-2022-11-11}} 5G base stations,\nand the network grew fast."
    [(rule, line, _)] = claims(text, dataset)
    assert (rule, line) == ("unbacked-change", 2)


def test_a_rebound_needs_figures_of_both_signs(dataset):
    unbacked = "Investment rebounded: it was up {{fig:fdi-contractual-growth-2021-01-02:value}}."
    assert [r for r, _, _ in claims(unbacked, dataset)] == ["unbacked-reversal"]
    backed = (
        "GDP recovered from {{fig:gdp-growth-2020-h1}} to growth of "
        "{{fig:electronics-industry-growth-2020-h1:value}} in one industry."
    ).replace("one industry", "{{allow:one}} industry")
    assert claims(backed, dataset) == []


@pytest.mark.parametrize(
    ("sentence", "problem"),
    [
        ("Services made up {{fig:services-share-gdp-2020-07-31}} of GDP in 2020.", "measure no year the articles give"),
        ("The digital economy made up {{fig:digital-share-gdp-2021}} of GDP in 2022.", "measure 2021"),
        ("By mid-2020 the share was {{fig:digital-share-gdp-2019}}.", "measure 2019"),
    ],
)
def test_a_year_the_sentences_figures_do_not_measure_is_year_not_measured(dataset, sentence, problem):
    [(rule, _, message)] = claims(sentence, dataset)
    assert rule == "year-not-measured" and problem in message


def test_a_year_that_is_not_a_numbers_period_is_left_alone(dataset):
    text = "Beijing had {{fig:5g-base-stations-total-2022-11-11}} 5G base stations, a 2022 press conference said."
    assert claims(text, dataset) == []
    assert claims("Beijing had {{fig:5g-base-stations-total-2022-11-11}} 5G base stations in 2022.", dataset) == []


def test_a_computed_change_across_scopes_periods_of_another_length_or_a_break_is_refused(dataset):
    assert rules("A change of {{change:digital-share-gdp-2021:digital-share-gdp-2023}}.", dataset) == [
        "change-across-break"
    ]
    assert rules("A change of {{change:5g-base-stations-added-2020-h1:5g-base-stations-added-2023}}.", dataset) == [
        "change-unlike-periods"
    ]


def test_a_change_between_scopes_is_refused(dataset):
    china = dataset.figures["digital-share-gdp-2021"].model_copy(update={"id": "china-share", "scope": "china"})
    mixed = dataset.model_copy(update={"figures": {**dataset.figures, "china-share": china}})
    assert rules("A change of {{change:digital-share-gdp-2021:china-share}}.", mixed) == ["change-across-scopes"]


def test_a_counts_period_form_needs_what_it_counts(dataset):
    indicator = dataset.indicators["health-kit-users"]
    assert indicator.counts is None
    assert rules("Served {{fig:health-kit-users-2022-11-11:period}}.", dataset) == ["period-form-needs-counts"]
    assert rules("Had {{fig:5g-base-stations-total-2022-11-11:period}}.", dataset) == []
