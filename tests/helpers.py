"""The sample dataset and helpers for tests: small data trees written from dicts, as MkDocs' tests do."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEW_ARTICLES = "BEIJING_ECON_SITE_TEST_ARTICLES"  # a folder laid over data/, as an editor's pull request adds it
EDITOR_ARTICLES = ROOT / "tests" / "fixtures" / "editor" / "data"


@functools.cache
def project_data() -> Path:
    """The data the tests of the project's data read: data/ itself or, when NEW_ARTICLES names a
    folder (tests/fixtures/editor/data), a copy of data/ with that folder's files added. Those
    tests assert rules, never today's counts or ids: they pass on both."""
    added = os.environ.get(NEW_ARTICLES)
    if not added:
        return ROOT / "data"
    overlay = (ROOT / added).resolve()
    target = Path(tempfile.mkdtemp(prefix="data-with-new-articles-")) / "data"
    shutil.copytree(ROOT / "data", target)
    for path in sorted(p for p in overlay.rglob("*") if p.is_file()):
        destination = target / path.relative_to(overlay)
        if destination.exists() and destination.read_bytes() == path.read_bytes():
            continue  # already added to data/ (an editor committed these very articles)
        if destination.exists():
            raise FileExistsError(f"{path} would replace {destination.relative_to(target.parent)}: new files only")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    return target


ARTICLE = (
    "Sample News reports. Beijing’s GDP fell by 3.2% in H1, and the decline narrowed by 3.4% from Q1.\n"
    "In 2019, Beijing’s digital economy accounted for more than 50% of GDP.\n"
    "Last year, the digital economy achieved an added value of 1.6 trillion yuan, accounting for 40.4% of GDP.\n"
    "The added value of core industries was more than 890 billion yuan.\n"
    "Beijing has about one-fifth of the country’s total trade in services.\n"
    "By the end of the year, 13,000 additional 5G base stations will be built.\n"
)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_yaml(article: str = ARTICLE, **changes: str) -> str:
    fields = {
        "id": "sample-news",
        "title": "Sample article",
        "publisher": "Sample News",
        "published": '"2022-11-11"',
        "language": "en",
        "archive": "sample-news.txt",
        "sha256": sha256(article),
    }
    fields.update(changes)
    body = "".join(f"  {key}: {value}\n" for key, value in fields.items())
    return "source:\n" + body


INDICATORS = textwrap.dedent(
    """\
    indicators:
      - id: gdp-growth
        label: GDP growth
        unit: percent
        kind: growth
        topic: economy
        description: Real GDP, year on year.
      - id: gdp-growth-change
        label: GDP growth, change from the previous quarter
        unit: percentage-points
        kind: growth
        topic: economy
        description: Change in the growth rate.
      - id: digital-share-gdp
        label: Digital economy, share of GDP
        unit: percent
        kind: share
        topic: digital-economy
        description: Value added of the digital economy over GDP.
      - id: digital-value-added
        label: Digital economy, value added
        unit: CNY
        measures: value added
        kind: flow
        topic: digital-economy
        description: Value added.
      - id: digital-core-value-added
        label: Digital economy core industries, value added
        unit: CNY
        measures: value added
        kind: flow
        topic: digital-economy
        description: Core industries.
      - id: services-trade-share-china
        label: Services trade, Beijing's share of China
        unit: percent
        kind: share
        topic: services-trade
        description: Share of China's services trade.
      - id: 5g-added-target
        label: 5G base stations to be added (plan)
        unit: count
        kind: target
        topic: infrastructure
        description: A plan.
    """
)

