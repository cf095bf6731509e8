"""Shared fixtures: a working directory holding the sample dataset."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import dataset_files, write_tree

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
