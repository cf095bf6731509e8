"""The built site, read as a reader's browser would: parsed HTML, not substrings."""

from __future__ import annotations

import difflib
import importlib.metadata
import json
import os
import platform
from pathlib import Path

import pytest
import vl_convert
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from beijing_econ_site.build.provenance import BUILD_INFO_PATH, describe
from beijing_econ_site.build.run import build_site
from beijing_econ_site.diagnostics import DataError
from beijing_econ_site.site.pages import SiteConfig
from tests.golden import BUILD_INFO, GOLDEN, build_sample_site, normalised_files
from tests.helpers import FIGURES, dataset_files, write_tree

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_sample_site(tmp_path_factory.mktemp("sample"))


def pages(site: Path) -> dict[str, HTMLParser]:
    return {
        p.relative_to(site).as_posix(): HTMLParser(p.read_text(encoding="utf-8")) for p in sorted(site.rglob("*.html"))
    }


def test_the_site_matches_the_golden_copy(site):
    built = normalised_files(site)
    golden = {
        p.relative_to(GOLDEN).as_posix(): p.read_bytes()
        for p in sorted(GOLDEN.rglob("*"))
        if p.is_file() and p != BUILD_INFO
    }
    versions = (
        f"built with: {describe((site / BUILD_INFO_PATH).read_bytes())}\n"
        f"golden made with: {describe(BUILD_INFO.read_bytes() if BUILD_INFO.exists() else None)}"
    )
    assert sorted(built) == sorted(golden), f"run: python tests/golden.py\n{versions}"
    for name, content in built.items():
        if content != golden[name]:
            diff = "\n".join(
                difflib.unified_diff(
                    golden[name].decode().splitlines(), content.decode().splitlines(), lineterm="", n=1
                )
            )
            pytest.fail(
                f"{name} differs from tests/golden (python tests/golden.py regenerates it):\n{versions}\n{diff[:3000]}"
            )


def test_the_build_records_the_versions_that_shape_its_bytes(site):
    info = json.loads((site / BUILD_INFO_PATH).read_bytes())
    assert info["python"] == platform.python_version()
    assert info["packages"]["vl-convert-python"] == importlib.metadata.version("vl-convert-python")
    assert info["packages"]["altair"] == importlib.metadata.version("altair")
    assert info["vega"] == vl_convert.get_vega_version()
    assert info["generator-version"] == importlib.metadata.version("beijing-econ-site")
    assert info["vega-lite-schemas"] and all("vega-lite" in s for s in info["vega-lite-schemas"])


def test_the_layout_has_every_page(site):
    expected = {
        "index.html",
        "2019/index.html",
        "2020/index.html",
        "2021/index.html",
        "2022/index.html",
        "compare/index.html",
        "sources/index.html",
        "sources/sample-news/index.html",
        "data/index.html",
    }
    assert expected <= set(pages(site))
    assert {
        "data/figures.json",
        "data/figures.csv",
        "data/datapackage.json",
        "sources/sample-news/sample-news.txt",
    } <= {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}


def test_every_figure_on_every_page_shows_its_quote_and_links_to_its_source(site):
    figure_ids = {line.split("id: ")[1] for line in FIGURES.splitlines() if line.startswith("  - id: ")}
    seen = set()
    for name, tree in pages(site).items():
        for row in tree.css("tr[id]"):
            figure_id = row.attributes["id"].removesuffix("-cited")
            if figure_id not in figure_ids:
                continue
            seen.add(figure_id)
            quote = row.css_first("details.quote blockquote")
            assert quote is not None and len(quote.text()) > 10, f"{name}#{figure_id} has no quote"
            links = [a.attributes.get("href", "") for a in row.css("a")]
            assert any("sources/sample-news/" in href for href in links), f"{name}#{figure_id} does not link its source"
    assert seen == figure_ids


def test_headline_numbers_link_to_their_quoted_figure(site):
    tree = pages(site)["2021/index.html"]
    cards = tree.css(".cards .card")
    assert [c.css_first(".big").text() for c in cards] == ["1.6"]
    href = cards[0].css_first(".card-source a[href$='#digital-value-added-2021']")
    assert href is not None
    assert tree.css_first("tr#digital-value-added-2021") is not None


def test_the_comparison_page_has_every_indicator_with_several_periods(site):
    tree = pages(site)["compare/index.html"]
    headings = [h.attributes["id"] for h in tree.css("section.topic > h2[id]")]
    assert headings == ["digital-share-gdp"]
    chart = tree.css_first("figure#chart-digital-share-gdp")
    assert chart is not None
    assert "The measure may differ from 2021" in tree.css_first(".note-break").text()


def test_charts_are_accessible_inline_svg_with_a_data_table_and_downloads(site):
    for name, tree in pages(site).items():
        for figure in tree.css("figure.chart"):
            svg = figure.css_first("svg")
            assert svg.attributes["role"] == "img", name
            title = svg.css_first("title")
            desc = svg.css_first("desc")
            assert title.attributes["id"] == svg.attributes["aria-labelledby"]
            assert desc.attributes["id"] == svg.attributes["aria-describedby"]
            assert len(desc.text()) > 20
            assert figure.css_first("figcaption").text().strip()
            assert figure.css("details.chart-data tbody tr")
            downloads = {a.attributes["href"].rsplit(".", 1)[1] for a in figure.css(".downloads a")}
            assert downloads == {"svg", "png", "csv"}


