"""The two sides a review compares: the working data, and a base read from git (never touching
the working tree) or from a published site's data/figures.json."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from beijing_econ_site.checks.run import check_data
from beijing_econ_site.data.load import MAX_FILE_BYTES, PROFILE_NAME, Document, load_bytes
from beijing_econ_site.data.models import Correction, Dataset, Figure, Indicator, Kind, Source
from beijing_econ_site.data.periods import parse_published
from beijing_econ_site.data.stories import MAX_STORY_BYTES, STORY_NAME, Story
from beijing_econ_site.data.validate import Locator, validate_documents, validate_profile
from beijing_econ_site.diagnostics import Diagnostic, Location, relative_path
from beijing_econ_site.memo import Memo

TEMPLATE_SUFFIXES = (".html", ".xml", ".j2")
MAX_EXPORT_BYTES = 200_000_000  # a figures.json of 60,000 figures is about 60 MB
MAX_CORRECTIONS = 1_000  # corrections of one figure an export may count
MAX_TEMPLATE_BYTES = 5_000_000  # a template or static file of the base; a larger one is not compared


class BadBase(Exception):
    """The base cannot be read as asked (an unknown ref, no repository, an unreadable export):
    a usage error, not a data error."""


@dataclass
class Side:
    """One side of a review: the data, the stories and the templates a site would be built from."""

    label: str
    dataset: Dataset
    locator: Locator
    stories: dict[str, Story]
    templates: dict[str, str] | None  # template name -> its text; None when the base does not say (an export)
    assets: dict[str, bytes] | None  # templates/static files by name
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what of this side was left unread, and why


def working_side(data_dir: Path, templates_dir: Path, memo: Memo | None) -> Side:
    """The working data, checked in full (its errors stop the review), with its templates."""
    checked = check_data(data_dir, memo=memo)
    templates, assets = _template_files(
        {
            path.relative_to(templates_dir).as_posix(): path.read_bytes()
            for path in sorted(templates_dir.rglob("*"))
            if path.is_file() and path.stat().st_size <= MAX_TEMPLATE_BYTES  # as the base's are read
        }
        if templates_dir.is_dir()
        else {}
    )
    return Side(
        "the working tree",
        checked.dataset,
        checked.locator,
        checked.stories,
        templates,
        assets,
        checked.diagnostics,
    )


def git_side(ref: str, data_dir: Path, templates_dir: Path, memo: Memo | None, working: Side | None = None) -> Side:
    """The data, stories and templates of a commit, read from git's objects. A commit with no site
    profile (made before profiles) is read with the working data's."""
    top = _repository_top(data_dir)
    found = _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if found is None:
        raise BadBase(f"{ref!r} is not a commit of the repository at {top}")
    commit = found.decode().strip()
    data_rel = _inside(top, data_dir)
    templates_rel = _inside(top, templates_dir)
    blobs, too_large = _read_tree(top, commit, data_rel, templates_rel)
    documents: list[Document] = []
    profile_document: Document | None = None
    diagnostics: list[Diagnostic] = []
    stories: dict[str, Story] = {}
    templates: dict[str, bytes] = {}
    notes = []
    for path, size in sorted(too_large.items()):
        shown = relative_path(top / path)
        if PurePosixPath(path).suffix == ".yaml":  # as load_file refuses it
            message = f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}"
            diagnostics.append(Diagnostic(Location(shown), "yaml-too-large", message))
        else:
            notes.append(f"{shown} of {ref} is {size:,} bytes: not compared")
    for path, raw in blobs.items():
        shown = relative_path(top / path)
        posix = PurePosixPath(path)
        if posix.is_relative_to(data_rel):
            inner = posix.relative_to(data_rel)
            if posix.suffix == ".yaml":
                document, problems = load_bytes(raw, shown, memo)
                diagnostics += problems
                if document is not None and inner.as_posix() == PROFILE_NAME:
                    profile_document = document
                elif document is not None:
                    documents.append(document)
            elif _is_story(inner):
                stories[posix.stem] = Story(posix.stem, shown, raw.decode("utf-8", "replace"))
        elif posix.is_relative_to(templates_rel):
            templates[posix.relative_to(templates_rel).as_posix()] = raw
    documents.sort(key=lambda d: d.path)
    profile, problems = validate_profile(profile_document)
    diagnostics += problems
    if profile is None and working is not None:
        profile = working.dataset.site
    dataset, locator, problems = validate_documents(documents, profile)
    pages, assets = _template_files(templates)
    label = f"{ref} ({commit[:12]})"
    return Side(label, dataset, locator, stories, pages, assets, diagnostics + problems, notes)


