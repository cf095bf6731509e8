"""The checker's rules: each with a failing input and the exact diagnostic it produces."""

from __future__ import annotations

import hashlib

from tests.helpers import ARTICLE, FIGURES, INDICATORS, formatted, run_check, source_yaml

FIGURES_FILE = "data/figures/sample-news.yaml"


def position(text: str, needle: str, *, after: str = "") -> str:
    """'line:column' of the value that follows needle (searched after the marker 'after')."""
    start = text.index(after) if after else 0
    offset = text.index(needle, start) + len(needle)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


def only_errors(root):
    checked = run_check(root)
    return formatted(checked.errors)


def test_the_sample_dataset_passes_with_no_warnings(project):
    checked = run_check(project)
    assert formatted(checked.diagnostics) == []
    assert len(checked.dataset.figures) == 8


def test_a_quote_altered_by_one_character_is_not_in_the_source(make_project):
    figures = FIGURES.replace("fell by 3.2% in H1", "fell by 3.2% in H2")
    root = make_project(**{FIGURES_FILE: figures})
    where = position(figures, "quote: ", after="gdp-growth-2020-h1")
    assert only_errors(root) == [
        (
            f"{FIGURES_FILE}:{where}: error[quote-not-in-source]: quote not found in source sample-news: "
            '"Beijing\'s GDP fell by 3.2% in H2"; nearest passage: "Beijing\'s GDP fell by 3.2% in H1,"'
        )
    ]


def test_quotes_match_across_whitespace_and_typographic_quotes_only(make_project):
    figures = FIGURES.replace('"Beijing’s GDP fell by 3.2% in H1"', '"Beijing\'s  GDP\\n fell by 3.2% in H1"')
    assert only_errors(make_project(**{FIGURES_FILE: figures})) == []
    lower = FIGURES.replace("Beijing’s GDP fell by 3.2% in H1", "beijing’s GDP fell by 3.2% in H1")
    errors = only_errors(make_project(**{FIGURES_FILE: lower}))
    assert [e.split(": error")[1].split("]")[0] for e in errors] == ["[quote-not-in-source"]


def test_a_value_that_differs_from_its_quote(make_project):
    figures = FIGURES.replace("value: 40.4", "value: 40.5")
    root = make_project(**{FIGURES_FILE: figures})
    where = position(figures, "value: ", after="id: digital-share-gdp-2021")
    assert only_errors(root) == [
        (
            f"{FIGURES_FILE}:{where}: error[value-not-in-quote]: value 40.5 percent is not stated in the quote "
            "(numbers in it: '1.6 trillion yuan' = 1600000000000, '40.4%' = 40.4)"
        )
    ]


def test_a_scaled_value_must_equal_the_quote_after_scaling(make_project):
    figures = FIGURES.replace("value: 1600000000000", "value: 160000000000")
    errors = only_errors(make_project(**{FIGURES_FILE: figures}))
    assert len(errors) == 1 and "error[value-not-in-quote]: value 160000000000 CNY" in errors[0]


def test_a_value_with_the_wrong_sign(make_project):
    figures = FIGURES.replace("value: -3.2", "value: 3.2")
    root = make_project(**{FIGURES_FILE: figures})
    where = position(figures, "value: ", after="id: gdp-growth-2020-h1")
    assert only_errors(root) == [
        (
            f"{FIGURES_FILE}:{where}: error[value-sign]: value 3.2 has the wrong sign; "
            "the quote says 'fell by 3.2%': write -3.2"
        )
    ]


def test_a_negative_value_needs_negative_wording(make_project):
    figures = FIGURES.replace("value: 3.4\n", "value: -3.4\n")
    errors = only_errors(make_project(**{FIGURES_FILE: figures}))
    assert len(errors) == 1
    assert (
        "error[value-sign]: value -3.4 has the wrong sign; the quote states '3.4%' with no wording such as 'fell by': write 3.4"
        in errors[0]
    )


def test_a_qualifier_that_contradicts_the_wording(make_project):
    figures = FIGURES.replace(
        "value: 890000000000\n    unit: CNY\n    qualifier: at-least",
        "value: 890000000000\n    unit: CNY\n    qualifier: exact",
    )
    root = make_project(**{FIGURES_FILE: figures})
    where = position(figures, "qualifier: ", after="id: digital-core-value-added-2021")
    assert only_errors(root) == [
        (
            f"{FIGURES_FILE}:{where}: error[qualifier-mismatch]: the quote says 'more than 890 billion yuan', "
            "so qualifier should be at-least, not exact"
        )
    ]


