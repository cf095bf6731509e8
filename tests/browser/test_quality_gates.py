"""Quality gates by tools written by others: axe-core, the Nu HTML Checker, LinkChecker."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [*WCAG_TAGS, "best-practice"]}})
    return [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in results.response["violations"]
    ]


def test_axe_finds_no_wcag_violations_on_any_page(context, base_url, page_paths):
    page = context.new_page()
    found = {}
    for path in page_paths:
        page.goto(base_url + path)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert found == {}


def test_axe_finds_no_violations_with_a_tooltip_showing_on_pointer_and_on_focus(context, base_url):
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base_url + "compare/")
    page.locator(".tip-mark").first.hover(force=True)
    page.wait_for_selector("#chart-tip.visible", timeout=2000)
    assert axe_violations(page) == []
    page.locator(".chart-canvas[tabindex]").nth(1).focus()
    page.keyboard.press("ArrowRight")
    assert page.locator("#chart-tip.visible").count() == 1
    assert axe_violations(page) == []
    assert errors == []


def test_every_chart_has_an_accessible_name_and_description(context, base_url, page_paths):
    page = context.new_page()
    for path in page_paths:
        page.goto(base_url + path)
        for svg in page.locator("figure.chart .chart-canvas > svg").all():
            name = page.evaluate(
                "s => document.getElementById(s.getAttribute('aria-labelledby')).textContent", svg.element_handle()
            )
            description = page.evaluate(
                "s => document.getElementById(s.getAttribute('aria-describedby')).textContent", svg.element_handle()
            )
            assert svg.get_attribute("role") == "img"
            assert len(name) > 5, path
            assert description.startswith(("Bar chart", "Line chart", "Chart of points")) and len(description) > 40, (
                path
            )


@pytest.mark.skipif(
    not VNU_JAR.exists() or shutil.which("java") is None, reason="vnu-jar or java missing: run python3 tasks.py test"
)
def test_the_nu_html_checker_finds_no_errors(built_site):
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--skip-non-html", str(built_site)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    assert [f"{m.get('url', '').rsplit('/_site/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages] == []


# LinkChecker, run as root, switches its effective user to 'nobody', who may not be able to read
# the virtualenv it imports its checkers from (a clone in a 0700 directory): keep the caller's user.
RUN_LINKCHECKER_KEEPING_USER = """
import sys
import linkcheck.command.linkchecker as command
command.drop_privileges = lambda: None
sys.exit(command.linkchecker())
"""


def test_linkchecker_finds_no_broken_links_or_anchors(built_site, tmp_path):
    config = tmp_path / "linkcheckerrc"
    config.write_text("[filtering]\ncheckextern=0\n[AnchorCheck]\n[output]\nlog=text\nverbose=0\nwarnings=1\n")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            RUN_LINKCHECKER_KEEPING_USER,
            "--config",
            str(config),
            "--no-status",
            "--no-warnings",
            str(built_site / "index.html"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 errors found" in result.stdout
    assert "internal error" not in result.stdout + result.stderr
    checked = re.search(r"(\d+) links in \d+ URLs checked", result.stdout)
    assert checked and int(checked.group(1)) > 100, "LinkChecker did not crawl the site"