def export_side(path: Path, working: Side) -> Side:
    """A published site's figures.json as a side. The export holds each figure, its indicator's
    label and its source's title and date: the rest (a publisher, a kind) is taken from the
    working data where it has the same id, so only what the export states is compared."""
    try:
        size = path.stat().st_size
        if size > MAX_EXPORT_BYTES:
            raise BadBase(f"the export {path} is {size:,} bytes; the limit is {MAX_EXPORT_BYTES:,}")
        rows = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise BadBase(f"cannot read the export {path}: it is nested too deeply to be an export") from None
    except (OSError, ValueError) as exc:
        raise BadBase(f"cannot read the export {path}: {exc}") from None
    if not isinstance(rows, list):
        raise BadBase(f"{path} is not a figures.json export: its top level is not a list")
    figures: dict[str, Figure] = {}
    indicators: dict[str, Indicator] = {}
    sources: dict[str, Source] = {}
    for number, row in enumerate(rows, start=1):
        try:
            figure = _figure_of(row, working.dataset)
            indicators.setdefault(figure.indicator, _indicator_of(row, working.dataset))
            sources.setdefault(figure.source, _source_of(row, working.dataset))
        except (TypeError, ValueError, KeyError) as exc:
            raise BadBase(f"{path}: row {number} is not a figure of an export ({exc})") from None
        figures[figure.id] = figure
    dataset = Dataset(site=working.dataset.site, sources=sources, indicators=indicators, figures=figures)
    return Side(f"the export {path}", dataset, Locator({}, {}), {}, None, None)


def _figure_of(row: object, working: Dataset) -> Figure:
    if not isinstance(row, dict):
        raise TypeError("not a mapping")
    fields = ("id", "indicator", "value", "unit", "qualifier", "period", "scope", "source", "quote")
    data = {name: row[name] for name in fields}
    for optional in ("note", "doubt", "comparability"):
        if row.get(optional):
            data[optional] = row[optional]
    now = working.figures.get(str(row["id"]))
    if now is not None:  # what the export does not hold is taken as unchanged
        data.update(headline=now.headline, period_inferred=now.period_inferred)
        if "comparability" not in row:  # an export older than the column
            data["comparability"] = now.comparability
    figure = Figure.model_validate(data)
    # the export counts corrections; their words are on the corrections page, not in the export
    count = row.get("corrections") or 0
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_CORRECTIONS:
        raise ValueError(f"corrections is {str(count)[:40]!r}: a count from 0 to {MAX_CORRECTIONS}")
    if now is not None and len(now.corrections) == count:
        return figure.model_copy(update={"corrections": now.corrections})
    placeholder = Correction(date="0000-00-00", what="(counted in the export)", why="-")
    return figure.model_copy(update={"corrections": [placeholder] * count}) if count else figure


def _indicator_of(row: dict[str, object], working: Dataset) -> Indicator:
    known = working.indicators.get(str(row["indicator"]))
    label = str(row.get("label") or row["indicator"])
    if known is not None:
        return known.model_copy(update={"label": label})
    return Indicator(
        id=str(row["indicator"]),
        label=label,
        unit=str(row["unit"]),
        kind=Kind.LEVEL,
        topic=working.site.topics[0].id,
        description="",
    )


