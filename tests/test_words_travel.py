"""What a figure's row says travels with the figure, wherever a reader meets it: in search, in
citations, in the downloads, on cards and in chart descriptions.

The tests own their article (the timeline fixture of tests/fixtures/timeline/), with what the
real articles have and more: a headline the article does not have (the site's descriptive
title), a date the site reads, a number the site doubts, a figure whose measure may differ, a
number stressed with "as many as", and time charts that draw no line at all."""

from __future__ import annotations

import csv
import gzip
import json
import re
from pathlib import Path

import pytest

from beijing_econ_site.build.run import build_site
from beijing_econ_site.site.pages import SiteConfig
from tests.helpers import write_tree
from tests.test_time_charts import SOURCE, timeline_files

STRESSED = "As many as 12 new ports opened in 2023."
APART = "The city opened 10 new ports in 2021."  # with the 2023 figure: two points a gap apart, no line
# a number the article relays from another's report, in a sentence that quotes a quote
RELAYED = (
    "According to the 2024 yearbook of the Port Authority, the city handled 3 million containers in 2023, "
    "a year it called “the turn of the tide”."
)


def _files() -> dict[str, str | bytes]:
    from tests.helpers import sha256

    files = timeline_files()
    article = str(files[f"data/sources/{SOURCE}.txt"]) + STRESSED + "\n" + APART + "\n" + RELAYED + "\n"
    files[f"data/sources/{SOURCE}.txt"] = article
    source = str(files[f"data/sources/{SOURCE}.yaml"])
    source = re.sub(r"sha256: [0-9a-f]{64}", f"sha256: {sha256(article)}", source)
    source = source.replace(
        "  publisher: Timeline News\n",
        "  title_descriptive: true\n  publisher: Timeline News\n"
        "  dated_by: the month of the print edition; the day is read from the page\n",
    )
    files[f"data/sources/{SOURCE}.yaml"] = source
    files["data/indicators/timeline.yaml"] = str(files["data/indicators/timeline.yaml"]) + (
        "  - id: ports-opened\n    label: Ports opened\n    unit: count\n    counts: ports\n    kind: flow\n"
        "    topic: infrastructure\n    description: New ports the city opened over the period.\n"
    )
    files["data/indicators/timeline.yaml"] = str(files["data/indicators/timeline.yaml"]) + (
        "  - id: freight-handled\n    label: Freight containers handled, yearbook\n    unit: count\n    counts: freight containers\n"
        "    kind: flow\n    topic: infrastructure\n    description: Containers the city's ports handled.\n"
    )
    files[f"data/figures/{SOURCE}.yaml"] = str(files[f"data/figures/{SOURCE}.yaml"]) + (
        "  - id: freight-handled-2023\n    indicator: freight-handled\n    value: 3000000\n    unit: count\n"
        f'    qualifier: exact\n    period: "2023"\n    scope: beijing\n    source: {SOURCE}\n'
        f"    quote: '{RELAYED}'\n    cites: the 2024 yearbook of the Port Authority\n"
        "  - id: ports-opened-2023\n    indicator: ports-opened\n    value: 12\n    unit: count\n"
        f'    qualifier: exact\n    period: "2023"\n    scope: beijing\n    source: {SOURCE}\n'
        f'    quote: "{STRESSED}"\n'
        "  - id: ports-opened-2021\n    indicator: ports-opened\n    value: 10\n    unit: count\n"
        f'    qualifier: exact\n    period: "2021"\n    scope: beijing\n    source: {SOURCE}\n'
        f'    quote: "{APART}"\n'
    )
    files["data/stories/compare.md"] = (
        "Charging points went from {{fig:charging-points-2023-08-05}} to {{fig:charging-points-2024-09-01}}, "
        "a change of {{change:charging-points-2023-08-05:charging-points-2024-09-01}}.\n"
    )
    return files


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = write_tree(tmp_path_factory.mktemp("travel"), _files())
    build_site(root / "data", root / "_site", root / "templates", config=SiteConfig(base_url=""))
    return root / "_site"


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_a_descriptive_title_is_cited_in_brackets_never_in_quotation_marks_as_a_headline(site):
    title = "Ten years of a city's trade, parcels and chargers"
    year = (site / "2023" / "index.html").read_text(encoding="utf-8")
    assert f"[{title}]" in year.replace("&#39;", "'")
    assert f"“{title}”" not in year.replace("&#39;", "'")
    rows = json.loads((site / "data" / "figures.json").read_text(encoding="utf-8"))
    assert {r["source_title"] for r in rows} == {f"[{title}]"}
    feed = (site / "feed.xml").read_text(encoding="utf-8").replace("&#39;", "'")
    assert f"Source: [{title}]" in feed
    source_page = _text((site / "sources" / SOURCE / "index.html").read_text(encoding="utf-8"))
    assert "The article has no headline: this title is the site's description of it" in source_page.replace(
        "&#39;", "'"
    )