def test_links_are_relative_and_nothing_comes_from_another_host(site):
    for name, tree in pages(site).items():
        for node in tree.css("[href], [src]"):
            url = node.attributes.get("href") or node.attributes.get("src") or ""
            # the 404 page is served at any depth: its links are absolute, from SITE_URL or the host's root
            assert name == "404.html" or not url.startswith("/"), f"{name}: {url} is root-relative"
            if node.tag in ("script", "link", "img"):
                assert not url.startswith(("http:", "https:", "//")), f"{name}: {url} is third-party"


def test_every_page_has_language_title_description_and_a_content_security_policy(site):
    for tree in pages(site).values():
        assert tree.css_first("html").attributes["lang"] == "en"
        assert tree.css_first("title").text().strip()
        assert tree.css_first('meta[name="description"]').attributes["content"]
        csp = tree.css_first('meta[http-equiv="Content-Security-Policy"]').attributes["content"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert tree.css_first("a.skip-link").attributes["href"] == "#main"
        assert tree.css_first("main#main") is not None


def test_the_data_page_has_schema_org_dataset_json_ld(site):
    import json

    tree = pages(site)["data/index.html"]
    data = json.loads(tree.css_first('script[type="application/ld+json"]').text())
    assert data["@type"] == "Dataset"
    assert data["temporalCoverage"] == "2019/2022"


def test_builds_are_byte_identical(tmp_path):
    first = build_sample_site(tmp_path / "a")
    second = build_sample_site(tmp_path / "b")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for path in files:
        assert (first / path).read_bytes() == (second / path).read_bytes(), path


def test_a_failed_build_leaves_the_previous_site_untouched(tmp_path):
    write_tree(tmp_path, dataset_files())
    out = tmp_path / "_site"
    build_site(tmp_path / "data", out, TEMPLATES, cache_dir=tmp_path / ".cache", config=SiteConfig())
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    write_tree(tmp_path, {"data/figures/sample-news.yaml": FIGURES.replace("value: 40.4", "value: 41")})
    with pytest.raises(DataError) as failure:
        build_site(tmp_path / "data", out, TEMPLATES, cache_dir=tmp_path / ".cache", config=SiteConfig())
    assert [d.rule for d in failure.value.diagnostics] == ["value-not-in-quote"]
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cache", "_site", "data"]


def test_a_chart_that_cannot_render_fails_the_build_and_keeps_the_old_site(tmp_path, monkeypatch):
    write_tree(tmp_path, dataset_files())
    out = tmp_path / "_site"
    build_site(tmp_path / "data", out, TEMPLATES, cache_dir=None, config=SiteConfig())
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    from beijing_econ_site.site import charts

    original = charts.series_chart

    def remote_data(series, templates):
        chart = original(series, templates)
        for layer in chart.spec["layer"]:
            layer["data"] = {"url": "https://example.invalid/data.json"}
        return chart

    monkeypatch.setattr("beijing_econ_site.site.charts.series_chart", remote_data)
    with pytest.raises(DataError) as failure:
        build_site(tmp_path / "data", out, TEMPLATES, cache_dir=None, config=SiteConfig())
    [problem] = failure.value.diagnostics
    assert problem.rule == "chart-render" and "example.invalid" in problem.message
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("._site")) == [], (
        "the half-written site is removed"
    )


def test_text_fields_are_escaped_and_markdown_allows_no_raw_html_or_unsafe_links(make_project, tmp_path):
    hostile = FIGURES.replace(
        "note: Percentage points, though the article writes %.",
        "note: '<script>alert(1)</script> [click](javascript:alert(1)) [ok](https://example.org)'",
    )
    root = make_project(**{"data/figures/sample-news.yaml": hostile})
    write_tree(
        root,
        {
            "data/indicators/all.yaml": (root / "data/indicators/all.yaml")
            .read_text()
            .replace("label: GDP growth\n", "label: GDP <b>growth</b>\n")
        },
    )
    out = root / "_site"
    build_site(root / "data", out, TEMPLATES, cache_dir=None, config=SiteConfig())
    html = (out / "2020/index.html").read_text()
    tree = HTMLParser(html)
    assert tree.css("main script") == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "GDP &lt;b&gt;growth&lt;/b&gt;" in html
    hrefs = [a.attributes.get("href") for a in tree.css(".note a")]
    assert "https://example.org" in hrefs
    assert not any(h and h.lower().startswith("javascript") for h in hrefs)


def test_built_files_are_readable_by_everyone(site):
    for path in [site, *site.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        assert mode == (0o755 if path.is_dir() else 0o644), path


def test_a_rebuild_under_a_private_umask_leaves_every_file_readable_by_everyone(tmp_path):
    """A rebuild writes only what changed and links the rest: the new files, their folders and
    the linked ones are all readable, whatever the umask of the process that rebuilt them."""
    from beijing_econ_site.build.run import build_site
    from beijing_econ_site.site.pages import SiteConfig
    from tests.golden import ROOT

    out = build_sample_site(tmp_path)
    story = tmp_path / "data" / "stories" / "overview.md"
    story.parent.mkdir(exist_ok=True)
    story.write_text("A sentence of the desk's.\n", encoding="utf-8")
    previous = os.umask(0o077)
    try:
        result = build_site(
            tmp_path / "data", out, ROOT / "templates", cache_dir=tmp_path / ".cache", config=SiteConfig(base_url="")
        )
    finally:
        os.umask(previous)
    assert result.changed  # something was written under the private umask
    for path in [out, *out.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        assert mode == (0o755 if path.is_dir() else 0o644), path