def _source_of(row: dict[str, object], working: Dataset) -> Source:
    known = working.sources.get(str(row["source"]))
    title, published = str(row.get("source_title") or row["source"]), str(row["published"])
    parse_published(published)  # a date the pages can show, or the row is refused
    if known is not None:
        return known.model_copy(update={"title": title, "published": published})
    return Source(
        id=str(row["source"]),
        title=title,
        publisher="(named in the export by title only)",
        published=published,
        language="en",
        archive="archive.txt",
        sha256="0" * 64,
    )


def _is_story(inner: PurePosixPath) -> bool:
    return inner.parent == PurePosixPath("stories") and inner.suffix == ".md" and bool(STORY_NAME.match(inner.stem))


def _template_files(files: dict[str, bytes]) -> tuple[dict[str, str], dict[str, bytes]]:
    templates = {
        name: raw.decode("utf-8", "replace")
        for name, raw in files.items()
        if name.endswith(TEMPLATE_SUFFIXES) and not name.startswith("static/")
    }
    assets = {name: raw for name, raw in files.items() if name.startswith("static/")}
    return templates, assets


def _repository_top(data_dir: Path) -> Path:
    found = _git(data_dir if data_dir.is_dir() else Path.cwd(), "rev-parse", "--show-toplevel")
    if found is None:
        raise BadBase(f"{data_dir} is not in a git repository: give --base-export PATH instead")
    return Path(found.decode().strip())


def _inside(top: Path, folder: Path) -> PurePosixPath:
    try:
        return PurePosixPath(folder.resolve().relative_to(top.resolve()).as_posix())
    except ValueError:
        raise BadBase(f"{folder} is not inside the repository at {top}") from None


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """git's output, or None when it fails (the caller says why in words people read)."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False, timeout=120)
    except FileNotFoundError:
        raise BadBase("git is not installed: give --base-export PATH instead") from None
    return done.stdout if done.returncode == 0 else None


def _read_tree(
    top: Path, commit: str, data: PurePosixPath, templates: PurePosixPath
) -> tuple[dict[str, bytes], dict[str, int]]:
    """The files a review compares at commit (the data's YAML and stories, the templates), by path
    from the repository's top, in two git calls (a listing with sizes, then the blobs in one
    batch). Archives and any file past its limit are not read: the second mapping gives the size
    of each file left unread for its size."""
    listing = _git(top, "ls-tree", "-r", "-z", "-l", "--full-tree", commit, "--", str(data), str(templates))
    if listing is None:
        raise BadBase(f"cannot list the files of {commit[:12]}")
    entries, too_large = [], {}
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, object_id, size_text = meta.split()
        if kind != b"blob" or mode not in (b"100644", b"100755"):  # not links, nor submodules
            continue
        path = raw_path.decode("utf-8", "replace")  # a name that is not UTF-8 is shown, never a crash
        limit = _limit_of(PurePosixPath(path), data, templates)
        if limit is None:
            continue
        if int(size_text) > limit:
            too_large[path] = int(size_text)
            continue
        entries.append((path, object_id.decode()))
    if not entries:
        return {}, too_large
    batch = _git(top, "cat-file", "--batch", stdin="".join(f"{sha}\n" for _, sha in entries).encode())
    if batch is None:
        raise BadBase(f"cannot read the files of {commit[:12]}")
    files: dict[str, bytes] = {}
    at = 0
    for name, sha in entries:
        header_end = batch.index(b"\n", at)
        header = batch[at:header_end].decode().split(" ")
        if header[0] != sha or len(header) != 3:
            raise BadBase(f"git returned an unexpected object for {name}")
        size = int(header[2])
        files[name] = batch[header_end + 1 : header_end + 1 + size]
        at = header_end + 1 + size + 1
    return files, too_large


def _limit_of(path: PurePosixPath, data: PurePosixPath, templates: PurePosixPath) -> int | None:
    """The most bytes of a base file the review reads, or None for a file it does not compare."""
    if path.is_relative_to(data):
        inner = path.relative_to(data)
        if path.suffix == ".yaml":
            return MAX_FILE_BYTES
        return MAX_STORY_BYTES if _is_story(inner) else None
    return MAX_TEMPLATE_BYTES if path.is_relative_to(templates) else None
