"""Bounded work: no input can make check or build block, read without end, or print without end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from beijing_econ_site.build import fingerprint
from tests.helpers import ARTICLE, dataset_files, formatted, run_check, source_yaml, write_tree

ROOT = Path(__file__).resolve().parent.parent


def check(project: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "beijing_econ_site", "check"]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=timeout)


def test_a_story_that_is_a_pipe_is_refused_not_read(tmp_path):
    project = write_tree(tmp_path, dataset_files())
    (project / "data" / "stories").mkdir(exist_ok=True)
    os.mkfifo(project / "data" / "stories" / "2021.md")
    result = check(project)  # a read would block for ever; the timeout fails the test
    assert result.returncode == 1
    assert "data/stories/2021.md: error[story-not-a-file]: a story is a plain text file, not a pipe" in result.stderr


def test_a_story_linked_to_an_endless_device_is_refused_not_read(tmp_path):
    project = write_tree(tmp_path, dataset_files())
    (project / "data" / "stories").mkdir(exist_ok=True)
    (project / "data" / "stories" / "overview.md").symlink_to("/dev/zero")
    result = check(project)
    assert result.returncode == 1
    assert "error[story-not-a-file]: a story is a plain text file, not a link (links are not followed)" in result.stderr


def test_a_huge_file_left_in_the_data_folder_is_not_read_by_the_fingerprint(tmp_path, monkeypatch):
    project = write_tree(tmp_path, dataset_files())
    huge = project / "data" / "sources" / "download.iso"
    with huge.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: 2 GB that take no disk
    big_text = project / "data" / "sources" / "big.txt"
    with big_text.open("wb") as handle:
        handle.truncate(2 * 1024**3)
    opened: list[str] = []
    real_open = open

    def watching_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", watching_open)
    before = fingerprint.inputs_fingerprint(project / "data", ROOT / "templates")
    assert not [name for name in opened if name.endswith(("download.iso", "big.txt"))]
    (project / "data" / "sources" / "download.iso").unlink()
    assert fingerprint.inputs_fingerprint(project / "data", ROOT / "templates") == before, "not an input"


def test_warnings_are_capped_per_file_with_a_count_of_the_rest(tmp_path):
    article = ARTICLE + "".join(f"Item {n} counted {n * 7 + 1000} things.\n" for n in range(500))
    project = write_tree(
        tmp_path,
        dataset_files(
            **{"data/sources/sample-news.yaml": source_yaml(article), "data/sources/sample-news.txt": article}
        ),
    )
    warnings = formatted(run_check(project).warnings)
    coverage = [w for w in warnings if "number-not-covered" in w]
    assert len(coverage) == 21
    file, message = coverage[-1].split(": warning[number-not-covered]: ")
    assert file.endswith("data/sources/sample-news.yaml")
    count, rest = message.split(" ", 1)
    assert rest == "more number-not-covered warnings in this file are not shown"
    assert int(count.replace(",", "")) > 900  # 1,000 numbers, less those that read as years


def test_an_archive_that_repeats_its_omitted_quotes_millions_of_times_is_checked_in_bounded_memory(tmp_path):
    article = ARTICLE + "x " * 2_000_000 + "\n"  # 4 MB, under the archive limit
    omitted = "".join(f"    - quote: {' '.join(['x'] * n)}\n      reason: Filler.\n" for n in range(1, 31))
    source = source_yaml(article) + "  omitted:\n" + omitted
    project = write_tree(
        tmp_path, dataset_files(**{"data/sources/sample-news.yaml": source, "data/sources/sample-news.txt": article})
    )
    code = (
        "import resource, sys\n"
        "from beijing_econ_site.cli import main\n"
        "status = main(['check'])\n"
        "print('peak-kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    peak_kb = int(result.stderr.split("peak-kb ")[1].split()[0])
    assert peak_kb < 600_000, f"check used {peak_kb // 1024} MB"  # 60 million spans would need gigabytes


def test_a_file_of_thousands_of_broken_entries_is_told_in_a_screenful_still_failing(tmp_path):
    broken = "figures:\n" + "".join(
        f"  - {{id: broken-{n}, value: nope, unit: bogus, qualifier: bad, period: zz, extra: {n}}}\n"
        for n in range(5000)
    )
    project = write_tree(tmp_path, dataset_files(**{"data/figures/broken.yaml": broken}))
    errors = formatted(run_check(project).errors)
    assert 50 < len(errors) < 600  # 5,000 entries of six errors each: 30,000 without a cap
    assert any("more errors in this file, not listed" in e for e in errors)
    assert any(e.endswith("more invalid-value errors in this file are not shown") for e in errors)