def test_a_qualifier_with_no_wording_behind_it(make_project):
    figures = FIGURES.replace(
        "value: 40.4\n    unit: percent\n    qualifier: exact",
        "value: 40.4\n    unit: percent\n    qualifier: approximately",
    )
    errors = only_errors(make_project(**{FIGURES_FILE: figures}))
    assert len(errors) == 1
    assert errors[0].endswith(
        "error[qualifier-mismatch]: the quote states '40.4%' with no wording such as 'more than', 'nearly' or 'about', "
        "so qualifier should be exact, not approximately"
    )


def test_the_qualifier_is_read_from_the_archive_even_when_the_quote_starts_at_the_number(make_project):
    figures = FIGURES.replace(
        'quote: "In 2019, Beijing’s digital economy accounted for more than 50% of GDP."', 'quote: "50% of GDP."'
    ).replace(
        "value: 50\n    unit: percent\n    qualifier: at-least", "value: 50\n    unit: percent\n    qualifier: exact"
    )
    errors = only_errors(make_project(**{FIGURES_FILE: figures}))
    assert len(errors) == 1 and "error[qualifier-mismatch]: the quote says 'more than 50%'" in errors[0]


def test_an_archived_text_changed_by_one_character(make_project):
    root = make_project(**{"data/sources/sample-news.txt": ARTICLE.replace("3.2%", "3.3%")})
    source = source_yaml()
    where = position(source, "sha256: ")
    changed = hashlib.sha256(ARTICLE.replace("3.2%", "3.3%").encode()).hexdigest()
    assert only_errors(root) == [
        (
            f"data/sources/sample-news.yaml:{where}: error[archive-checksum]: sample-news.txt has sha256 {changed}, "
            "not the recorded one: the archive was changed (restore it; if the change is intended, record the new checksum)"
        )
    ]


def test_a_missing_archive(make_project):
    root = make_project(**{"data/sources/sample-news.txt": None})
    where = position(source_yaml(), "archive: ")
    assert only_errors(root) == [
        f"data/sources/sample-news.yaml:{where}: error[archive-missing]: archived text sample-news.txt not found beside the source file"
    ]


def test_dangling_references(make_project):
    figures = FIGURES.replace("indicator: gdp-growth\n", "indicator: gdp-grwoth\n", 1).replace(
        "source: sample-news\n", "source: sample-newz\n", 1
    )
    root = make_project(**{FIGURES_FILE: figures})
    indicator_at = position(figures, "indicator: ")
    source_at = position(figures, "source: ")
    assert only_errors(root) == [
        f"{FIGURES_FILE}:{indicator_at}: error[unknown-indicator]: unknown indicator 'gdp-grwoth'; did you mean 'gdp-growth'?",
        f"{FIGURES_FILE}:{source_at}: error[unknown-source]: unknown source 'sample-newz'; did you mean 'sample-news'?",
    ]


def test_figure_and_indicator_units_agree(make_project):
    indicators = INDICATORS.replace(
        "  - id: digital-share-gdp\n    label: Digital economy, share of GDP\n    unit: percent",
        "  - id: digital-share-gdp\n    label: Digital economy, share of GDP\n    unit: count",
    )
    root = make_project(**{"data/indicators/all.yaml": indicators})
    errors = only_errors(root)
    where = position(FIGURES, "unit: ", after="id: digital-share-gdp-2019")
    assert errors[0] == (
        f"{FIGURES_FILE}:{where}: error[unit-mismatch]: unit 'percent' differs from indicator 'digital-share-gdp' unit 'count'"
    )
    assert len(errors) == 2


def test_two_sources_disagreeing_need_a_note(make_project):
    second = ARTICLE + "GDP fell by 3.1% in H1.\n"
    extra = (
        source_yaml(article=second)
        .replace("id: sample-news", "id: other-news")
        .replace("archive: sample-news.txt", "archive: other-news.txt")
    )
    other_figure = (
        "figures:\n  - id: gdp-growth-2020-h1-other\n    indicator: gdp-growth\n    value: -3.1\n    unit: percent\n"
        "    qualifier: exact\n    period: 2020-H1\n    scope: beijing\n    source: other-news\n"
        '    quote: "GDP fell by 3.1% in H1."\n'
    )
    files = {
        "data/sources/other-news.txt": second,
        "data/sources/other-news.yaml": extra,
        "data/figures/other-news.yaml": other_figure,
    }
    root = make_project(**files)
    errors = only_errors(root)
    # files load in sorted order, so the diagnostic points at the figure read last
    assert errors == [
        (
            "data/figures/sample-news.yaml:4:12: error[conflicting-values]: 'gdp-growth' for 2020-H1 (beijing) has "
            "different values: -3.1 (other-news), -3.2 (sample-news); add a note explaining the discrepancy to readers"
        )
    ]
    noted = other_figure + "    note: The later article revised the figure.\n"
    assert only_errors(make_project(**{**files, "data/figures/other-news.yaml": noted})) == []


