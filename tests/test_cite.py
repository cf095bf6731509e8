"""cite drafts a figure an editor can paste: unit, period, scope, qualifier, indicator and id
from the quote and the article, measured against every figure already curated in data/, and
tried on two short articles of our own (tests/fixtures/desk/) with units, scopes and periods of
every kind."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from beijing_econ_site.checks.run import check_data
from beijing_econ_site.cite import draft_figures, drafted_as_curated, read_quote
from tests.helpers import project_data

ROOT = Path(__file__).resolve().parent.parent
DESK = ROOT / "tests" / "fixtures" / "desk"
AGREEMENT = 0.90


def test_cite_drafts_what_the_editors_curated_for_nine_in_ten_figures_in_every_field():
    checked = check_data(project_data())
    archives = {source: archive.text for source, archive in checked.archives.items()}
    misses = drafted_as_curated(checked.dataset, archives, sorted(checked.dataset.figures))
    total = len(checked.dataset.figures)
    print({name: f"{total - len(missed)}/{total}" for name, missed in misses.items()})
    assert all(total - len(missed) >= AGREEMENT * total for missed in misses.values()), misses


@pytest.mark.parametrize(
    ("words", "unit"),
    [
        ("the decline narrowed by 3.4% from the first quarter", "percentage-points"),
        ("the share rose 2.4 percentage points", "percentage-points"),
        ("the share rose 2.4 pp", "percentage-points"),
        ("exports reached 127.5 billion U.S. dollars", "USD"),
        ("exports reached US$127.5 billion", "USD"),
        ("loans of RMB 43.136 billion", "CNY"),
        ("revenue of 2.2 trillion yuan", "CNY"),
        ("a zone of 160 square kilometers", "square-kilometers"),
        ("28 million kilometers of optical cable", "kilometers"),
        ("2.4 million square meters of shops", "square-meters"),
        ("Beijing entered the top 20", "rank"),
        ("for six consecutive years", "years"),
    ],
)
def test_units_are_read_from_the_words(words, unit):
    [reading] = read_quote(words, words)
    assert reading.unit == unit


@pytest.mark.parametrize(
    "words",
    [
        "In the first half of 2023, nothing else",
        "35 base stations per 10,000 people",
        "within the Fifth Ring Road in 2019",
    ],
)
def test_years_period_ordinals_rate_denominators_and_names_are_not_figures(words):
    values = [r.value for r in read_quote(words, words)]
    assert 2023 not in values and 2019 not in values and 10000 not in values and 5 not in values
    assert 1 not in values  # 'first' of 'first half'


def _source_yaml(source_id: str, text: bytes, published: str) -> str:
    return yaml.safe_dump(
        {
            "source": {
                "id": source_id,
                "title": "A fixture article",
                "publisher": "Fixture Press",
                "published": published,
                "language": "en",
                "archive": f"{source_id}.txt",
                "sha256": hashlib.sha256(text).hexdigest(),
                "notes": "A short article written for the tests.",
            }
        },
        sort_keys=False,
    )


NEW_INDICATORS = """\
indicators:
  - id: optical-cable-length
    label: Optical cable laid, length
    unit: kilometers
    kind: level
    topic: infrastructure
    description: Length of optical cable laid in Beijing.
  - id: world-services-trade-growth
    label: Global trade in services, growth
    unit: percent
    kind: growth
    topic: services-trade
    description: Year-on-year growth of global trade in services.
