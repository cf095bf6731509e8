"""`diff`: the working data against a base, and the PNGs of the charts it redraws."""

from __future__ import annotations

import json
import logging
import os
import re
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
CHARTS_MANIFEST = ".review-charts.json"  # the images the last review wrote in the folder: only these are removed
_IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.(?:before|after)\.png\Z")


def _written_by_a_review(folder: Path) -> set[str]:
    """The image names the last review recorded in folder; a damaged or foreign list counts for none."""
    manifest = folder / CHARTS_MANIFEST
    try:
        if manifest.is_symlink() or manifest.stat().st_size > 1_000_000:
            return set()
        names = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return set()
    if not isinstance(names, list):
        return set()
    return {n for n in names if isinstance(n, str) and _IMAGE_NAME.match(n)}


def _replace(path: Path, data: bytes) -> None:
    """Write data at path as a new file, replacing what the name held (a link is replaced, never
    written through)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_chart_pngs(
    result: Review, folder: Path, protected: list[Path], cache_dir: Path | None
) -> dict[str, tuple[str, str]]:
    """Each redrawn chart as a PNG before and after, as `<chart>.before.png` and `<chart>.after.png`
    in folder. The images an earlier review wrote there (listed in CHARTS_MANIFEST) are removed
    first, so the folder holds this review's alone; a file no review wrote is never removed nor
    replaced. Returns chart id -> the two paths, '' for a chart that is new or gone."""
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
    ours = _written_by_a_review(folder)
    wanted = {
        f"{change.id}{suffix}": chart
        for change in result.charts
        for chart, suffix in zip((change.before, change.after), PNG_SUFFIXES, strict=True)
        if chart is not None
    }
    theirs = sorted(n for n in wanted if n not in ours and ((folder / n).exists() or (folder / n).is_symlink()))
    if theirs:
        raise BadBase(
            f"--charts {folder} holds {', '.join(theirs[:3])}, which no review wrote: "
            "move it, or write the chart images to a folder of their own"
        )
    for name in ours:
        (folder / name).unlink(missing_ok=True)  # a link is removed itself, not what it points to
    with Renderer(cache_dir / "charts" if cache_dir else None, workers=1) as renderer:
        renderer.render_all(chart for change in result.charts for chart in (change.before, change.after) if chart)
    for name, chart in wanted.items():
        _replace(folder / name, chart.png)
    _replace(folder / CHARTS_MANIFEST, json.dumps(sorted(wanted), indent=0).encode("utf-8"))
    written = {
        change.id: tuple(
            str(folder / f"{change.id}{suffix}") if chart is not None else ""
            for chart, suffix in zip((change.before, change.after), PNG_SUFFIXES, strict=True)
        )
        for change in result.charts
    }
    log.info("wrote %d chart images to %s", len(wanted), folder)
    return {key: (pair[0], pair[1]) for key, pair in written.items()}
