"""Shared fixtures: a working directory holding the sample dataset."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from beijing_econ_site.data.numbers import use_currency_words
from beijing_econ_site.data.profile import SiteProfile, currency_words_of
from tests.helpers import PROFILE, dataset_files, write_tree

os.environ.pop("GITHUB_ACTIONS", None)
os.environ.setdefault("NO_COLOR", "1")


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A working directory holding the sample dataset; paths in diagnostics are relative to it."""
    write_tree(tmp_path, dataset_files())
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def make_project(tmp_path, monkeypatch):
    def make(**overrides: str | bytes | None) -> Path:
        write_tree(tmp_path, dataset_files(**overrides))
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return make


SAMPLE_CURRENCY_WORDS = currency_words_of(SiteProfile.model_validate(yaml.safe_load(PROFILE)).currencies)


@pytest.fixture(autouse=True)
def sample_currency_words():
    """The number reader knows a site's currencies from its profile, which `check` hands it. A test
    that reads numbers without checking a site first reads them with the sample profile's words."""
    use_currency_words(SAMPLE_CURRENCY_WORDS)


def pytest_collection_modifyitems(items):
    """Mark the tests that read the project's data (through helpers.project_data, or the browser
    tests' site built from it): tasks.py runs them a second time with new articles added."""
    for item in items:
        module = getattr(item, "module", None)
        if (module is not None and "project_data" in vars(module)) or "built_site" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.project_data)
