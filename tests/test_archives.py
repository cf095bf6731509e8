"""Archives are append-only: a changed archived text is refused, even with its checksum updated,
unless the source records the re-archiving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from beijing_econ_site.build.run import build_site
from beijing_econ_site.diagnostics import DataError
from tests.helpers import ARTICLE, dataset_files, formatted, run_check, sha256, source_yaml, write_tree

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
EDITED = ARTICLE + "A sentence added after publication says Beijing grew 99% in 2021.\n"


@pytest.fixture
def published(tmp_path) -> Path:
    """The sample project, built once: its _site is what readers were shown."""
    write_tree(tmp_path, dataset_files())
    build_site(tmp_path / "data", tmp_path / "_site", TEMPLATES, cache_dir=None)
    return tmp_path


def edit_archive(project: Path, source: str) -> None:
    write_tree(project, {"data/sources/sample-news.txt": EDITED, "data/sources/sample-news.yaml": source})


def test_the_site_publishes_the_sha256_of_every_archive(published):
    record = json.loads((published / "_site" / "data" / "archives.json").read_text())
    assert record == [{"source": "sample-news", "archive": "sample-news.txt", "sha256": sha256(ARTICLE)}]


def test_an_archive_edited_with_its_checksum_updated_is_refused_by_check_and_build(published):
    edit_archive(published, source_yaml(EDITED))
    errors = formatted(run_check(published, published=published / "_site" / "data" / "archives.json").errors)
    assert len(errors) == 1
    assert "error[archive-changed]: sample-news.txt is not the text the site published" in errors[0]
    assert f"previous_sha256: {sha256(ARTICLE)}" in errors[0]
    before = (published / "_site" / "sources" / "sample-news" / "sample-news.txt").read_bytes()
    record = published / "_site" / "data" / "archives.json"
    with pytest.raises(DataError) as failure:
        build_site(published / "data", published / "_site", TEMPLATES, cache_dir=None, published=record)
    assert [d.rule for d in failure.value.diagnostics] == ["archive-changed"]
    assert (published / "_site" / "sources" / "sample-news" / "sample-news.txt").read_bytes() == before


def test_a_recorded_re_archiving_lets_the_new_text_through(published):
    entry = (
        "  rearchived:\n"
        '    - date: "2026-11-30"\n'
        "      reason: A fuller copy of the article was collected.\n"
        f"      previous_sha256: {sha256(ARTICLE)}\n"
    )
    edit_archive(published, source_yaml(EDITED) + entry)
    checked = run_check(published, published=published / "_site" / "data" / "archives.json")
    assert not [e for e in formatted(checked.errors) if "archive-changed" in e]


def test_a_re_archiving_entry_for_another_text_does_not_count(published):
    entry = f'  rearchived:\n    - date: "2026-11-30"\n      reason: Other.\n      previous_sha256: "{"0" * 64}"\n'
    edit_archive(published, source_yaml(EDITED) + entry)
    checked = run_check(published, published=published / "_site" / "data" / "archives.json")
    assert [d.rule for d in checked.errors] == ["archive-changed"]


def test_a_local_build_is_not_a_publication(published):
    """An editor iterating on a new or unpublished text is not told to record a re-archiving or a
    correction because of a build of their own: only the deployed record (--published) counts."""
    edit_archive(published, source_yaml(EDITED))
    assert [d.rule for d in run_check(published).errors] == []
    build_site(published / "data", published / "_site", TEMPLATES, cache_dir=None)
    assert (published / "_site" / "sources" / "sample-news" / "sample-news.txt").read_text() == EDITED
