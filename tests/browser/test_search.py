"""Search in a real browser: words and numbers find the figures, and each result links to the
figure's row on its page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import wait_until

SETTLED = "document.getElementById('search-status').textContent.indexOf('result') >= 0 || document.getElementById('search-status').textContent.indexOf('Nothing') >= 0"


def results(page) -> list[tuple[str, str]]:
    return [(a.get_attribute("href"), a.inner_text()) for a in page.query_selector_all("#search-results li > a")]


@pytest.mark.parametrize(
    ("query", "figure", "words"),
    [
        ("5G", "#5g-base-stations-total-2020-06-30", "5G base stations"),
        ("40.4", "#digital-share-gdp-2021", "40.4%"),
        ("foreign investment", "#fdi-contractual-2021-01-02", "Contractual foreign investment"),
    ],
)
def test_a_search_finds_the_figure_and_links_to_its_row(context, base_url, query, figure, words):
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(base_url + "search/?q=" + query)
    wait_until(page, SETTLED)
    found = results(page)
    assert any(href.endswith(figure) and words in text for href, text in found[:5]), found[:5]
    assert all(url.startswith(base_url) for url in requested), "a request left the site"
    href = next(href for href, _ in found if href.endswith(figure))
    page.goto(href)
    row = page.query_selector(f'[id="{figure[1:]}"]')
    assert row is not None and words.split()[0] in row.inner_text()


def test_the_box_on_every_page_searches_from_where_the_reader_is(context, base_url):
    page = context.new_page()
    page.goto(base_url + "2021/")
    page.fill("#site-search", "40.4")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/search/?q=40.4")
    wait_until(page, SETTLED)
    assert results(page)[0][0].endswith("#digital-share-gdp-2021")


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