def test_a_number_in_an_article_that_is_neither_curated_nor_omitted_is_a_warning(make_project):
    article = ARTICLE + "The park gathers 600 companies.\n"
    root = make_project(
        **{"data/sources/sample-news.txt": article, "data/sources/sample-news.yaml": source_yaml(article=article)}
    )
    checked = run_check(root)
    assert checked.errors == []
    assert [w.rule for w in checked.warnings] == ["number-not-covered"]
    assert "'600' in sample-news.txt is in no figure's quote and not omitted" in checked.warnings[0].message
    omitted = (
        source_yaml(article=article)
        + '  omitted:\n    - quote: "600 companies"\n      reason: Not about the economy.\n'
    )
    root = make_project(**{"data/sources/sample-news.txt": article, "data/sources/sample-news.yaml": omitted})
    assert formatted(run_check(root).diagnostics) == []


def test_an_omitted_quote_must_be_in_the_source(make_project):
    omitted = source_yaml() + '  omitted:\n    - quote: "not in the text"\n      reason: test\n'
    root = make_project(**{"data/sources/sample-news.yaml": omitted})
    errors = only_errors(root)
    assert (
        len(errors) == 1
        and 'error[quote-not-in-source]: quote not found in source sample-news: "not in the text"' in errors[0]
    )


def test_an_indicator_without_figures_is_a_warning(make_project):
    indicators = (
        INDICATORS
        + "  - id: lonely\n    label: Lonely\n    unit: count\n    kind: level\n    topic: economy\n    description: x\n"
    )
    checked = run_check(make_project(**{"data/indicators/all.yaml": indicators}))
    line = indicators.count("\n", 0, indicators.index("- id: lonely")) + 1
    assert formatted(checked.warnings) == [
        f"data/indicators/all.yaml:{line}:5: warning[unused-indicator]: indicator 'lonely' has no figures"
    ]


POINTS_ARTICLE = ARTICLE + "The share of services rose by 2.4 percentage points, to 83.8%.\n"
POINTS_FIGURE = """\
  - id: services-share-change-2021
    indicator: services-share-change
    value: 2.4
    unit: {unit}
    qualifier: exact
    period: 2021
    scope: beijing
    source: sample-news
    quote: "The share of services rose by 2.4 percentage points, to 83.8%."
  - id: services-share-2021
    indicator: services-share
    value: 83.8
    unit: percent
    qualifier: exact
    period: 2021
    scope: beijing
    source: sample-news
    quote: "The share of services rose by 2.4 percentage points, to 83.8%."
"""
POINTS_INDICATORS = """\
  - id: services-share-change
    label: Services, change of their share of GDP
    unit: {unit}
    kind: growth
    topic: economy
    description: The change of the share, in percentage points.
  - id: services-share
    label: Services, share of GDP
    unit: percent
    kind: share
    topic: economy
    description: Share of GDP.
"""


def _points_project(make_project, unit: str):
    return make_project(
        **{
            "data/sources/sample-news.txt": POINTS_ARTICLE,
            "data/sources/sample-news.yaml": source_yaml(POINTS_ARTICLE),
            "data/indicators/all.yaml": INDICATORS + POINTS_INDICATORS.format(unit=unit),
            FIGURES_FILE: FIGURES + POINTS_FIGURE.format(unit=unit),
        }
    )


def test_percentage_points_written_in_words_are_cited_as_points(make_project):
    root = _points_project(make_project, "percentage-points")
    assert formatted(run_check(root).diagnostics) == []


def test_points_filed_as_percent_say_that_the_unit_is_the_problem(make_project):
    root = _points_project(make_project, "percent")
    [error] = only_errors(root)
    assert "error[value-not-in-quote]: value 2.4 percent is not stated in the quote" in error
    assert "'2.4 percentage points' is in percentage points, not percent" in error


