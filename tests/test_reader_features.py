"""What readers and crawlers expect of a published site: a corrections log that `check` enforces
against the last build, and a sitemap, robots.txt, a 404 page and an Atom feed, each parsed."""

from __future__ import annotations

import html
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from beijing_econ_site.build.run import build_site
from beijing_econ_site.checks.run import check_data
from beijing_econ_site.site.pages import SiteConfig
from tests.helpers import project_data

ROOT = Path(__file__).resolve().parent.parent
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.org/beijing/"


@pytest.fixture
def published(tmp_path) -> tuple[Path, Path]:
    """A copy of data/ and the site built from it, as published."""
    data = tmp_path / "data"
    shutil.copytree(project_data(), data)
    site = tmp_path / "_site"
    build_site(data, site, ROOT / "templates", cache_dir=tmp_path / ".cache", config=SiteConfig(base_url=BASE))
    return data, site


def _edit_figure(data: Path, figure_id: str, **changes: object) -> None:
    for path in sorted((data / "figures").glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        for figure in document.get("figures") or []:
            if figure["id"] == figure_id:
                figure.update(changes)
                path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
                return
    raise AssertionError(figure_id)


def test_a_published_figure_changed_without_a_correction_is_a_warning_naming_its_yaml_line(published):
    data, site = published
    _edit_figure(data, "star-market-listed-companies-2020-06-30", period="2020-H1")
    checked = check_data(data, published=site / "data" / "archives.json")
    [warning] = [d for d in checked.warnings if d.rule == "uncorrected-change"]
    assert warning.location.path.endswith("figures/ciftis-2020-07-31.yaml") and warning.location.line > 0
    assert "period '2020-06-30' -> '2020-H1'" in warning.message and "add under corrections" in warning.message


def test_with_a_correction_the_change_is_shown_under_the_figure_on_the_log_and_in_the_feed(published, tmp_path):
    data, site = published
    correction = {
        "date": "2026-11-24",
        "what": "period 30 Jun 2020 -> H1 2020",
        "why": "The article counts listings in H1.",
    }
    _edit_figure(data, "star-market-listed-companies-2020-06-30", period="2020-H1", corrections=[correction])
    checked = check_data(data, published=site / "data" / "archives.json")
    assert [d for d in checked.diagnostics if d.rule == "uncorrected-change"] == []
    build_site(data, site, ROOT / "templates", cache_dir=tmp_path / ".cache", config=SiteConfig(base_url=BASE))
    year = (site / "2020" / "index.html").read_text()
    assert 'id="star-market-listed-companies-2020-06-30-corrected-1"' in year
    assert (
        "<strong>Corrected 2026-11-24:</strong> period 30 Jun 2020 -&gt; H1 2020. The article counts listings in H1."
        in year
    )
    log = (site / "corrections" / "index.html").read_text()
    assert 'href="../2020/#star-market-listed-companies-2020-06-30-corrected-1"' in log and "2026-11-24" in log
    feed = ET.parse(site / "feed.xml").getroot()
    [first, *_] = feed.findall(f"{ATOM}entry")
    assert first.findtext(f"{ATOM}updated") == "2026-11-24T00:00:00Z"
    assert first.find(f"{ATOM}link").get("href") == f"{BASE}2020/#star-market-listed-companies-2020-06-30-corrected-1"
    assert feed.findtext(f"{ATOM}updated") == "2026-11-24T00:00:00Z"
    assert '"corrections": 1' in (site / "data" / "figures.json").read_text()


def test_the_sitemap_lists_every_page_and_robots_points_to_it(published):
    _, site = published
    urls = [u.findtext(f"{SITEMAP}loc") for u in ET.parse(site / "sitemap.xml").getroot().findall(f"{SITEMAP}url")]
    pages = sorted(p.parent.relative_to(site).as_posix() for p in site.rglob("index.html"))
    assert sorted(urls) == sorted(BASE + ("" if p == "." else f"{p}/") for p in pages)
    assert (site / "robots.txt").read_text() == f"User-agent: *\nAllow: /\nSitemap: {BASE}sitemap.xml\n"


def test_the_feed_is_atom_with_an_entry_per_source_and_correction_and_stable_dates(published):
    data, site = published
    checked = check_data(data)
    site_id = checked.dataset.site.id
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed" and feed.findtext(f"{ATOM}id") == f"urn:{site_id}:feed"
    assert feed.find(f"{ATOM}author") is not None
    entries = feed.findall(f"{ATOM}entry")
    corrections = sum(len(f.corrections) for f in checked.dataset.figures.values())
    assert len(entries) == len(checked.dataset.sources) + corrections
    for entry in entries:
        assert entry.findtext(f"{ATOM}id").startswith(f"urn:{site_id}:")
        assert entry.findtext(f"{ATOM}updated").endswith("T00:00:00Z") and entry.findtext(f"{ATOM}title")
        assert entry.find(f"{ATOM}link").get("href").startswith(BASE)


def test_the_404_page_links_back_with_absolute_urls_since_it_is_served_at_any_depth(published):
    _, site = published
    page = (site / "404.html").read_text()
    assert f'href="{BASE}assets/site.css"' in page and f'<a href="{BASE}">front page</a>' in page


def test_without_a_site_url_there_is_no_sitemap_and_robots_names_none(tmp_path):
    site = tmp_path / "_site"
    build_site(project_data(), site, ROOT / "templates", cache_dir=tmp_path / ".cache", config=SiteConfig(base_url=""))
    assert not (site / "sitemap.xml").exists()
    assert (site / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    assert 'href="/assets/site.css"' in (site / "404.html").read_text()


def _meta(page: str, attribute: str, name: str) -> str:
    import re

    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', page)
    assert found is not None, f"no {name}"
    return html.unescape(found[1])


def test_every_page_has_a_share_card_of_1200_by_630_that_states_the_page_s_headline_with_its_source(published):
    import struct

    _, site = published
    pages = sorted(site.rglob("*.html"))
    assert pages
    for path in pages:
        page = path.read_text(encoding="utf-8")
        image = _meta(page, "property", "og:image")
        assert image.startswith(BASE + "cards/") and image.endswith(".png"), path
        card = site / image.removeprefix(BASE)
        png = card.read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1200, 630), card
        assert _meta(page, "name", "twitter:card") == "summary_large_image"
        assert _meta(page, "name", "twitter:image") == image
        assert (_meta(page, "property", "og:image:width"), _meta(page, "property", "og:image:height")) == (
            "1200",
            "630",
        )
    # a year page's card states its first headline, in the words of the page's table, with its source
    year_page = next(p for p in sorted(site.glob("[0-9][0-9][0-9][0-9]/index.html")) if "headline" in p.read_text())
    year = year_page.read_text(encoding="utf-8")
    alt = html.unescape(_meta(year, "property", "og:image:alt"))
    number, source = alt.split(": ", 1)[0].split(". ", 1)[1], alt.rsplit("Source: ", 1)[1]
    rows = [html.unescape(row) for row in year.split("<tr")[1:] if number in html.unescape(row)]
    assert rows, f"{number!r} is in no row of {year_page}"
    assert any(source.split(",")[0] in row for row in rows), (source, rows[0][:300])


def test_share_cards_are_the_same_bytes_from_one_build_to_the_next(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for out in (first, second):
        build_site(project_data(), out, ROOT / "templates", cache_dir=None, config=SiteConfig())
    cards = sorted(p.name for p in (first / "cards").glob("*.png"))
    assert cards and cards == sorted(p.name for p in (second / "cards").glob("*.png"))
    assert all((first / "cards" / c).read_bytes() == (second / "cards" / c).read_bytes() for c in cards)


def test_the_data_page_describes_a_schema_org_dataset_with_what_search_engines_require(published):
    import json
    import re

    _, site = published
    page = (site / "data" / "index.html").read_text(encoding="utf-8")
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    dataset = json.loads(block)
    assert dataset["@context"] == "https://schema.org" and dataset["@type"] == "Dataset"
    assert len(dataset["description"]) >= 50 and dataset["name"]  # Google's Dataset: both required
    assert re.fullmatch(r"\d{4}/\d{4}", dataset["temporalCoverage"])  # an ISO 8601 interval
    assert dataset["license"].startswith("https://creativecommons.org/")
    assert dataset["spatialCoverage"]["@type"] == "Place"
    for download in dataset["distribution"]:
        assert download["@type"] == "DataDownload" and download["encodingFormat"] in ("text/csv", "application/json")
        assert download["contentUrl"].startswith(BASE) and (site / download["contentUrl"].removeprefix(BASE)).is_file()


TSC = ROOT / "node_modules" / "typescript" / "bin" / "tsc"
SCHEMA_DTS = ROOT / "node_modules" / "schema-dts"


def _as_typescript(data: object) -> str:
    import json

    return (
        'import type { Dataset, WithContext } from "schema-dts";\n\n'
        f"export const dataset: WithContext<Dataset> = {json.dumps(data, indent=2, ensure_ascii=False)};\n"
    )


@pytest.mark.skipif(
    not TSC.exists() or not SCHEMA_DTS.exists() or shutil.which("node") is None,
    reason="npm typescript or schema-dts missing: python3 tasks.py test",
)
def test_the_data_page_s_json_ld_is_a_valid_schema_org_dataset_and_the_check_can_fail(published, tmp_path):
    """The JSON-LD, type-checked offline against schema-dts (Google's typings of the whole
    schema.org vocabulary) by the TypeScript compiler: every property must be one schema.org
    defines for its type, and every value of a type the property takes. Two broken copies
    prove that the check fails."""
    import json
    import re
    import subprocess

    _, site = published
    page = (site / "data" / "index.html").read_text(encoding="utf-8")
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    dataset = json.loads(block)
    misspelled = {("temporalCoverge" if key == "temporalCoverage" else key): value for key, value in dataset.items()}
    mistyped = {**dataset, "spatialCoverage": {"@type": "Place", "name": "Beijing", "population": 21_000_000}}
    project = tmp_path / "jsonld"
    project.mkdir()
    (project / "node_modules").symlink_to(ROOT / "node_modules")
    for name, data in (("published", dataset), ("misspelled", misspelled), ("mistyped", mistyped)):
        (project / f"{name}.ts").write_text(_as_typescript(data), encoding="utf-8")
    done = subprocess.run(
        ["node", str(TSC), "--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext",
         "--moduleResolution", "nodenext", "published.ts", "misspelled.ts", "mistyped.ts"],
        cwd=project, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    errors = [line for line in done.stdout.splitlines() if ": error TS" in line]
    assert {line.split("(", 1)[0] for line in errors} == {"misspelled.ts", "mistyped.ts"}, done.stdout
    assert any("'\"temporalCoverge\"' does not exist" in line for line in errors)
    assert any("'\"population\"' does not exist" in line for line in errors)