def test_the_downloads_say_what_the_date_of_the_source_dates(site):
    rows = json.loads((site / "data" / "figures.json").read_text(encoding="utf-8"))
    assert {r["dated_by"] for r in rows} == {"the month of the print edition; the day is read from the page"}
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert "dated_by" in fields and "`published`" in fields["dated_by"]["description"]


def test_a_stressed_number_is_stated_with_its_words(site):
    rows = {r["id"]: r for r in json.loads((site / "data" / "figures.json").read_text(encoding="utf-8"))}
    assert rows["ports-opened-2023"]["stated"] == "As many as 12"
    assert rows["ports-opened-2023"]["qualifier"] == "exact"


def _search_records(site: Path) -> str:
    """The words of every record Pagefind indexed, from its fragments."""
    words = []
    for fragment in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(fragment.read_bytes())[len(b"pagefind_dcd") :])
        words.append(data["content"])
    return " ".join(words)


def test_search_finds_a_figure_with_the_doubt_and_the_comparability_its_row_shows_and_no_markdown(site):
    records = _search_records(site)
    assert "70% (doubtful)" in records
    assert "The site doubts this number: The article prints 70%" in records
    assert "Comparability: The article says a new method of counting" in records
    assert "**" not in records and "`" not in records


def test_a_chart_csv_carries_the_comparability_of_each_row(site):
    with (site / "charts" / "chart-export-growth.csv").open(encoding="utf-8", newline="") as handle:
        rows = {r["id"]: r for r in csv.DictReader(handle)}
    assert rows["export-growth-2022-h1"]["comparability"].startswith("The article says a new method")
    assert all("\n" not in r["comparability"] and "**" not in r["comparability"] for r in rows.values())
    assert rows["export-growth-2021"]["comparability"] == ""


def test_a_time_chart_that_joins_no_two_points_is_not_described_as_a_line(site):
    page = (site / "compare" / "index.html").read_text(encoding="utf-8")
    descriptions = dict(re.findall(r'<desc id="(chart-[^"]+)-desc">(.*?)</desc>', page, re.S))
    assert descriptions["chart-ports-opened"].startswith("Chart of points, no two joined, on a time axis")
    assert "No line is drawn across the gaps in the data: between 2021 and 2023." in descriptions["chart-ports-opened"]
    assert descriptions["chart-export-growth"].startswith("Line chart on a time axis")


def test_a_chart_description_gives_each_value_s_source_without_nesting_parentheses(site):
    page = (site / "compare" / "index.html").read_text(encoding="utf-8")
    for description in re.findall(r'<desc id="chart-[^"]+-desc">(.*?)</desc>', page, re.S):
        depth = deepest = 0
        for character in description:
            depth += {"(": 1, ")": -1}.get(character, 0)
            deepest = max(deepest, depth)
        assert deepest <= 1, description
        assert "according to Timeline News" in description


def test_a_computed_change_says_which_of_its_periods_the_site_reads_without_a_second_parenthesis(site):
    page = _text((site / "compare" / "index.html").read_text(encoding="utf-8"))
    assert (
        "+12,000 (computed from the figures as of 5 Aug 2023 and as of 1 Sep 2024; "
        "the second period is the site's reading)" in page.replace("&#39;", "'").replace(" ;", ";")
    )


def test_a_year_page_s_description_says_for_how_many_figures_the_site_reads_the_period(site):
    page = (site / "2023" / "index.html").read_text(encoding="utf-8")
    described = re.search(r'<meta name="description" content="([^"]*)"', page)
    assert described is not None and "the period of 1 of them read by the site from the context" in described[1]


