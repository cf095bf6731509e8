"""End to end, in real Chromium: what a reader's browser does with the built site."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest


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
    assert published > 0 and charts >= published, "every published chart is drawn on a page"


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


def test_pointing_at_a_mark_shows_its_value_period_qualifier_and_source_and_fetches_nothing(context, base_url):
    page = context.new_page()
    page.goto(base_url + "compare/", wait_until="networkidle")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    chart = page.locator("figure.chart").first
    point = chart.locator(".tip-mark").first
    point.hover(force=True)
    tip = page.locator("#chart-tip")
    page.wait_for_selector("#chart-tip.visible", timeout=2000)
    text = tip.inner_text()
    assert text == point.get_attribute("data-tip")
    rows = [
        [(cell.text_content() or "").strip() for cell in row.locator("td").all()]
        for row in chart.locator("table tbody tr").all()
    ]
    # the tip reads as the chart's data table does: indicator, period, value and source of one row
    assert any(
        text.startswith(indicator) and f", {period}: {shown} (" in text and f"Source: {source}" in text
        for indicator, period, shown, source in rows
    ), (text, rows)
    assert any(
        words in text for words in ("(as stated, without a qualifier)", "lower bound", "upper bound", "(approximate)")
    )
    box, mark = tip.bounding_box(), point.bounding_box()
    assert box and mark and abs(box["x"] - mark["x"]) < 400, "the tooltip sits beside the mark"
    page.mouse.move(5, 5)
    page.wait_for_selector("#chart-tip:not(.visible)", timeout=2000)
    assert requests == [], f"hovering fetched {requests}"


def test_a_keyboard_reader_tabs_to_a_chart_and_reads_each_value_with_the_arrow_keys(context, base_url):
    page = context.new_page()
    page.goto(base_url + "compare/")
    canvas = page.locator(".chart-canvas").first
    marks = canvas.locator(".tip-mark")
    for _ in range(200):  # Tab until the first chart has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('chart-canvas')"):
            break
    assert page.evaluate("document.activeElement === document.querySelector('.chart-canvas')")
    assert "use the arrow keys" in (canvas.get_attribute("aria-label") or "")
    tip = page.locator("#chart-tip")
    assert tip.get_attribute("aria-live") == "polite" and tip.get_attribute("role") == "status"
    read = [tip.inner_text()]
    for _ in range(marks.count() - 1):
        page.keyboard.press("ArrowRight")
        read.append(tip.inner_text())
    assert read == [marks.nth(i).get_attribute("data-tip") for i in range(marks.count())]
    assert page.locator(".tip-mark.is-current").count() == 1
    page.keyboard.press("Escape")
    assert "visible" not in (tip.get_attribute("class") or "") and tip.inner_text() == ""


def test_after_hovering_and_focusing_every_chart_no_page_has_fetched_more_than_15_kb_of_script(
    context, base_url, page_paths
):
    import gzip
    import urllib.request

    for path in page_paths:
        page = context.new_page()
        scripts: list[str] = []
        page.on("request", lambda r, s=scripts: r.resource_type == "script" and s.append(r.url))
        page.goto(base_url + path, wait_until="networkidle")
        for index in range(page.locator(".tip-mark").count()):
            page.locator(".tip-mark").nth(index).hover(force=True)
        for index in range(page.locator(".chart-canvas[tabindex]").count()):
            page.locator(".chart-canvas[tabindex]").nth(index).focus()
            page.keyboard.press("ArrowRight")
        page.wait_for_load_state("networkidle")
        fetched = sum(len(gzip.compress(urllib.request.urlopen(url).read())) for url in set(scripts))
        assert fetched <= 15 * 1024, f"{path}: {fetched} bytes of script, gzipped"
        assert all("vega" not in url for url in scripts), scripts
        page.close()


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


@pytest.mark.parametrize("width", [320, 1200])
def test_an_embedded_chart_sizes_itself_inside_an_iframe_with_its_tooltips(context, base_url, width):
    page = context.new_page()
    page.set_viewport_size({"width": width + 40, "height": 900})
    page.goto(base_url + "compare/")
    code = page.locator(".chart-embed code").first.text_content() or ""
    height = int(re.search(r'height="(\d+)"', code)[1])
    src = re.search(r'src="([^"]+)"', code)[1]
    host = f'<!doctype html><title>Host</title><iframe src="{base_url}compare/{src}" title="chart" width="{width}" height="{height}" style="border:0"></iframe>'
    page.set_content(host)
    frame = page.frame_locator("iframe")
    frame.locator("figure.chart svg").wait_for()
    inner = page.frames[1]
    sizes = inner.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth,"
        " document.documentElement.scrollHeight, document.documentElement.clientHeight]"
    )
    assert sizes[0] <= sizes[1], f"the embed overflows {width} px sideways: {sizes}"
    assert sizes[2] <= sizes[3] + 2, f"the embed needs more than its {height} px: {sizes}"
    assert "Source:" in inner.locator(".embed-source").inner_text()
    frame.locator(".tip-mark").first.hover(force=True)
    inner.wait_for_selector("#chart-tip.visible", timeout=2000)
