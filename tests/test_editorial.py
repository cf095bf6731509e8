"""Editorial integrity: what the pages say in words is what the articles say.

References read as English for every figure and every form; fractions are shown in the
article's words; a period read from context says so; the coverage rule reads number words and
vague quantities; and the labels and notes the desk sent back now match the articles."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from beijing_econ_site.checks.coverage import numbers_to_cover
from beijing_econ_site.checks.run import check_data
from beijing_econ_site.data.models import Kind, Unit
from beijing_econ_site.data.stories import Reference
from beijing_econ_site.site.references import reference_text
from beijing_econ_site.site.views import FigureView, derive
from tests.helpers import project_data

ROOT = Path(__file__).resolve().parent.parent
SCALE_WORD = re.compile(r"\b(?:trillion|billion|million|thousand)\b")
QUALIFIER_BEFORE_THE = re.compile(r"\b(?:over|nearly|about)\s+the\b")
PERIOD_PHRASE = re.compile(
    r"(?: in (?:H[12] |Q[1-4] |[A-Z][a-z]{2}(?:–[A-Z][a-z]{2})? )?\d{4}| as of \d{1,2} [A-Z][a-z]{2} \d{4})"
)


@pytest.fixture(scope="module")
def views() -> dict[str, FigureView]:
    checked = check_data(project_data())
    assert not checked.errors
    return derive(checked.dataset).figures


def _forms(view: FigureView) -> list[str]:
    forms = ["stated", "value"]
    if view.figure.unit != Unit.COUNT or view.indicator.counts:
        forms.append("period")  # the lint refuses the period form of a count that does not say what it counts
    return forms


def test_every_form_of_every_figure_reads_as_english_in_a_sentence(views):
    garbled = []
    for view in views.values():
        for form in _forms(view):
            text = reference_text(Reference("fig", (view.id,), form), views)
            sentence = f"The article reports {text} for Beijing."
            problems = []
            if any(not re.search(r"\d\s$", text[: m.start()]) for m in SCALE_WORD.finditer(text)):
                problems.append("a scale word without its number")
            if QUALIFIER_BEFORE_THE.search(text):
                problems.append("a qualifier before 'the'")
            currency = view.site.currency(view.figure.unit)
            if currency is not None and (currency.symbol or currency.name) not in text:
                problems.append(f"{view.figure.unit} without its currency's name or symbol")
            if form == "period":
                if not re.search(PERIOD_PHRASE.pattern + r"(?: \(probably\))?$", text):
                    problems.append("the period is not at the end, so it falls between the number and its noun")
                if (
                    view.figure.unit == Unit.COUNT
                    and view.indicator.counts not in text.split(" as of")[0].split(" in ")[0]
                ):
                    problems.append("a count's period form does not name what it counts before the period")
            if problems:
                garbled.append(f"{view.id} ({form}): {sentence!r}: {', '.join(problems)}")
    assert garbled == []


def test_a_counts_period_form_reads_number_noun_date():
    checked = check_data(project_data())
    figures = derive(checked.dataset).figures
    text = reference_text(Reference("fig", ("5g-base-stations-total-2020-06-30",), "period"), figures)
    assert text == "22,500 5G base stations as of 30 Jun 2020"


def test_the_2018_revenue_reads_with_its_number_and_currency(views):
    assert reference_text(Reference("fig", ("software-revenue-2018",), "stated"), views) == "over 1 trillion yuan"
    assert reference_text(Reference("fig", ("software-revenue-2018",), "value"), views) == "1 trillion yuan"


@pytest.mark.parametrize(
    ("figure", "shown"),
    [
        ("world-services-share-of-trade-projection-2040", "one third"),  # rounded to 33.3 to be drawn: no 'about'
        ("major-sci-infrastructure-share-china-2021-03-30", "one-third"),
        ("academicians-share-china-2021-03-30", "half"),
        ("genai-products-share-china-2023", "nearly half"),  # the article's own hedge stays
        ("digital-share-gdp-2021", "40.4%"),
    ],
)
def test_fractions_are_shown_in_the_articles_words(views, figure, shown):
    assert views[figure].display == shown
    assert "33.3" not in views[figure].headline[0]


def test_a_fraction_word_is_a_round_figure_never_filed_as_exact(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(project_data(), data)
    path = data / "figures" / "china-org-cn-2021-03-30.yaml"
    text = path.read_text()
    assert "id: academicians-share-china-2021-03-30" in text
    # 'half' is a round figure: exact only where the article says 'exactly half'
    block = text.split("id: academicians-share-china-2021-03-30")[1].split("  - id:")[0]
    path.write_text(text.replace(block, block.replace("qualifier: approximately", "qualifier: exact")))
    found = [(d.rule, d.message) for d in check_data(data).errors]
    assert [rule for rule, _ in found] == ["qualifier-mismatch"] and "'half', a fraction word" in found[0][1]


def test_a_period_read_from_context_is_labelled_probable_and_needs_a_note(views, tmp_path):
    target = views["5g-base-stations-added-target-2020"]
    assert target.figure.period == "2020-H2" and target.period_label == "H2 2020 (probably)"
    assert "on top of" in (target.figure.note or "")
    data = tmp_path / "data"
    shutil.copytree(project_data(), data)
    path = data / "figures" / "ciftis-2020-07-31.yaml"
    document = yaml.safe_load(path.read_text())
    for figure in document["figures"]:
        if figure["id"] == "gigabit-subscribers-added-target-2020":
            del figure["note"]
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    assert [d.rule for d in check_data(data).errors] == ["period-inferred-without-note"]


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("hundreds of landmark projects have been implemented", ["hundreds"]),
        ("dozens of firms and tens of thousands of jobs", ["dozens", "tens of thousands"]),
        ("ten thousand people", ["ten thousand"]),
        ("about one-fifth of the total", ["one-fifth"]),
        ("in the first half of the year, one of the first pilots", []),  # a period, an idiom, an ordinal
        ("in 2019 it was 22,500", ["22,500"]),  # years are dates, not figures
        ("in the first six months, 1,500 firms; in the past three months, 200", ["1,500", "200"]),  # periods
        ("Copyright 2024 Metro Daily. ICP license 京ICP备10012345号-2", []),  # a registration code
        ("Updated: 2024-08-06 09:12. Filed at 10:45 a.m. on Jan. 22", []),  # a date and times
    ],
)
def test_coverage_reads_number_words_and_vague_quantities(text, read):
    assert [m.text for m in numbers_to_cover(text)] == read


def test_an_uncovered_vague_quantity_is_a_warning_until_it_is_omitted(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(project_data(), data)
    path = data / "sources" / "bjinfo-2022-11-11.yaml"
    text = path.read_text()
    omission = next(line for line in text.splitlines(keepends=True) if "hundreds of landmark projects" in line)
    reason = text[text.index(omission) + len(omission) :].splitlines(keepends=True)[0]
    path.write_text(text.replace(omission + reason, ""))
    warnings = [d for d in check_data(data).warnings if d.rule == "number-not-covered"]
    assert len(warnings) == 1 and "'hundreds'" in warnings[0].message


def test_the_labels_and_notes_the_desk_sent_back_follow_the_articles(views):
    top500 = views["big-data-top500-share-china-2019"].indicator
    assert "base unclear" in top500.label and "does not match" in top500.description
    zgc = views["zgc-large-business-revenue-growth-2023"].indicator
    assert "National Demonstration Zone" not in zgc.description and "above designated size" not in zgc.description
    assert "medium-sized" in views["sme-loans-financial-data-zone-2022-11-11"].indicator.label
    assert "not only residents" not in (views["health-kit-users-2022-11-11"].figure.note or "")
    share = [v for v in views.values() if v.indicator.id == "digital-share-gdp"]
    words = " ".join((v.figure.comparability or "") + (v.figure.note or "") + v.indicator.description for v in share)
    for claim in ("narrower measure", "official statistics", "not a shrinking", "does not mean the sector shrank"):
        assert claim not in words
    assert views["digital-share-gdp-2023"].figure.comparability, "the 2021-2023 line is split"


def test_the_digital_share_series_is_never_drawn_as_one_line(views):
    series = [v for v in views.values() if v.indicator.id == "digital-share-gdp" and v.indicator.kind is Kind.SHARE]
    split = {v.id for v in series if v.figure.comparability}
    assert {"digital-share-gdp-2021", "digital-share-gdp-2023"} <= split