def test_a_downloaded_chart_carries_its_title_and_every_source_of_its_values(site):
    import struct

    svg = (site / "charts" / "chart-ports-opened.svg").read_text(encoding="utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts[0] == "Ports opened"
    assert "Source: Timeline News, 1 September 2024" in " ".join(texts)
    height = float(re.search(r'<svg[^>]* height="([\d.]+)"', svg)[1])  # type: ignore[index]
    png = (site / "charts" / "chart-ports-opened.png").read_bytes()
    assert struct.unpack(">II", png[16:24])[1] == round(2 * height)  # the PNG is the framed picture, at 2x
    page = (site / "compare" / "index.html").read_text(encoding="utf-8")
    inline = page[page.index('id="chart-ports-opened"') :]
    assert "Source: Timeline News, 1 September 2024</text>" not in inline[: inline.index("</svg>")]


def test_the_chart_inside_a_downloaded_picture_is_the_one_the_page_inlines(site):
    from beijing_econ_site.build.vega import unframed

    page = (site / "compare" / "index.html").read_text(encoding="utf-8")
    for download in (site / "charts").glob("chart-*.svg"):
        chart = download.name.removesuffix(".svg")
        if f'id="{chart}-title"' not in page:
            continue
        start = page.rindex("<svg", 0, page.index(f'id="{chart}-title"'))
        inline = page[start : page.index("</svg>", start) + len("</svg>")]
        assert unframed(download.read_text(encoding="utf-8")) == inline, chart


def test_a_story_s_search_record_is_its_prose_without_the_quotes_its_references_pop_up(tmp_path):
    from beijing_econ_site.checks.run import check_data
    from beijing_econ_site.site.markdown import render_story
    from beijing_econ_site.site.search import search_records
    from beijing_econ_site.site.views import derive

    files = _files()
    checked = check_data(write_tree(tmp_path, files) / "data")
    site = derive(checked.dataset)
    story = render_story(str(files["data/stories/compare.md"]), site.figures, "")
    [record] = [r for r in search_records(site, [("compare/", "Compare", story)], {}) if r.kind == "Story"]
    assert record.content.startswith("Charging points went from 40,000 to 52,000")
    assert "As of August 5, 2023" not in record.content  # the first reference's quote, shown on pointing


def test_a_relayed_number_cites_whom_the_article_credits_on_every_source_line(site):
    credited = "citing the 2024 yearbook of the Port Authority"
    year = _text((site / "2023" / "index.html").read_text(encoding="utf-8"))
    assert f"Timeline News, 5 Aug 2023, {credited}" in year or re.search(f"Timeline News, [^;]*, {credited}", year)
    assert f"{credited}, via" in year  # the short citation
    rows = {r["id"]: r for r in json.loads((site / "data" / "figures.json").read_text(encoding="utf-8"))}
    assert rows["freight-handled-2023"]["cites"] == "the 2024 yearbook of the Port Authority"
    assert {r["cites"] for i, r in rows.items() if i != "freight-handled-2023"} == {""}
    with (site / "data" / "figures.csv").open(encoding="utf-8", newline="") as handle:
        assert "cites" in next(csv.reader(handle))


def test_a_quote_that_quotes_in_double_marks_is_itself_in_single_marks(site):
    year = (site / "2023" / "index.html").read_text(encoding="utf-8")
    assert "‘According to the 2024 yearbook" in year and "“the turn of the tide”.’" in year
    assert "““" not in year and "””" not in year
    assert "“As many as 12 new ports opened in 2023.”" in year  # one without inner marks keeps double ones


def test_whom_a_figure_cites_must_be_the_quote_s_own_words(tmp_path):
    from beijing_econ_site.checks.run import check_data

    files = _files()
    figures = str(files[f"data/figures/{SOURCE}.yaml"])
    files[f"data/figures/{SOURCE}.yaml"] = figures.replace(
        "cites: the 2024 yearbook of the Port Authority", "cites: the World Bank"
    )
    checked = check_data(write_tree(tmp_path, files) / "data")
    errors = [d.format() for d in checked.errors]
    assert any(f"data/figures/{SOURCE}.yaml:" in e and "'cites' must be the quote's own words" in e for e in errors)


def test_a_downloaded_note_has_each_paragraph_on_one_line_and_keeps_its_lists():
    from beijing_econ_site.site.export import unwrapped

    wrapped = "The article says\n“over 30%”; the site\nreads it as a bound.\n\nTwo readings:\n- one\n- two\n"
    assert (
        unwrapped(wrapped)
        == "The article says “over 30%”; the site reads it as a bound.\n\nTwo readings:\n- one\n- two"
    )
    assert unwrapped(None) == "" and unwrapped("One line.") == "One line."
    # a line that starts with a year and a stop continues its paragraph: no list starts there
    assert unwrapped("Set for the end of\n2020. The article names no base.") == (
        "Set for the end of 2020. The article names no base."
    )


def test_a_search_excerpt_reads_the_heading_and_the_text_as_two_sentences(site):
    from beijing_econ_site.site.search import Record, records_page

    page = records_page([Record("2023/#x", "Ports opened, 2023: 12", "As many as 12 new ports opened.", "Figure")])
    assert ">Ports opened, 2023: 12.</h2><p>As many as 12" in page
    script = (site / "assets" / "search.js").read_text(encoding="utf-8")
    assert 'sub.title.replace(/\\.$/, "")' in script  # the page shows the title without that stop


def test_text_from_html_puts_a_space_at_a_block_s_edge_and_none_at_an_inline_element_s():
    from beijing_econ_site.site.markdown import html_as_text

    assert html_as_text('GDP fell <span class="fig"><a href="#x">3.2%</a></span>. Then, <em>it</em>, rose') == (
        "GDP fell 3.2%. Then, it, rose"
    )
    assert html_as_text('fell too (<a href="#y">−3.7%</a>), "<a href="#z">top 20</a>" for') == (
        'fell too (−3.7%), "top 20" for'
    )
    assert html_as_text("<p>By the end of the year ... additional</p><p>Next</p>") == (
        "By the end of the year ... additional Next"  # an elision keeps its spaces
    )
    assert html_as_text("<td>one</td><td>two</td>line<br>break") == "one two line break"


def test_a_figure_s_search_record_gives_its_quote_in_quotation_marks(tmp_path):
    from beijing_econ_site.checks.run import check_data
    from beijing_econ_site.site.search import figure_record
    from beijing_econ_site.site.views import derive

    views = derive(check_data(write_tree(tmp_path, _files()) / "data").dataset).figures
    assert figure_record(views["ports-opened-2023"]).content.startswith(f"“{STRESSED}”")
