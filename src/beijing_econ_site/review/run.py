"""`diff`: the working data against a base, and the PNGs of the charts it redraws."""

from __future__ import annotations

import logging
from pathlib import Path

from beijing_econ_site.build.output import repository_root
from beijing_econ_site.build.renderer import ChartTemplates, Renderer
from beijing_econ_site.diagnostics import DataError, Severity
from beijing_econ_site.memo import Memo
from beijing_econ_site.review.base import BadBase, export_side, git_side, working_side
from beijing_econ_site.review.compare import Review, review

log = logging.getLogger(__name__)


def make_review(
    data_dir: Path,
    templates_dir: Path,
    *,
    base_ref: str | None = None,
    base_export: Path | None = None,
    cache_dir: Path | None = None,
) -> Review:
    """What the working data changes for readers, against a git ref or a published export.
    Raises DataError when the working data has errors, BadBase when the base cannot be read."""
    memo = Memo(cache_dir / "memo") if cache_dir else None
    head = working_side(data_dir, templates_dir, memo)
    errors = [d for d in head.diagnostics if d.severity is Severity.ERROR]
    if errors:
        raise DataError(errors)
    if base_export is not None:
        base = export_side(base_export, head)
    else:
        base = git_side(base_ref or "HEAD", data_dir, templates_dir, memo, head)
    templates = ChartTemplates(cache_dir / "chart-templates" if cache_dir else None)
    bytecode = cache_dir / "templates" if cache_dir else None
    if bytecode is not None:
        bytecode.mkdir(parents=True, exist_ok=True)
    return review(base, head, templates, bytecode)


PNG_SUFFIXES = (".before.png", ".after.png")


def write_chart_pngs(
    result: Review, folder: Path, protected: list[Path], cache_dir: Path | None
) -> dict[str, tuple[str, str]]:
    """Each redrawn chart as a PNG before and after, as `<chart>.before.png` and `<chart>.after.png`
    in folder (the PNGs an earlier review left there are removed first, so the folder holds this
    review's alone). Returns chart id -> the two paths, '' for a chart that is new or gone."""
    target = folder.resolve()
    for path in protected:
        inner = path.resolve()
        if target == inner or target.is_relative_to(inner) or inner.is_relative_to(target):
            raise BadBase(f"--charts {folder} holds or lies in {path}: write the chart images to a folder of their own")
    top = repository_root(Path.cwd().resolve())
    if top is not None and (target == top or target.is_relative_to(top / ".git")):
        raise BadBase(
            f"--charts {folder} is the repository or its .git: write the chart images to a folder of their own"
        )
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.iterdir():
        if stale.is_file() and stale.name.endswith(PNG_SUFFIXES):
            stale.unlink()
    with Renderer(cache_dir / "charts" if cache_dir else None, workers=1) as renderer:
        renderer.render_all(chart for change in result.charts for chart in (change.before, change.after) if chart)
    written: dict[str, tuple[str, str]] = {}
    for change in result.charts:
        paths = []
        for chart, suffix in zip((change.before, change.after), PNG_SUFFIXES, strict=True):
            path = folder / f"{change.id}{suffix}"
            if chart is not None:
                path.write_bytes(chart.png)
            paths.append(str(path) if chart is not None else "")
        written[change.id] = (paths[0], paths[1])
    log.info("wrote %d chart images to %s", sum(bool(p) for pair in written.values() for p in pair), folder)
    return written
