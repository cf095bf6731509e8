"""Search: a Pagefind index of every figure, indicator, source and story, built at build time.

Each figure is its own record, whose address is the figure's anchor, so a search for "40.4"
leads to the row that states it. Pagefind makes the index files and the small script that
reads them; the search page's own script only asks it and lists the results.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from beijing_econ_site.data.formatting import quoted
from beijing_econ_site.site.markdown import html_as_text, markdown_as_text
from beijing_econ_site.site.views import FigureView, SiteView

SEARCH_DIR = "pagefind/"
# what the browser needs of Pagefind's output; its ready-made interfaces are not used
_UNUSED = re.compile(r"^pagefind-(?:component-|modular-)?ui\.(?:js|css)$|^pagefind-highlight\.js$")
_TIPS = re.compile(r'<span class="fig-tip"[^>]*>.*?</span>', re.DOTALL)


@dataclass(frozen=True)
class Record:
    url: str  # from the site's root, with the anchor: "2021/#digital-share-gdp-2021"
    title: str
    content: str
    kind: str  # Figure, Indicator, Source or Story
    source: str = ""


def figure_record(view: FigureView) -> Record:
    """A figure as its table row tells it: the value, and whatever the row says beside it (the
    site's doubt, the note, the comparability), as text, never as Markdown."""
    f = view.figure
    where = view.scope_note
    doubtful = " (doubtful)" if f.doubt else ""
    title = f"{view.indicator.label}{where}, {view.period_label}: {view.display}{doubtful}"
    words = [quoted(f.quote), f"Source: {view.sources_text}."]  # the title is the result's heading: not again
    if f.doubt:
        words.append(f"The site doubts this number: {markdown_as_text(f.doubt)}")
    if f.note:
        words.append(markdown_as_text(f.note))
    if f.comparability:
        words.append(f"Comparability: {markdown_as_text(f.comparability)}")
    return Record(view.permalink, title, " ".join(words), "Figure", view.sources_text)


def search_records(
    site: SiteView, stories: list[tuple[str, str, Markup]], series_homes: dict[str, str]
) -> list[Record]:
    """Every record, in a fixed order: figures, indicators compared across years, sources,
    stories (page path, title, rendered story)."""
    records = [figure_record(view) for view in site.figures.values() if not view.is_shown_elsewhere]
    for series in site.series:
        label = series.title
        content = markdown_as_text(series.indicator.description) or f"{label}, across the years."
        home = series_homes.get(series.key, "compare/")
        records.append(Record(f"{home}#{series.key}", f"{label}, across the years", content, "Indicator"))
    for source in site.sources:
        s = source.source
        content = f"{s.publisher}, {source.published_label}. {markdown_as_text(s.notes)}"
        published_by = f"{s.publisher}, {source.published_label}"
        records.append(Record(source.path, s.cited_title, content, "Source", published_by))
    for path, title, story in stories:
        text = html_as_text(_TIPS.sub("", str(story)))  # a reference's quote pops up; it is not the story's prose
        if text:
            records.append(Record(path, title, text, "Story"))
    return records


WORK_PREFIX = "beijing-econ-site-search-"


# a folder left older than an indexing can last (files() waits 10 minutes): a pid this machine
# does not run may be another container's, sharing the temporary folder, still indexing
LEFT_FOR = 900


def work_folder() -> tempfile.TemporaryDirectory[str]:
    """A temporary folder for one indexing, named after this process; the folders of processes
    that are gone (a build killed, which cleans up nothing) are removed first."""
    root = Path(tempfile.gettempdir())
    for folder in root.glob(f"{WORK_PREFIX}*-*"):
        owner = folder.name.removeprefix(WORK_PREFIX).split("-", 1)[0]
        if owner.isdigit() and not _is_running(int(owner)) and _left_behind(folder):
            shutil.rmtree(folder, ignore_errors=True)
    return tempfile.TemporaryDirectory(prefix=f"{WORK_PREFIX}{os.getpid()}-", dir=root)


def _left_behind(folder: Path) -> bool:
    try:
        info = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_mtime < time.time() - LEFT_FOR


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        pass
    return True


RECORDS_PER_PAGE = 200  # Pagefind's time goes by the page: 3,000 records index in 1.6 s one per page, 0.3 s by 200


class Indexing:
    """One run of Pagefind's indexer over the records, started at once and read by files(), so
    the build does other work while it runs (it is a process of its own, on another core).

    The records are handed to the indexer as pages of many sections, in a temporary folder.
    Each section's anchor carries the record's address, kind and source, which the search page
    reads from Pagefind's sub-results. Leaving the `with` block stops the indexer if it runs.
    """

    def __init__(self, records: list[Record]):
        from pagefind_bin import get_executable  # type: ignore[import-untyped]

        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[str] | None = None
        if not records:  # nothing to find: no index (the search page says so)
            return
        self._folder = work_folder()
        pages, self._output = Path(self._folder.name) / "records", Path(self._folder.name) / "index"
        pages.mkdir()
        groups = [records[i : i + RECORDS_PER_PAGE] for i in range(0, len(records), RECORDS_PER_PAGE)]
        for number, group in enumerate(groups):
            (pages / f"{number:05d}.html").write_text(records_page(group), encoding="utf-8")
        command = [
            str(get_executable()),
            *("--site", str(pages), "--output-path", str(self._output), "--force-language", "en"),
        ]
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def __enter__(self) -> Indexing:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        if self._folder is not None:
            self._folder.cleanup()

    def files(self) -> dict[str, bytes]:
        """Wait for the indexer; its index and search script as site paths -> bytes."""
        if self._process is None:
            return {}
        try:
            out, err = self._process.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            self._process.kill()
            raise RuntimeError("Pagefind took more than 10 minutes to index the site") from None
        if self._process.returncode != 0:
            raise RuntimeError(f"Pagefind could not index the site: {(err or out).strip()[-500:]}")
        return {
            SEARCH_DIR + path.relative_to(self._output).as_posix(): path.read_bytes()
            for path in sorted(self._output.rglob("*"))
            if path.is_file() and not _UNUSED.match(path.name)
        }


def record_anchor(record: Record) -> str:
    """The record's address, kind and source as an HTML id: "r" and base64url of a JSON list."""
    data = json.dumps([record.url, record.kind, record.source], ensure_ascii=False).encode("utf-8")
    return "r" + base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def records_page(records: list[Record]) -> str:
    """Records as Pagefind reads them: a section per record, its title a heading with an anchor.
    The heading ends in a full stop, which the search page drops from the title: Pagefind runs the
    heading into the text, and an excerpt should read '...about 20%. The total import...'."""
    sections = "".join(
        f'<section><h2 id="{record_anchor(record)}">{html.escape(record.title)}.</h2>'
        f"<p>{html.escape(record.content)}</p></section>"
        for record in records
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>records</title></head><body>'
        f"<main data-pagefind-body>{sections}</main></body></html>\n"
    )
