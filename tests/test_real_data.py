"""The project's own data: every citation checks out, with no warnings, and the archive is exact."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

from beijing_econ_site.checks.run import check_data
from beijing_econ_site.data.schema import PROFILE_SCHEMA_NAME, SCHEMA_PATH, data_file_schema, profile_schema

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def checked():
    return check_data(DATA)


def test_the_real_data_passes_check_with_no_warnings(checked):
    assert [d.format() for d in checked.diagnostics] == []


def test_every_article_is_curated(checked):
    per_source = Counter(f.source for f in checked.dataset.figures.values())
    assert set(per_source) == set(checked.dataset.sources)
    assert len(checked.dataset.sources) == 5
    assert sum(per_source.values()) >= 80


def test_years_2019_to_2023_have_beijing_figures(checked):
    years = {f.year for f in checked.dataset.figures.values() if checked.dataset.site.is_home(f.scope)}
    assert {2019, 2020, 2021, 2022, 2023} <= years


def test_the_digital_share_of_gdp_is_one_indicator_with_a_change_of_measure_recorded(checked):
    share = sorted(
        (f for f in checked.dataset.figures.values() if f.indicator == "digital-share-gdp"), key=lambda f: f.year
    )
    assert [(f.year, f.value, f.qualifier.value) for f in share] == [
        (2019, 50, "at-least"),
        (2021, 40.4, "exact"),
        (2023, 42.9, "exact"),
    ]
    assert share[1].comparability


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the collection of seed articles is not beside the project")
def test_archived_texts_are_the_collected_articles_unchanged(checked):
    seeds = {hashlib.sha256(p.read_bytes()).hexdigest() for p in SEEDS.glob("*.txt")}
    archived = {s.sha256 for s in checked.dataset.sources.values()}
    assert archived == seeds


def test_every_yaml_file_points_editors_at_the_schema():
    for path in sorted(DATA.rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        depth = len(path.relative_to(ROOT).parts) - 1
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