FIGURES = textwrap.dedent(
    """\
    figures:
      - id: gdp-growth-2020-h1
        indicator: gdp-growth
        value: -3.2
        unit: percent
        qualifier: exact
        period: 2020-H1
        scope: beijing
        source: sample-news
        quote: "Beijing’s GDP fell by 3.2% in H1"
      - id: gdp-growth-change-2020-h1
        indicator: gdp-growth-change
        value: 3.4
        unit: percentage-points
        qualifier: exact
        period: 2020-H1
        scope: beijing
        source: sample-news
        quote: "the decline narrowed by 3.4% from Q1"
        note: Percentage points, though the article writes %.
      - id: digital-share-gdp-2019
        indicator: digital-share-gdp
        value: 50
        unit: percent
        qualifier: at-least
        period: 2019
        scope: beijing
        source: sample-news
        quote: "In 2019, Beijing’s digital economy accounted for more than 50% of GDP."
      - id: digital-share-gdp-2021
        indicator: digital-share-gdp
        value: 40.4
        unit: percent
        qualifier: exact
        period: 2021
        scope: beijing
        source: sample-news
        quote: "the digital economy achieved an added value of 1.6 trillion yuan, accounting for 40.4% of GDP."
        comparability: The 2019 figure used **another measure**.
      - id: digital-value-added-2021
        indicator: digital-value-added
        value: 1600000000000
        unit: CNY
        qualifier: exact
        period: 2021
        scope: beijing
        source: sample-news
        headline: true
        quote: "the digital economy achieved an added value of 1.6 trillion yuan"
      - id: digital-core-value-added-2021
        indicator: digital-core-value-added
        value: 890000000000
        unit: CNY
        qualifier: at-least
        period: 2021
        scope: beijing
        source: sample-news
        quote: "The added value of core industries was more than 890 billion yuan."
      - id: services-trade-share-china-2022
        indicator: services-trade-share-china
        value: 20
        unit: percent
        qualifier: approximately
        period: 2022-11-11
        scope: beijing
        source: sample-news
        quote: "Beijing has about one-fifth of the country’s total trade in services."
      - id: 5g-added-target-2020
        indicator: 5g-added-target
        value: 13000
        unit: count
        qualifier: exact
        period: 2020
        scope: beijing
        source: sample-news
        quote: "By the end of the year, 13,000 additional 5G base stations will be built."
    """
)


PROFILE = textwrap.dedent(
    """\
    id: sample-site
    title: Sample economy in figures
    subject: The sample city’s economy
    description: A sample site for the engine's tests, every number quoted from its source.
    language: en
    place: {id: beijing, label: Beijing}
    scopes:
      - {id: china, label: China, words: [the country's, nationwide]}
      - {id: world, label: World, words: [global trade, the world's]}
    context_heading: China and the world
    topics:
      - {id: economy, label: Economy}
      - {id: digital-economy, label: Digital economy}
      - {id: services-trade, label: Services trade}
      - {id: innovation, label: Innovation}
      - {id: infrastructure, label: Infrastructure}
      - {id: business-environment, label: Business environment}
    currencies:
      - {code: CNY, name: yuan, before: [RMB, ¥], after: [yuan, RMB]}
      - {code: USD, name: US dollars, symbol: US$, before: [US$, $, USD], after: [US dollars, U.S. dollars, dollars, USD]}
    dataset:
      name: sample-figures
      licence: {id: CC-BY-4.0, url: "https://creativecommons.org/licenses/by/4.0/"}
      keywords: [sample]
    """
)


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def dataset_files(**overrides: str | bytes | None) -> dict[str, str | bytes]:
    """The sample dataset's files, with some replaced (or removed, with None)."""
    files: dict[str, str | bytes | None] = {
        "data/site.yaml": PROFILE,
        "data/sources/sample-news.txt": ARTICLE,
        "data/sources/sample-news.yaml": source_yaml(),
        "data/indicators/all.yaml": INDICATORS,
        "data/figures/sample-news.yaml": FIGURES,
    }
    files.update(overrides)
    return {name: content for name, content in files.items() if content is not None}


def run_check(root: Path, published: Path | None = None):
    from beijing_econ_site.checks.run import check_data

    return check_data(root / "data", published=published)


def formatted(diagnostics) -> list[str]:
    return [d.format() for d in diagnostics]
