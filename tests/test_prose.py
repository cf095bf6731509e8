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
