"""Archives are append-only: an archived text that differs from the one the site last published
is refused unless its source records the re-archiving (date, reason, the sha256 it replaces).

The recorded sha256 in a source's YAML proves only that the text matches the YAML; an editor can
change both. The published site's data/archives.json is the independent record: the texts readers
were shown. Rule: archive-changed.

Likewise its data/figures.json: a figure whose value, qualifier, period or quote differs from
the published one needs a new entry under its corrections. Rule: uncorrected-change (warning).
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


CORRECTED_FIELDS = ("value", "qualifier", "period", "quote")


def read_published_figures(path: Path) -> list[dict[str, object]] | None:
    """The rows of a published data/figures.json; None when there is none or it cannot be read
    (the archives record beside it reports an unreadable site)."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else None


def check_corrections(
    dataset: Dataset, locator: Locator, published: list[dict[str, object]], shown_by: str = "the published site"
) -> list[Diagnostic]:
    """uncorrected-change: a published figure whose value, qualifier, period or quote changed since
    the published build (or the base shown_by names), with no new entry under its corrections."""
    problems = []
    for row in published:
        figure = dataset.figures.get(str(row.get("id")))
        if figure is None:
            continue
        now = {
            "value": figure.value,
            "qualifier": figure.qualifier.value,
            "period": figure.period,
            "quote": figure.quote,
        }
        changed = [name for name in CORRECTED_FIELDS if name in row and row[name] != now[name]]
        if not changed or len(figure.corrections) > int(str(row.get("corrections", 0) or 0)):
            continue
        said = "; ".join(f"{name} {row[name]!r} -> {now[name]!r}" for name in changed)
        problems.append(
            Diagnostic(
                locator("figure", figure.id, changed[0]),
                "uncorrected-change",
                f"{shown_by} shows another {', '.join(changed)} ({said}): readers must see the change; "
                "add under corrections a date, what changed and why",
                Severity.WARNING,
            )
        )
    return problems
