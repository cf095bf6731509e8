"""Archives are append-only: an archived text that differs from the one the site last published
is refused unless its source records the re-archiving (date, reason, the sha256 it replaces).

The recorded sha256 in a source's YAML proves only that the text matches the YAML; an editor can
change both. The published site's data/archives.json is the independent record: the texts readers
were shown. Rule: archive-changed.
"""

from __future__ import annotations

import json
from pathlib import Path

from beijing_econ_site.data.models import Dataset
from beijing_econ_site.data.validate import Locator
from beijing_econ_site.diagnostics import Diagnostic, Location, Severity

ARCHIVES_EXPORT = "data/archives.json"


def archives_export(dataset: Dataset) -> bytes:
    """The site's record of every archived text it publishes, by source: name and sha256."""
    rows = [
        {"source": source.id, "archive": source.archive, "sha256": source.sha256}
        for source in sorted(dataset.sources.values(), key=lambda s: s.id)
    ]
    return (json.dumps(rows, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def read_published(path: Path) -> tuple[dict[str, str] | None, list[Diagnostic]]:
    """source id -> sha256 from a published data/archives.json; None when there is none."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return {str(row["source"]): str(row["sha256"]) for row in rows}, []
    except FileNotFoundError:
        return None, []
    except (OSError, ValueError, TypeError, KeyError) as exc:
        message = f"cannot read the published archives record ({exc}): archives were not compared with it"
        return None, [Diagnostic(Location(str(path)), "published-unreadable", message, Severity.WARNING)]


def check_archives_unchanged(dataset: Dataset, locator: Locator, published: dict[str, str]) -> list[Diagnostic]:
    problems = []
    for source in sorted(dataset.sources.values(), key=lambda s: s.id):
        before = published.get(source.id)
        if before is None or before == source.sha256:
            continue
        if any(entry.previous_sha256 == before for entry in source.rearchived):
            continue
        problems.append(
            Diagnostic(
                locator("source", source.id, "sha256"),
                "archive-changed",
                f"{source.archive} is not the text the site published (sha256 {before[:12]}...): archives are "
                "append-only; restore the published text, or, if the article was collected again, add under "
                f"rearchived: a date, a reason and previous_sha256: {before}",
            )
        )
    return problems
