"""Every word a reader sees is sourced: the prose lint reads notes, labels, descriptions, source
notes and omitted reasons against the articles they speak for.

The rules are proved on the sample dataset the tests own; then the notes and descriptions the
project's data held before its editorial pass (tests/fixtures/unsourced-prose.yaml) are put back
one by one into a copy of today's data, and each is refused again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from beijing_econ_site.checks.run import check_data
from tests.helpers import FIGURES, INDICATORS, dataset_files, project_data, source_yaml, write_tree

ROOT = Path(__file__).resolve().parent.parent
BEFORE = yaml.safe_load((ROOT / "tests" / "fixtures" / "unsourced-prose.yaml").read_text(encoding="utf-8"))


def _with_note(figure_id: str, note: str) -> str:
    start = FIGURES.index(f"  - id: {figure_id}\n")
    end = FIGURES.find("  - id: ", start + 1)
    end = len(FIGURES) if end < 0 else end
    block = FIGURES[start:end].rstrip("\n").split("\n")
    block = [line for line in block if not line.startswith("    note:")]
    return FIGURES[:start] + "\n".join(block) + f"\n    note: {note!r}\n" + FIGURES[end:]


def prose_problems(tmp_path: Path, **files: str) -> list[tuple[str, int | None, str]]:
    write_tree(tmp_path, dataset_files(**files))
    checked = check_data(tmp_path / "data")
    return [
        (d.rule, d.location.line, d.message)
        for d in checked.diagnostics
        if d.rule in ("unsourced-number", "unsourced-claim")
    ]


def test_a_number_in_a_note_that_its_article_does_not_state_is_an_error_at_the_note(tmp_path):
    figures = _with_note("digital-share-gdp-2021", "Up from 38.7% a year earlier.")
    [(rule, line, message)] = prose_problems(tmp_path, **{"data/figures/sample-news.yaml": figures})
    assert rule == "unsourced-number" and "'38.7%'" in message
    assert figures.splitlines()[line - 1].startswith("    note:")


def test_a_note_may_name_the_other_figures_of_its_indicator_and_the_articles_own_numbers(tmp_path):
    figures = _with_note(
        "digital-share-gdp-2021",
        "The 2019 figure (over 50%) was stated on another measure; the article gives 1.6 trillion yuan too.",
    )
    assert prose_problems(tmp_path, **{"data/figures/sample-news.yaml": figures}) == []


def test_a_superlative_the_article_never_uses_is_an_error_and_a_hedge_is_not(tmp_path):
    figures = _with_note("digital-share-gdp-2021", "The highest share of any province.")
    [(rule, _, message)] = prose_problems(tmp_path, **{"data/figures/sample-news.yaml": figures})
    assert rule == "unsourced-claim" and "'highest'" in message
    hedged = _with_note("digital-share-gdp-2021", "Most likely the value added; stored only to place the bar.")
    assert prose_problems(tmp_path, **{"data/figures/sample-news.yaml": hedged}) == []


def test_an_indicator_description_is_read_against_the_articles_of_its_figures(tmp_path):
    indicators = INDICATORS.replace(
        "description: Real GDP, year on year.",
        "description: Firms with revenue of 20 million yuan or more, year on year.",
    )
    [(rule, _, message)] = prose_problems(tmp_path, **{"data/indicators/all.yaml": indicators})
    assert rule == "unsourced-number" and "'20 million yuan'" in message


def test_a_source_s_notes_may_give_its_date_and_an_omitted_reason_no_outside_year(tmp_path):
    source = source_yaml(
        notes="'A report of 11 November 2022 on the economy.'",
        omitted="[{quote: 'about one-fifth', reason: 'A target for 2035, not a figure.'}]",
    )
    problems = prose_problems(tmp_path, **{"data/sources/sample-news.yaml": source})
    assert [(rule, message.split("'")[1]) for rule, _, message in problems] == [("unsourced-number", "2035")]


def _put_back(data: Path, entry: dict) -> None:
    """Write an old text back into the data file that holds its item."""
    folder = {"figure": "figures", "indicator": "indicators", "source": "sources"}[entry["kind"]]
    for path in sorted((data / folder).glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        items = [document["source"]] if entry["kind"] == "source" else document.get(f"{entry['kind']}s", [])
        for item in items:
            if item.get("id") != entry["id"]:
                continue
            field = entry["field"].split(".")
            if field[0] == "omitted":
                item["omitted"][int(field[1])]["reason"] = entry["text"]
            else:
                item[field[0]] = entry["text"]
            path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
            return
    pytest.skip(f"{entry['kind']} {entry['id']} is no longer in the data")


@pytest.mark.parametrize("entry", BEFORE, ids=[f"{e['id']}.{e['field']}" for e in BEFORE])
def test_each_note_or_description_the_editorial_pass_corrected_is_refused_again(entry, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(project_data(), data)
    _put_back(data, entry)
    checked = check_data(data)
    path = [int(step) if step.isdigit() else step for step in entry["field"].split(".")]
    where = checked.locator(entry["kind"], entry["id"], *path)
    rules = {d.rule for d in checked.errors if d.location == where}
    assert rules == set(entry["rules"])


# ---- metadata true to its page, read back from the built files --------------------------------------


@pytest.fixture(scope="module")
def timeline_site(tmp_path_factory) -> Path:
    from beijing_econ_site.build.run import build_site
    from beijing_econ_site.site.pages import SiteConfig
    from tests.test_time_charts import timeline_files

    root = write_tree(tmp_path_factory.mktemp("metadata"), timeline_files())
    build_site(root / "data", root / "_site", root / "templates", config=SiteConfig(base_url=""))
    return root / "_site"


def _meta(page: str, name: str) -> str:
    import re

    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', page)
    assert found is not None, name
    return found[1]


def test_an_embedded_chart_is_shared_with_a_card_of_its_own_figure(timeline_site):
    import html
    import json

    for embed in sorted((timeline_site / "embed").glob("*/index.html")):
        page = embed.read_text(encoding="utf-8")
        alt = html.unescape(_meta(page, "og:image:alt"))
        spec = json.loads((timeline_site / "charts" / f"{embed.parent.name}.vl.json").read_text(encoding="utf-8"))
        shown = {str(mark["display"]) for mark in spec["datasets"]["figures"]}
        assert any(f" {value}:" in alt for value in shown), (embed.parent.name, alt, shown)


def _text_nodes(page: str) -> list[str]:
    """Each run of text of a page, and each meta content: a doubled word is within one."""
    import re
    from html.parser import HTMLParser

    class Collector(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.nodes: list[str] = []

        def handle_data(self, data: str) -> None:
            if data.strip():
                self.nodes.append(" ".join(data.split()))

    collector = Collector()
    collector.feed(page)
    return collector.nodes + re.findall(r'content="([^"]*)"', page)


def test_counts_agree_in_number_and_no_word_is_doubled_on_any_page(timeline_site):
    import re

    for page in sorted(timeline_site.rglob("*.html")):
        for node in _text_nodes(page.read_text(encoding="utf-8")):
            assert not re.search(r"\b1 (?:figures|sources|articles|indicators|years|charts)\b", node), (page, node)
            doubled = re.search(r"\b([A-Za-z]{3,})\s+\1\b", node, re.IGNORECASE)
            assert doubled is None, (page, node)


def test_chart_descriptions_read_as_english(timeline_site):
    import re

    for page in sorted(timeline_site.rglob("*.html")):
        for description in re.findall(r'<desc id="[^"]+">([^<]*)</desc>', page.read_text(encoding="utf-8")):
            assert not re.search(r"\b(?:before|from) \d{4}, \d{4}\b", description), description
            assert ", ." not in description and ".." not in description and "  " not in description


def test_a_period_in_a_chart_description_reads_as_a_phrase_not_as_a_label(timeline_site):
    import re

    described = []
    for page in sorted(timeline_site.rglob("*.html")):
        described += re.findall(r'<desc id="[^"]+">([^<]*)</desc>', page.read_text(encoding="utf-8"))
    assert any("between 31 Dec 2020 and 5 Aug 2023" in d for d in described)  # the charging points' gap
    for description in described:
        assert not re.search(r"\b(?:between|and|from|before) as of\b", description), description
        assert not re.search(r"\. [a-z]", description), description  # each sentence begins with a capital


def test_a_label_that_names_its_place_is_not_followed_by_the_place_again(timeline_site):
    import re

    for page in sorted(timeline_site.rglob("*.html")):
        for node in _text_nodes(page.read_text(encoding="utf-8")):
            # 'World export growth (World)'; an id and its label ('world (World)') are not a repetition
            repeated = re.search(r"\b(\w{3,})\b[^()]*?\w[^()]*\(\1\)", node, re.IGNORECASE)
            assert repeated is None, (page, node)
    year = (timeline_site / "2023" / "index.html").read_text(encoding="utf-8")
    assert "World export growth" in year


def test_the_downloads_give_the_article_s_words_with_their_qualifier_and_say_which_periods_are_read(timeline_site):
    import csv
    import json

    rows = {r["id"]: r for r in json.loads((timeline_site / "data" / "figures.json").read_text(encoding="utf-8"))}
    assert rows["services-share-gdp-2023"]["stated"] == "nearly 50%"
    assert rows["industry-share-gdp-2023"]["stated"] == "more than 30%"
    assert rows["farming-share-gdp-2023"]["stated"] == "0.3%"
    read = {"charging-points-2024-09-01", "mining-share-gdp-2023"}  # "now" at the article's date; "last year"
    assert {i for i, r in rows.items() if r["period_inferred"]} == read
    with (timeline_site / "data" / "figures.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert {"comparability", "doubt", "period_inferred"} <= set(table[0])
    [changed] = [r for r in table if r["comparability"]]
    assert changed["id"] == "export-growth-2022-h1"


def test_every_indicator_reported_for_two_periods_is_charted_or_listed_with_the_reason(timeline_site):

    page = (timeline_site / "compare" / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="not-charted"') :]
    assert "Containers handled at the port" in section
    assert (
        "its amounts are over periods of different lengths, which no line joins: 2022, a year; H1 2023, a half-year"
        in section
    )
    assert 'id="chart-containers-handled' not in page


def _period_read(period: str, quote: str, published: str, reviews_year: int | None = None) -> bool:
    from beijing_econ_site.data.models import Figure, Source
    from beijing_econ_site.facts import period_is_read

    source = Source.model_validate(
        {
            "id": "s",
            "title": "t",
            "publisher": "p",
            "published": published,
            "reviews_year": reviews_year,
            "language": "en",
            "archive": "s.txt",
            "sha256": "0" * 64,
        }
    )
    figure = Figure.model_validate(
        {
            "id": "f",
            "indicator": "i",
            "value": 1,
            "unit": "count",
            "qualifier": "exact",
            "period": period,
            "scope": "beijing",
            "source": "s",
            "quote": quote,
        }
    )
    return period_is_read(figure, source)


@pytest.mark.parametrize(
    ("period", "quote", "published", "reviews_year", "read"),
    [
        ("2023", "A total of 30,000 were added.", "2024-02-04", 2023, True),  # a review names no year
        ("2023", "In 2023, 30,000 were added.", "2024-02-04", 2023, False),
        ("2023", "In 2023, 30,000 were added.", "2024-02-04", None, False),
        ("2023-12-31", "Listings nearly tripled since it began.", "2024-02-04", 2023, True),  # a day of it
        ("2023-H2", "Exports grew 3% in the second half.", "2024-02-04", 2023, True),  # a part of it
        ("2023-12-31", "By the end of 2023, listings had tripled.", "2024-02-04", 2023, False),
        ("2022-11-11", "The city now has 3 parks.", "2022-11-11", None, True),  # 'now': the article's date
        ("2022-11-11", "As of November 11, the city had 3 parks.", "2022-11-11", None, False),
        ("2022-06-30", "The city now has 3 parks.", "2022-11-11", None, False),
    ],
)
def test_a_period_the_article_does_not_state_is_labelled_as_read(period, quote, published, reviews_year, read):
    assert _period_read(period, quote, published, reviews_year) is read


def test_a_month_dated_article_is_a_month_in_the_feed(tmp_path):
    from beijing_econ_site.build.run import build_site
    from beijing_econ_site.site.pages import SiteConfig
    from tests.test_time_charts import SOURCE, timeline_files

    files = timeline_files()
    files[f"data/sources/{SOURCE}.yaml"] = str(files[f"data/sources/{SOURCE}.yaml"]).replace(
        'published: "2024-09-01"', 'published: "2024-09"'
    )
    root = write_tree(tmp_path, files)
    build_site(root / "data", root / "_site", root / "templates", config=SiteConfig(base_url=""))
    feed = (root / "_site" / "feed.xml").read_text(encoding="utf-8")
    assert "<dc:date>2024-09</dc:date>" in feed and "2024-09-01T" not in feed
    assert "<updated>2024-09-30T00:00:00Z</updated>" in feed  # the latest day of the month, never an earlier one


# ---- the site profile's and the templates' own words ---------------------------------------------


def test_the_site_profile_s_text_is_read_against_every_article(tmp_path):
    from tests.helpers import PROFILE

    profile = PROFILE.replace(
        "description: A sample site for the engine's tests, every number quoted from its source.",
        "description: The fastest-growing city, whose GDP grew 12% a year.",
    )
    problems = prose_problems(tmp_path, **{"data/site.yaml": profile})
    line = profile.splitlines().index("description: The fastest-growing city, whose GDP grew 12% a year.") + 1
    # the number is the profile lint's number-in-prose: every number typed into the profile is refused
    assert [(rule, where) for rule, where, _ in problems] == [("unsourced-claim", line)]


def test_the_engine_s_theme_states_no_number_and_no_claim_of_its_own():
    from beijing_econ_site.checks.prose import check_templates

    theme = ROOT / "src" / "beijing_econ_site" / "theme"
    assert [d.format() for d in check_templates(theme, "theme")] == []


@pytest.mark.parametrize(
    ("words", "rules"),
    [
        ("<p>The city grew 8% last year.</p>", ["template-number"]),
        ("<p>The largest economy in the region.</p>", ["template-claim"]),
        ('<p title="the first city to publish">Hi</p>', ["template-claim"]),
        ('{% set dek = "Growth of 8% on every page" %}<p>{{ dek }}</p>', ["template-number"]),
        ("<p>A value is stored in base units: <code>1.6 trillion</code> is <code>1600000000000</code>.</p>", []),
        ('<p>One row per figure, at-least (“more than”), UTF-8.</p><img width="600" alt="">', []),
    ],
)
def test_a_site_template_s_own_words_hold_no_number_or_claim(words, rules):
    from beijing_econ_site.checks.prose import template_problems

    found = template_problems("{% extends 'base.html' %}\n{% block main %}\n" + words + "\n{% endblock %}\n", "t.html")
    assert [d.rule for d in found] == rules
    assert all(d.location.line == 3 for d in found)


def test_a_build_refuses_a_site_template_that_makes_a_claim_and_keeps_the_previous_site(tmp_path):
    from beijing_econ_site.build.run import DataError, build_site
    from beijing_econ_site.site.pages import SiteConfig

    root = write_tree(tmp_path, dataset_files())
    build_site(root / "data", root / "_site", root / "templates", config=SiteConfig(base_url=""))
    before = (root / "_site" / "index.html").read_bytes()
    write_tree(
        root, {"templates/404.html": "{% extends 'base.html' %}{% block main %}<p>The top site.</p>{% endblock %}"}
    )
    with pytest.raises(DataError) as refused:
        build_site(root / "data", root / "_site", root / "templates", config=SiteConfig(base_url=""))
    assert [d.rule for d in refused.value.diagnostics] == ["template-claim"]
    assert (root / "_site" / "index.html").read_bytes() == before


def test_an_embedded_chart_s_card_says_what_the_chart_marks_on_itself(timeline_site):
    import html

    marked = html.unescape(
        _meta((timeline_site / "embed" / "chart-export-growth" / "index.html").read_text(), "og:image:alt")
    )
    assert "Its values may not be comparable: the chart marks where the measure may differ" in marked
    plain = html.unescape(
        _meta((timeline_site / "embed" / "chart-parcels-handled" / "index.html").read_text(), "og:image:alt")
    )
    assert "measure may differ" not in plain and "more than one article" not in plain


@pytest.mark.project_data
def test_each_claim_the_data_records_covers_a_word_that_is_warned_of_without_it(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(project_data(), data)
    recorded = 0
    for path in sorted((data / "sources").glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        recorded += len(document["source"].pop("claims", []))
        path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    warned = [d for d in check_data(data).warnings if d.rule == "claim-not-covered"]
    assert len(warned) >= recorded  # a claim covers at least one word of rank


def test_a_doubt_is_read_against_its_article_like_a_note(tmp_path):
    figures = _with_note("digital-share-gdp-2021", "x").replace(
        "    note: 'x'\n", "    doubt: 'Likely 4.04%, a misprint.'\n"
    )
    [(rule, line, message)] = prose_problems(tmp_path, **{"data/figures/sample-news.yaml": figures})
    assert rule == "unsourced-number" and "'4.04%'" in message and "doubt" in message
    assert figures.splitlines()[line - 1].startswith("    doubt:")


@pytest.mark.parametrize(
    ("sentence", "claims"),
    [
        ("The revenue passed a trillion for the first time in 2018.", []),  # a milestone of its own
        ("It was applied for the first time in the history of the Games.", ["first"]),  # precedence
        ("It was done for the first time in history.", ["first"]),
        ("Output grew in the first half, led by services.", ["led"]),
        ("The plans lead to growth, at least in part.", []),
        ("It strives to be a global benchmark city and a pacesetter.", ["benchmark city", "pacesetter"]),  # aims
        ("The benchmark measures build times.", []),  # a benchmark that is a measurement
    ],
)
def test_a_first_time_in_history_is_a_claim_of_precedence_and_a_first_time_in_a_year_is_not(sentence, claims):
    from beijing_econ_site.checks.coverage import claims_to_cover

    assert [m[0] for m in claims_to_cover(sentence)] == claims