def test_cite_drafts_points_in_words_as_points(make_project, capsys):
    from beijing_econ_site.cli import main

    _points_project(make_project, "percentage-points")
    assert main(["cite", "sample-news", "The share of services rose by 2.4 percentage points"]) == 0
    drafted = capsys.readouterr().out
    assert "value: 2.4\n" in drafted and "unit: percentage-points\n" in drafted


WITHOUT_5G = FIGURES[: FIGURES.index("  - id: 5g-added-target-2020")]
ACCEPT_UNCOVERED = (
    "  accept:\n    - rule: number-not-covered\n      reason: The 5G plan is left for the next edition's curation.\n"
)


def test_a_warning_accepted_with_a_reason_is_reported_as_accepted_not_as_a_warning(make_project):
    indicators = INDICATORS[: INDICATORS.index("  - id: 5g-added-target")]
    root = make_project(
        **{
            FIGURES_FILE: WITHOUT_5G,
            "data/indicators/all.yaml": indicators,
            "data/sources/sample-news.yaml": source_yaml() + ACCEPT_UNCOVERED,
        }
    )
    checked = run_check(root)
    assert formatted(checked.warnings) == []
    [accepted] = checked.accepted
    assert accepted.rule == "number-not-covered" and "'13,000'" in accepted.message
    assert accepted.message.endswith("(accepted: The 5G plan is left for the next edition's curation.)")
    assert accepted.format().startswith("data/sources/sample-news.yaml:2:3: accepted[number-not-covered]: ")


def test_an_acceptance_no_warning_needs_is_itself_a_warning(make_project):
    root = make_project(**{"data/sources/sample-news.yaml": source_yaml() + ACCEPT_UNCOVERED})
    checked = run_check(root)
    [unused] = checked.warnings
    assert unused.rule == "acceptance-unused"
    assert unused.format() == (
        "data/sources/sample-news.yaml:10:13: warning[acceptance-unused]: source 'sample-news' accepts "
        "number-not-covered warnings, and check gives it none: remove the acceptance"
    )


def test_an_acceptance_covers_its_own_item_and_rule_only(make_project):
    indicators = INDICATORS[: INDICATORS.index("  - id: 5g-added-target")]
    accept_on_a_figure = (
        "    accept:\n      - rule: number-not-covered\n        reason: Said on the figure, not on the source.\n"
    )
    anchor = '    quote: "Beijing’s GDP fell by 3.2% in H1"\n'
    on_a_figure = WITHOUT_5G.replace(anchor, anchor + accept_on_a_figure, 1)
    root = make_project(**{FIGURES_FILE: on_a_figure, "data/indicators/all.yaml": indicators})
    rules = sorted(d.rule for d in run_check(root).warnings)
    assert rules == ["acceptance-unused", "number-not-covered"]  # the source's warning is not the figure's


def test_dates_times_and_codes_are_not_numbers_to_curate_but_a_quantity_beside_them_is(make_project):
    footer = (
        "Sample News, 14 March 2025, 10:30 a.m. Updated on November 11th at 3 p.m.\n"
        "Hotline 010-6512-3456. ICP No. 05012345, filed 2022-11-11.\n"
        "The footer adds that 12 reporters worked on it.\n"
    )
    article = ARTICLE + footer
    root = make_project(
        **{"data/sources/sample-news.txt": article, "data/sources/sample-news.yaml": source_yaml(article)}
    )
    uncovered = [d.message.split("'")[1] for d in run_check(root).warnings if d.rule == "number-not-covered"]
    assert uncovered == ["12"]


CONVERSION_ARTICLE = ARTICLE + (
    "Foreign investment reached RMB 810 billion (about 127.5 billion U.S. dollars), up 5%.\n"
    "In 2021 the digital economy added value of 10 billion yuan in the north and 20 billion yuan in the south.\n"
)


def _cite(make_project, capsys, quote: str) -> str:
    from beijing_econ_site.cli import main

    make_project(
        **{
            "data/sources/sample-news.txt": CONVERSION_ARTICLE,
            "data/sources/sample-news.yaml": source_yaml(CONVERSION_ARTICLE),
        }
    )
    assert main(["cite", "sample-news", quote]) == 0
    return capsys.readouterr().out


def test_cite_leaves_out_an_amount_converted_in_brackets(make_project, capsys):
    drafted = _cite(
        make_project, capsys, "Foreign investment reached RMB 810 billion (about 127.5 billion U.S. dollars), up 5%."
    )
    values = [line.split(": ", 1)[1] for line in drafted.splitlines() if line.strip().startswith("value:")]
    assert values == ["810000000000", "5"]