"""

# quote: what an editor must write that the article does not say (nothing, in each case)
EXPECTED = {
    "fixture-daily-2023-08-01": {
        "970 billion yuan": ("CNY", "2023-H1", "beijing", "digital-value-added"),
        "8.6%": ("percent", "2023-H1", "beijing", "digital-value-added-growth"),
        "44.5%": ("percent", "2023-H1", "beijing", "digital-share-gdp"),
        "5.2 billion": ("USD", "2023-01..2023-02", "beijing", "fdi-contractual"),
        "76,000": ("count", "2023-06-30", "beijing", "5g-base-stations-total"),
        "41.5%": ("percent", "2022", "china", "digital-share-gdp"),
    },
    "fixture-network-2024-08-05": {
        "28 million": ("kilometers", "2024-08-05", "beijing", "optical-cable-length"),
        "600": ("square-kilometers", "2024-08-05", "beijing", "autonomous-driving-zone-area"),
        "1.5 million": ("square-meters", "2024-H1", "beijing", "new-shopping-floor-area"),
        "9%": ("percent", "2023", "world", "world-services-trade-growth"),
        "42.9%": ("percent", "2023", "beijing", "digital-share-gdp"),  # a second source for a fact on the site
    },
}
PUBLISHED = {"fixture-daily-2023-08-01": "2023-08-01", "fixture-network-2024-08-05": "2024-08-05"}


@pytest.fixture
def desk(tmp_path) -> Path:
    """A copy of data/ with the two fixture articles added with add-source's layout."""
    data = tmp_path / "data"
    shutil.copytree(project_data(), data)
    for source_id, published in PUBLISHED.items():
        text = (DESK / f"{source_id}.txt").read_bytes()
        (data / "sources" / f"{source_id}.txt").write_bytes(text)
        (data / "sources" / f"{source_id}.yaml").write_text(_source_yaml(source_id, text, published))
    (data / "indicators" / "desk.yaml").write_text(NEW_INDICATORS)
    return data


