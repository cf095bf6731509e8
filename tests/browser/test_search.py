"""Search in a real browser: words and numbers find the figures, and each result links to the
figure's row on its page."""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import quote

import pytest

from tests.browser.conftest import wait_until

SETTLED = "document.getElementById('search-status').textContent.indexOf('result') >= 0 || document.getElementById('search-status').textContent.indexOf('Nothing') >= 0"


def results(page) -> list[tuple[str, str]]:
    return [(a.get_attribute("href"), a.inner_text()) for a in page.query_selector_all("#search-results li > a")]


@pytest.fixture(scope="module")
def exported(built_site) -> list[dict]:
    return json.loads((built_site / "data" / "figures.json").read_text(encoding="utf-8"))


def a_figure_with_a_value_of_its_own(figures: list[dict]) -> dict:
    """A figure whose number, written with a decimal point, no other figure states: a reader
    searching for it expects that figure (chosen by a rule, never by today's ids)."""
    written = Counter(str(f["value"]) for f in figures)
    unique = [f for f in figures if isinstance(f["value"], float) and written[str(f["value"])] == 1]
    assert unique, "the data has a figure whose number no other figure states"
    return min(unique, key=lambda f: f["id"])


def a_figure_of_a_long_label(figures: list[dict]) -> dict:
    """A figure of an indicator whose label has three words or more: searched by its words."""
    long = [f for f in figures if len(f["label"].split()) >= 3 and "," not in f["label"]]
    assert long, "the data has an indicator of three words or more"
    return min(long, key=lambda f: (f["label"], f["id"]))


def _search(page, base_url: str, query: str) -> list[tuple[str, str]]:
    page.goto(base_url + "search/?q=" + quote(query))
    wait_until(page, SETTLED)
    return results(page)


def test_a_number_finds_its_figure_and_links_to_its_row(context, base_url, exported):
    figure = a_figure_with_a_value_of_its_own(exported)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    found = _search(page, base_url, str(figure["value"]))
    assert any(href.endswith("#" + figure["id"]) for href, _ in found[:5]), (figure["id"], found[:5])
    assert all(url.startswith(base_url) for url in requested), "a request left the site"
    href = next(href for href, _ in found if href.endswith("#" + figure["id"]))
    page.goto(href)
    row = page.query_selector(f'[id="{figure["id"]}"]')
    assert row is not None and str(figure["value"]) in row.inner_text()


def test_words_find_the_figures_of_their_indicator(context, base_url, exported):
    figure = a_figure_of_a_long_label(exported)
    ids = {f["id"] for f in exported if f["indicator"] == figure["indicator"]} | {figure["indicator"]}
    page = context.new_page()
    found = _search(page, base_url, figure["label"])
    assert any(href.rsplit("#", 1)[-1] in ids and figure["label"] in text for href, text in found[:5]), found[:5]


def test_the_box_on_every_page_searches_from_where_the_reader_is(context, base_url, exported):
    figure = a_figure_with_a_value_of_its_own(exported)
    value = str(figure["value"])
    page = context.new_page()
    page.goto(base_url + f"sources/{figure['source']}/")
    page.fill("#site-search", value)
    page.press("#site-search", "Enter")
    page.wait_for_url(f"**/search/?q={value}")
    wait_until(page, SETTLED)
    assert any(href.endswith("#" + figure["id"]) for href, _ in results(page)[:5])


def test_typing_searches_as_the_reader_types_and_says_when_nothing_is_found(context, base_url):
    page = context.new_page()
    page.goto(base_url + "search/")
    page.type("#search-query", "zzqxj", delay=20)
    wait_until(page, "document.getElementById('search-status').textContent.indexOf('Nothing') >= 0")
    assert results(page) == []
    page.fill("#search-query", "")
    page.type("#search-query", "Zhongguancun", delay=20)
    wait_until(page, "document.querySelectorAll('#search-results li').length > 0")
    assert any("Zhongguancun" in text or "zgc" in href for href, text in results(page))
