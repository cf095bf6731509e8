"""How close cite's drafts are to the finished YAML, field by field: on data/, and on the three
fixture articles of tests/fixtures/editor/ that data/ does not hold (drafted with their new
indicators added first, as the README asks an editor to).

    .venv/bin/python bench/cite_accuracy.py

A measurement, not a test: the suite asserts nine in ten on data/ (tests/test_cite.py).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from beijing_econ_site.checks.run import check_data  # noqa: E402
from beijing_econ_site.cite import DRAFTED_FIELDS, drafted_as_curated  # noqa: E402

EDITOR = ROOT / "tests" / "fixtures" / "editor" / "data"


def measured(data: Path, only_sources: set[str] | None = None) -> tuple[int, dict[str, list[str]]]:
    checked = check_data(data)
    archives = {source: archive.text for source, archive in checked.archives.items()}
    ids = sorted(i for i, f in checked.dataset.figures.items() if only_sources is None or f.source in only_sources)
    return len(ids), drafted_as_curated(checked.dataset, archives, ids)


def row(name: str, total: int, misses: dict[str, list[str]]) -> str:
    cells = [f"{total - len(misses[f])}/{total} ({(total - len(misses[f])) / total:.0%})" for f in DRAFTED_FIELDS]
    return f"| {name} | " + " | ".join(cells) + " |"


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        combined = Path(work) / "data"
        shutil.copytree(ROOT / "data", combined)
        shutil.copytree(EDITOR, combined, dirs_exist_ok=True)
        new_sources = {p.stem for p in (EDITOR / "sources").glob("*.yaml")}
        real = measured(ROOT / "data")
        unseen = measured(combined, new_sources)
    print("| figures | " + " | ".join(DRAFTED_FIELDS) + " |")
    print("|---|" + "---|" * len(DRAFTED_FIELDS))
    print(row("data/", *real))
    print(row("unseen fixture articles", *unseen))
    for name, (_, misses) in (("data/", real), ("unseen", unseen)):
        for field, missed in misses.items():
            for miss in missed:
                print(f"  {name} {field}: {miss}")


if __name__ == "__main__":
    main()