def _cite(data: Path, source_id: str, quote: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "beijing_econ_site", "cite", source_id, quote, "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_two_new_articles_are_curated_from_cite_drafts_alone_and_check_accepts_them(desk):
    for source_id, expected in EXPECTED.items():
        sentences = [line for line in (DESK / f"{source_id}.txt").read_text().splitlines()[2:] if line.strip()]
        blocks = []
        for sentence in sentences:
            result = _cite(desk, source_id, sentence)
            assert result.returncode == 0, result.stderr
            blocks.append(result.stdout)
        pasted = "figures:\n" + "\n".join(blocks) + "\n"
        drafted = yaml.safe_load(pasted)["figures"]
        for number, (unit, period, scope, indicator) in expected.items():
            [figure] = [f for f in drafted if number in f["quote"] and _states(f, number)]
            assert (figure["unit"], str(figure["period"]), figure["scope"], figure["indicator"]) == (
                unit,
                period,
                scope,
                indicator,
            ), number
        wanted = set(expected)
        kept = [f for f in drafted if any(_states(f, n) for n in wanted)]
        assert len(kept) == len(expected), [f["value"] for f in drafted]
        (desk / "figures" / f"{source_id}.yaml").write_text(yaml.safe_dump({"figures": kept}, sort_keys=False))
    checked = check_data(desk)
    assert [d.format() for d in checked.errors] == []


def _states(figure: dict[str, object], number: str) -> bool:
    digits = number.split()[0].replace(",", "").rstrip("%")
    value = float(str(figure["value"]))
    scale = {"billion": 1e9, "million": 1e6}.get(number.split()[1] if " " in number else "", 1)
    return abs(value - float(digits) * scale) < 1e-6 * max(1.0, abs(value))


def test_cite_on_a_source_whose_metadata_is_unfinished_names_the_fields_to_fill_in(desk):
    path = desk / "sources" / "fixture-daily-2023-08-01.yaml"
    text = path.read_text()
    path.write_text(
        text.replace("title: A fixture article", "title: FILL IN").replace(
            "publisher: Fixture Press", "publisher: FILL IN"
        )
    )
    result = _cite(desk, "fixture-daily-2023-08-01", "Contractual foreign investment reached 5.2 billion U.S. dollars")
    assert result.returncode == 1
    assert "still holds FILL IN: title (line 3), publisher (line 4)" in result.stderr
    assert "then cite again" in result.stderr


README_EXAMPLE = re.compile(
    r"<!-- cite-example -->\n```\n\$ beijing-econ-site cite (\S+) \"([^\n]*)\"\n(.*?)\n```", re.S
)


ALTERNATIVES = re.compile(r"   # or: [^\n]*")  # the runners-up: any indicator an editor adds may join them


def test_the_readmes_worked_examples_are_what_cite_prints(desk):
    examples = README_EXAMPLE.findall((ROOT / "README.md").read_text())
    assert examples
    for source_id, quote, shown in examples:
        result = _cite(desk, source_id, quote)
        assert result.returncode == 0, result.stderr
        assert ALTERNATIVES.sub("", result.stdout.rstrip("\n")) == ALTERNATIVES.sub("", shown), quote


def test_the_first_six_months_are_a_half_year_and_neither_first_nor_six_is_a_figure():
    article = "Software revenue reached 1.45 trillion yuan in the first six months, an increase of 11.8 percent."
    assert [r.value for r in read_quote(article, article)] == [1450000000000, 11.8]
    dataset = check_data(project_data()).dataset
    source = next(iter(dataset.sources.values())).model_copy(update={"published": "2024-08-06", "reviews_year": None})
    periods = {d.period for d in draft_figures(article, article, source, dataset)}
    assert periods == {"2024-H1"}
    nine = "Exports grew 3.1 percent in the first nine months."
    assert {d.period for d in draft_figures(nine, nine, source, dataset)} == {"2024-01..2024-09"}


def test_a_change_told_as_slower_or_lower_after_the_number_is_negative():
    words = "GDP grew 5.1 percent in the first half, 0.4 of a percentage point slower than in the first quarter."
    assert [(r.value, r.unit) for r in read_quote(words, words)] == [(5.1, "percent"), (-0.4, "percentage-points")]
    lower = "The rate was 2 percent lower than a year earlier."
    assert [r.value for r in read_quote(lower, lower)] == [-2]


def test_an_unrelated_indicator_added_changes_no_draft():
    checked = check_data(project_data())
    dataset = checked.dataset

    def drafted(data) -> list[tuple[str, str, str]]:
        found = []
        for figure in sorted(data.figures.values(), key=lambda f: f.id):
            archive = checked.archives[figure.source].text
            for draft in draft_figures(figure.quote, archive, data.sources[figure.source], data):
                found.append((figure.id, draft.indicator or "", draft.period))
        return found

    unrelated = next(iter(dataset.indicators.values())).model_copy(
        update={
            "id": "zoo-visitors",
            "label": "Zoo visitors",
            "unit": "count",
            "counts": "zoo visitors",
            "description": "People who visited the city's zoo.",
        }
    )
    wider = dataset.model_copy(update={"indicators": {**dataset.indicators, "zoo-visitors": unrelated}})
    assert drafted(wider) == drafted(dataset)


@pytest.mark.parametrize(
    ("words", "qualifier"), [("half of the firms", "approximately"), ("exactly half of the firms", "exact")]
)
def test_a_fraction_word_is_drafted_as_a_round_figure_unless_the_article_says_exactly(words, qualifier):
    [reading] = read_quote(words, words)
    assert (reading.value, reading.qualifier) == (50, qualifier)


def test_an_undated_stock_in_a_review_of_a_year_is_drafted_as_of_the_year_s_last_day():
    from beijing_econ_site.cite import Context, draft_period
    from beijing_econ_site.data.models import Kind, Source

    review = Source.model_validate(
        {
            "id": "city-review-2025-02-01",
            "title": "The year in review",
            "publisher": "City Office",
            "published": "2025-02-01",
            "reviews_year": 2024,
            "url": None,
            "language": "en",
            "archive": "city-review-2025-02-01.txt",
            "sha256": "0" * 64,
        }
    )
    quote = "The number of pilot zones increased to 50."
    words = Context(before="The number of pilot zones increased to", after=".")
    assert draft_period(words, quote, "", review, Kind.LEVEL)[0] == "2024-12-31"
    assert draft_period(words, quote, "", review, Kind.FLOW)[0] == "2024"  # an amount over the year it reviews