def test_cite_never_drafts_two_blocks_with_one_id(make_project, capsys):
    drafted = _cite(
        make_project, capsys, "added value of 10 billion yuan in the north and 20 billion yuan in the south"
    )
    ids = [line.split("id: ", 1)[1] for line in drafted.splitlines() if line.strip().startswith("- id:")]
    assert len(ids) == 2 and len(set(ids)) == 2, ids


def test_a_conversion_filed_as_an_amount_is_a_warning_naming_the_amount_it_converts(make_project):
    indicator = (
        "  - id: fdi-usd\n    label: Foreign investment\n    unit: USD\n    measures: investment\n"
        "    kind: flow\n    topic: economy\n    description: Foreign investment.\n"
    )
    figure = (
        "  - id: fdi-usd-2021\n    indicator: fdi-usd\n    value: 127500000000\n    unit: USD\n"
        "    qualifier: approximately\n    period: 2021\n    scope: beijing\n    source: sample-news\n"
        '    quote: "Foreign investment reached RMB 810 billion (about 127.5 billion U.S. dollars)"\n'
    )
    root = make_project(
        **{
            "data/sources/sample-news.txt": CONVERSION_ARTICLE,
            "data/sources/sample-news.yaml": source_yaml(CONVERSION_ARTICLE),
            "data/indicators/all.yaml": INDICATORS + indicator,
            FIGURES_FILE: FIGURES + figure,
        }
    )
    [warning] = [d for d in run_check(root).warnings if d.rule == "value-is-conversion"]
    assert "'127.5 billion U.S. dollars' is in brackets after another amount" in warning.message
    assert warning.location.path == FIGURES_FILE


CLAIMS = (
    "Beijing is the only city in the country to host both exchanges.\n"
    "Beijing led the country in opening the first data exchange, at least by its own account.\n"
    "Business-led projects grew in the first half of the year.\n"
)


def test_a_claim_of_rank_in_an_article_that_is_neither_recorded_nor_omitted_is_a_warning(make_project):
    article = ARTICLE + CLAIMS
    root = make_project(
        **{"data/sources/sample-news.txt": article, "data/sources/sample-news.yaml": source_yaml(article=article)}
    )
    checked = run_check(root)
    assert checked.errors == []
    # 'at least', 'Business-led' and 'the first half' claim nothing
    assert sorted(w.message.split("'")[1] for w in checked.warnings if w.rule == "claim-not-covered") == [
        "first",
        "led",
        "only",
    ]
    assert all(w.rule == "claim-not-covered" for w in checked.warnings)


def test_a_recorded_claim_covers_its_words_and_is_shown_on_the_source_page(make_project):
    from beijing_econ_site.build.run import build_site
    from beijing_econ_site.site.pages import SiteConfig

    article = ARTICLE + CLAIMS
    recorded = source_yaml(article=article) + (
        "  claims:\n"
        '    - quote: "Beijing is the only city in the country to host both exchanges."\n'
        '    - quote: "Beijing led the country in opening the first data exchange"\n'
        "      note: By its own account, the article says.\n"
    )
    root = make_project(**{"data/sources/sample-news.txt": article, "data/sources/sample-news.yaml": recorded})
    assert formatted(run_check(root).diagnostics) == []
    build_site(root / "data", root / "_site", root / "templates", config=SiteConfig(base_url=""))
    page = (root / "_site" / "sources" / "sample-news" / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="claims"') : page.index("</section>", page.index('id="claims"'))]
    assert "“Beijing is the only city in the country to host both exchanges.”" in section
    assert "(By its own account, the article says.)" in section


def test_a_recorded_claim_must_be_in_the_article_and_its_note_sourced(make_project):
    recorded = source_yaml() + (
        '  claims:\n    - quote: "Beijing is the only city"\n      note: The largest of 12 such cities.\n'
    )
    root = make_project(**{"data/sources/sample-news.yaml": recorded})
    rules = sorted(d.rule for d in run_check(root).errors)
    assert rules == ["quote-not-in-source", "unsourced-claim", "unsourced-number"]


def test_a_recorded_claim_without_a_word_of_rank_is_a_warning(make_project):
    recorded = source_yaml() + '  claims:\n    - quote: "Beijing has about one-fifth"\n'
    warnings = run_check(make_project(**{"data/sources/sample-news.yaml": recorded})).warnings
    assert [w.rule for w in warnings] == ["claim-without-rank"]
