"""End to end, in real Chromium: what a reader's browser does with the built site."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser.conftest import wait_until


def visit_all(context, base_url, page_paths):
    """Load every page; collect console errors, page errors, failed and foreign requests."""
    problems = []
    page = context.new_page()
    host = urlparse(base_url).netloc
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on(
        "request",
        lambda r: (
            urlparse(r.url).scheme in ("http", "https")
            and urlparse(r.url).netloc != host
            and problems.append(f"foreign: {r.url}")
        ),
    )
    statuses = {}
    for path in page_paths:
        response = page.goto(base_url + path, wait_until="load")
        statuses[path] = response.status
    page.close()
    return statuses, problems


def test_every_page_answers_200_with_no_errors_and_no_foreign_requests(context, base_url, page_paths):
    statuses, problems = visit_all(context, base_url, page_paths)
    assert len(page_paths) >= 10
    assert set(statuses.values()) == {200}, statuses
    assert problems == []


def test_every_chart_svg_renders_with_a_size(context, base_url, page_paths, built_site):
    page = context.new_page()
    charts = 0
    for path in page_paths:
        page.goto(base_url + path)
        for svg in page.locator("figure.chart .chart-canvas > svg").all():
            box = svg.bounding_box()
            assert box and box["width"] > 100 and box["height"] > 50, f"{path}: chart of size {box}"
            charts += 1
    published = len(list(built_site.glob("charts/*.svg")))
    assert published > 10 and charts >= published, "every published chart is drawn on a page"


def test_no_horizontal_scroll_on_a_390px_phone(browser, base_url, page_paths):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    for path in page_paths:
        page.goto(base_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 390px"
    context.close()


def test_the_skip_link_comes_first_and_moves_focus_to_the_content(context, base_url):
    page = context.new_page()
    page.goto(base_url + "2021/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator("a.skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


@pytest.mark.parametrize("path", ["", "2019/", "compare/"])
def test_tab_reaches_every_link_and_control_in_order(context, base_url, path):
    page = context.new_page()
    page.goto(base_url + path)
    focusable = page.evaluate(
        """() => {
            const all = Array.from(document.querySelectorAll('a[href], summary, button, input, select, textarea, [tabindex]:not([tabindex="-1"])'))
                .filter(e => e.checkVisibility({visibilityProperty: true}));
            all.forEach((e, i) => e.dataset.tabIndexInTest = String(i));
            return all.length;
        }"""
    )
    reached = []
    for _ in range(focusable + 5):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate("document.activeElement.dataset ? document.activeElement.dataset.tabIndexInTest : null")
        )
    distinct = [int(r) for r in dict.fromkeys(reached) if r is not None]
    assert distinct[:focusable] == sorted(distinct[:focusable]), "Tab order differs from document order"
    assert len(distinct) == focusable, f"{len(distinct)} of {focusable} controls reached by Tab"


def test_the_interactive_enhancement_shows_a_tooltip_on_hover(context, base_url):
    page = context.new_page()
    page.goto(base_url + "compare/")
    chart = page.locator("figure.chart").first
    chart.hover()
    wait_until(page, "document.querySelector('figure.chart').dataset.enhanced === 'yes'")
    marks = chart.locator(".vega-embed path.mark-symbol, .vega-embed .mark-symbol path").first
    marks.wait_for(state="attached", timeout=5000)
    box = chart.locator(".vega-embed svg").bounding_box()
    assert box and box["width"] > 100
    # hover each point until the tooltip shows
    points = chart.locator(".vega-embed .mark-symbol path")
    shown = False
    for index in range(points.count()):
        points.nth(index).hover(force=True)
        try:
            page.wait_for_selector("#vg-tooltip-element.visible", timeout=1500)
            shown = True
            break
        except Exception:
            continue
    assert shown, "no tooltip appeared"
    assert "Value" in page.locator("#vg-tooltip-element").inner_text()


def test_with_javascript_off_every_chart_and_number_is_still_there(browser, base_url, page_paths):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    for path in page_paths:
        page.goto(base_url + path)
        for svg in page.locator("figure.chart svg").all():
            assert svg.is_visible()
        rows = page.locator("table.figures tbody tr")
        for index in range(min(rows.count(), 5)):
            assert rows.nth(index).locator("td.num").inner_text().strip()
    context.close()
