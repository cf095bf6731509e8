"""The project's own data: every citation checks out, with no warnings, and the archive is exact."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

from beijing_econ_site.checks.run import check_data
from beijing_econ_site.data.schema import PROFILE_SCHEMA_NAME, SCHEMA_PATH, data_file_schema, profile_schema
from tests.helpers import project_data

ROOT = Path(__file__).resolve().parent.parent
DATA = project_data()
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def checked():
    return check_data(DATA)


def test_the_real_data_passes_check_with_no_warning_that_is_not_accepted(checked):
    """Warnings are reviewed, not silenced: each left is accepted on its figure or source with a reason."""
    assert [d.format() for d in checked.errors + checked.warnings] == []
    assert all("(accepted: " in d.message for d in checked.accepted)


def test_every_article_is_curated(checked):
    per_source = Counter(f.source for f in checked.dataset.figures.values())
    assert set(per_source) == set(checked.dataset.sources)


def test_the_digital_share_of_gdp_keeps_the_seed_articles_figures_and_records_the_change_of_measure(checked):
    """The seeds' README: over 50% for 2019, 40.4% for 2021, 42.9% for 2023, measured differently.
    More sources may state these or other years; the seeds' three stay, each later one marked."""
    share = sorted(
        (f for f in checked.dataset.figures.values() if f.indicator == "digital-share-gdp" and f.scope == "beijing"),
        key=lambda f: f.period_info.sort_key,
    )
    stated = {(f.period, f.value, f.qualifier.value) for f in share}
    assert {("2019", 50, "at-least"), ("2021", 40.4, "exact"), ("2023", 42.9, "exact")} <= stated
    first_2021 = next(f for f in share if f.period == "2021")
    assert first_2021.comparability, "the change of measure from 2019 is on the chart"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the collection of seed articles is not beside the project")
def test_the_collected_articles_are_archived_unchanged(checked):
    seeds = {hashlib.sha256(p.read_bytes()).hexdigest() for p in SEEDS.glob("*.txt")}
    archived = {s.sha256 for s in checked.dataset.sources.values()}
    assert seeds <= archived  # editors add articles; the collection's stay byte for byte


def test_every_yaml_file_points_editors_at_the_schema():
    for path in sorted(DATA.rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        depth = len(path.relative_to(DATA.parent).parts) - 1
        schema = SCHEMA_PATH.with_name(PROFILE_SCHEMA_NAME) if path.name == "site.yaml" and depth == 1 else SCHEMA_PATH
        assert first == f"# yaml-language-server: $schema={'../' * depth}{schema.as_posix()}", path


def test_the_committed_json_schema_is_current():
    committed = (ROOT / SCHEMA_PATH).read_text(encoding="utf-8")
    assert committed == data_file_schema(), "run: beijing-econ-site schema"
    profile = (ROOT / SCHEMA_PATH.with_name(PROFILE_SCHEMA_NAME)).read_text(encoding="utf-8")
    assert profile == profile_schema(), "run: beijing-econ-site schema"


def test_every_model_field_has_a_description():
    from beijing_econ_site.data.models import DataFile, Figure, Indicator, Omission, Source

    for model in (DataFile, Source, Indicator, Figure, Omission):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"
