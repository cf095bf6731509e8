"""What a change does to the site, as readers would see it: figures, facts, charts, stories and
page text, each with its before and after in the page's own words.

Each editorial change is listed once. A figure added to a fact that the base already had is
the fact's change ("now confirmed by 2 sources"); a fact's confirmation that changes because
one of its figures changed goes with that figure; stories are compared by their own words,
and templates on the working data, so neither repeats a figure's change. Charts are listed
apart, by the marks they draw.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import DictLoader, TemplateError

from beijing_econ_site.build.graph import template_digests
from beijing_econ_site.checks.archives import check_archives_unchanged, check_corrections
from beijing_econ_site.data.models import Indicator, Source
from beijing_econ_site.data.periods import format_published
from beijing_econ_site.data.stories import REFERENCE, Story
from beijing_econ_site.diagnostics import Diagnostic, Severity
from beijing_econ_site.facts import statement
from beijing_econ_site.review.base import Side
from beijing_econ_site.review.text import visible_lines, visible_text
from beijing_econ_site.site.charts import Chart, Templates, chart_sources
from beijing_econ_site.site.export import figure_rows
from beijing_econ_site.site.markdown import render_markdown, render_story
from beijing_econ_site.site.pages import PageRenderer, SiteConfig, environment_of, page_jobs, series_pages
from beijing_econ_site.site.theme import theme_loader
from beijing_econ_site.site.views import FigureView, SiteView, derive

NO_CHANGE = "no change a reader would see"
KINDS = (
    "figure-changed",
    "fact-changed",
    "figure-added",
    "figure-removed",
    "indicator-added",
    "indicator-changed",
    "indicator-removed",
    "source-changed",
    "source-added",
    "source-removed",
    "story-changed",
    "page-text-changed",
    "page-added",
    "page-removed",
    "navigation-changed",
    "asset-changed",
)


@dataclass(frozen=True)
class Detail:
    """One thing a reader sees differently: what, before and after ('' where it was not, or is no more)."""

    field: str
    before: str
    after: str


@dataclass
class Change:
    kind: str  # one of KINDS
    subject: str  # the id of what changed (a figure, a fact, a story, a template)
    title: str  # what it is, for readers: 'Housing, share of spending, 2021'
    details: list[Detail]
    location: str = ""  # where to edit it: 'data/figures/x.yaml:12:5'
    pages: list[str] = field(default_factory=list)  # the site paths that show it


@dataclass
class ChartChange:
    id: str
    title: str
    status: str  # changed | added | removed
    marks: list[Detail]  # each drawn mark (a bar, a point), line, break or title that differs
    pages: list[str] = field(default_factory=list)  # the pages that show it (a series: a compare page)
    before: Chart | None = field(default=None, repr=False)
    after: Chart | None = field(default=None, repr=False)


@dataclass
class Review:
    base: str
    changes: list[Change]
    charts: list[ChartChange]
    warnings: list[Diagnostic]
    notes: list[str]  # what the review could not compare, and why

    @property
    def is_empty(self) -> bool:
        return not self.changes and not self.charts


def review(base: Side, head: Side, chart_templates: Templates, bytecode_dir: Path | None = None) -> Review:
    """What readers would see change from base to head. bytecode_dir keeps compiled templates."""
    base_site, head_site = derive(base.dataset), derive(head.dataset)
    moved = touched(base_site.figures, head_site.figures)
    notes = _notes(base, head)
    story_pages = _story_pages(head.stories)
    changes = [
        *_figure_changes(base_site, head_site, head, base, story_pages, moved),
        *_indicator_changes(base, head, head_site),
        *_source_changes(base, head, base_site, head_site),
        *_story_changes(base, head, base_site, head_site),
    ]
    page_changes, page_notes = _template_changes(base, head, head_site, chart_templates, bytecode_dir)
    changes += page_changes + list(_page_set_changes(base, head, base_site, head_site, chart_templates))
    changes += list(_asset_changes(base, head))
    published = figure_rows(
        base.dataset.model_copy(
            update={"figures": {i: base.dataset.figures[i] for i in moved if i in base.dataset.figures}}
        )
    )
    warnings = check_corrections(head.dataset, head.locator, published, base.label)
    warnings += [d for d in head.diagnostics if d.severity is Severity.WARNING]  # check's own, as check prints them
    if base.templates is not None:  # a git base (the deployed branch): its archives were published too
        shown = {source.id: source.sha256 for source in base.dataset.sources.values()}
        warnings += check_archives_unchanged(head.dataset, head.locator, shown)
    charts = list(_chart_changes(base_site, head_site, chart_templates, moved))
    changes.sort(key=lambda change: KINDS.index(change.kind))  # stable: in data order within a kind
    return Review(base.label, changes, charts, sorted(warnings), notes + page_notes)


def _notes(base: Side, head: Side) -> list[str]:
    notes = list(base.notes)
    if base.templates is None:
        notes.append(f"{base.label} holds figures only: stories, templates and style files were not compared")
    problems = [d for d in base.diagnostics if d.severity is Severity.ERROR]
    if problems:
        notes.append(
            f"{base.label} has {len(problems)} data error(s) (first: {problems[0].format()}): "
            "the figures of the files that failed are not in the base"
        )
    return notes


# ---- figures and facts ---------------------------------------------------------------------------


def shown(view: FigureView) -> dict[str, str]:
    """A figure as its row on the page shows it, field by field."""
    f = view.figure
    return {
        "value": view.display,
        "indicator": f"{view.indicator.label} ({f.indicator})",
        "period": view.period_label,
        "scope": view.scope_label,
        "source": f"{view.source.publisher}, {view.published_label}",
        "quote": f"“{f.quote.strip()}”",
        "note": _plain(f.note),
        "doubt": _plain(f.doubt),
        "comparability": _plain(f.comparability),
        "headline": "among the headline figures" if f.headline else "not a headline figure",
        "corrections": "; ".join(f"Corrected {c.date}: {c.what}" for c in f.corrections),
    }


def _plain(markdown: str | None) -> str:
    return visible_text(str(render_markdown(markdown))) if markdown else ""


def status(views: Iterable[FigureView]) -> str:
    """How a fact is stated, as its pages say it."""
    members = list(views)
    grouped: dict[Any, list[FigureView]] = defaultdict(list)
    for view in members:
        grouped[statement(view.figure)].append(view)
    if len(grouped) > 1:
        said = "; ".join(
            f"{group[0].display} ({', '.join(v.source.publisher for v in group)})" for group in grouped.values()
        )
        return f"sources differ: {said}"
    if len(members) > 1:
        return f"confirmed by {len(members)} sources"
    return "stated by 1 source"


def _fact_title(view: FigureView) -> str:
    scope = view.scope_note
    return f"{view.indicator.label}{scope}, {view.period_label}"


def _figure_details(before: FigureView, after: FigureView) -> list[Detail]:
    """The fields of a figure whose words on the page differ. A value's words say its qualifier
    and unit too, so they are one line, named by the fields that changed."""
    old, new = shown(before), shown(after)
    details = []
    value_fields = [
        name for name in ("value", "qualifier", "unit") if getattr(before.figure, name) != getattr(after.figure, name)
    ]
    if old["value"] != new["value"]:
        details.append(Detail(" and ".join(value_fields) or "value", old["value"], new["value"]))
    elif before.figure.value != after.figure.value:  # the page rounds it alike: the downloads do not
        details.append(Detail("value in the data files", repr(before.figure.value), repr(after.figure.value)))
    # a label or a publisher edited is the indicator's or the source's change, not each figure's
    others = {name for name in ("indicator", "source") if getattr(before.figure, name) == getattr(after.figure, name)}
    fields = (
        "indicator",
        "period",
        "scope",
        "source",
        "quote",
        "note",
        "doubt",
        "comparability",
        "headline",
        "corrections",
    )
    for name in fields:
        if name in others:
            continue
        if old[name] != new[name]:
            details.append(Detail(name, old[name], new[name]))
        elif name in ("note", "doubt", "comparability"):  # the words alike, the emphasis or a link not
            written = getattr(before.figure, name), getattr(after.figure, name)
            if render_markdown(written[0]) != render_markdown(written[1]):
                details.append(Detail(f"{name}, formatting only", written[0] or "", written[1] or ""))
    return details


def _same_row(before: FigureView, after: FigureView) -> bool:
    """Whether a figure's row reads the same: it is made of the figure, its indicator and its source alone."""
    return before.figure == after.figure and before.indicator == after.indicator and before.source == after.source


def touched(before: dict[str, FigureView], after: dict[str, FigureView]) -> set[str]:
    """The figures whose row, page or fact differs (a chart that draws none of them is unchanged)."""
    found = set(before) ^ set(after)
    for figure_id, now in after.items():
        was = before.get(figure_id)
        if was is None or figure_id in found:
            continue
        if not _same_row(was, now) or was.home != now.home or _cluster(was) != _cluster(now):
            found.add(figure_id)
    return found


def _cluster(view: FigureView) -> tuple[list[str], list[str]]:
    return [v.id for v in view.confirmed_with], [v.id for v in view.conflicts_with]


def _pages_of(view: FigureView, story_pages: dict[str, list[str]]) -> list[str]:
    return list(dict.fromkeys([view.home, f"sources/{view.figure.source}/", *story_pages.get(view.id, [])]))


def _figure_changes(
    base_site: SiteView,
    head_site: SiteView,
    head: Side,
    base: Side,
    story_pages: dict[str, list[str]],
    moved: set[str],
) -> list[Change]:
    """The changes of the figures in moved (touched), and of their facts."""
    before, after = base_site.figures, head_site.figures
    facts = {side[i].fact_id for side in (before, after) for i in moved if i in side}
    base_facts = _facts(v for v in before.values() if v.fact_id in facts)
    head_facts = _facts(v for v in after.values() if v.fact_id in facts)
    new_sources = set(head.dataset.sources) - set(base.dataset.sources)

    def where(view: FigureView, side: Side) -> str:
        location = str(side.locator("figure", view.id))
        return location if side is head else f"{location} in {side.label}"

    def source_line(view: FigureView) -> str:
        new = ", a new source" if view.figure.source in new_sources else ""
        return f"{view.id}: {view.display} ({view.source.publisher}, {view.published_label}{new})"

    changed: dict[str, Change] = {}
    for figure_id, now in after.items():
        if figure_id not in moved:
            continue
        was = before.get(figure_id)
        details = _figure_details(was, now) if was is not None and not _same_row(was, now) else []
        if details:
            changed[figure_id] = Change(
                "figure-changed", figure_id, _fact_title(now), details, where(now, head), _pages_of(now, story_pages)
            )
    changes: list[Change] = []
    for fact in sorted(set(base_facts) | set(head_facts)):
        old, new = base_facts.get(fact, []), head_facts.get(fact, [])
        added = [v for v in new if v.id not in before]
        removed = [v for v in old if v.id not in after]
        old_status, new_status = status(old) if old else "", status(new) if new else ""
        if not old or not new:  # a new fact, or one gone: each figure of it is the change
            for view in added:
                details = [Detail(name, "", text) for name, text in shown(view).items() if text and name in _NEW_FIELDS]
                if view.figure.source in new_sources:
                    details.append(Detail("new source", "", f"{view.source.title} (sources/{view.figure.source}/)"))
                if len(new) > 1 and view is added[0]:
                    details.append(Detail("fact", "", new_status))
                changes.append(
                    Change(
                        "figure-added",
                        view.id,
                        _fact_title(view),
                        details,
                        where(view, head),
                        _pages_of(view, story_pages),
                    )
                )
            for view in removed:
                details = [Detail(name, text, "") for name, text in shown(view).items() if text and name in _NEW_FIELDS]
                changes.append(
                    Change("figure-removed", view.id, _fact_title(view), details, where(view, base), [view.home])
                )
            continue
        told = [Detail("fact", old_status, new_status)] if old_status != new_status else []
        if added or removed:  # the base's fact gained or lost a figure: the fact's own change
            details = told + [Detail("figure added", "", source_line(v)) for v in added]
            details += [Detail("figure removed", source_line(v), "") for v in removed]
            first = (added or new)[0]
            changes.append(
                Change(
                    "fact-changed", fact, _fact_title(first), details, where(first, head), _pages_of(first, story_pages)
                )
            )
        elif told:  # told with the figure whose change it is
            owner = next((changed[v.id] for v in [*new, *old] if v.id in changed), None)
            if owner is not None:
                owner.details.extend(told)
            else:
                changes.append(Change("fact-changed", fact, _fact_title(new[0]), told, where(new[0], head)))
    return [*changed.values(), *changes]


_NEW_FIELDS = ("value", "period", "scope", "source", "quote", "note", "doubt", "comparability")


def _facts(views: Iterable[FigureView]) -> dict[str, list[FigureView]]:
    grouped: dict[str, list[FigureView]] = defaultdict(list)
    for view in views:
        grouped[view.fact_id].append(view)
    return {key: sorted(members, key=lambda v: (v.source.published, v.id)) for key, members in grouped.items()}


def _story_pages(stories: dict[str, Story]) -> dict[str, list[str]]:
    """figure id -> the pages whose story names it."""
    pages: dict[str, list[str]] = defaultdict(list)
    for story in stories.values():
        for match in REFERENCE.finditer(story.text):
            if match["kind"] in ("fig", "change"):
                for figure_id in match["body"].split(":")[: 2 if match["kind"] == "change" else 1]:
                    pages[figure_id.strip()].append(_story_page(story.name))
    return pages


def _story_page(name: str) -> str:
    return {"overview": "", "compare": "compare/"}.get(name, f"{name}/")


# ---- indicators and sources ------------------------------------------------------------------------

_INDICATOR_FIELDS = ("label", "unit", "kind", "topic", "description", "counts", "measures")
_SOURCE_FIELDS = (
    "title",
    "publisher",
    "published",
    "dated_by",
    "url",
    "language",
    "notes",
    "sha256",
    "rearchived",
    "omitted",
    "claims",
)


def _indicator_text(indicator: Indicator, name: str) -> str:
    value = getattr(indicator, name)
    if name == "description":
        return _plain(value)
    return "" if value is None else str(getattr(value, "value", value))


def _source_text(source: Source, name: str) -> str:
    value = getattr(source, name)
    if name == "notes":
        return _plain(value)
    if name == "published":
        return format_published(value)
    if name == "sha256":
        return f"archived text {value[:12]}"
    if name == "rearchived":
        return "; ".join(f"re-archived {r.date}: {r.reason}" for r in value)
    if name == "omitted":
        return f"{len(value)} passage(s) recorded as not figures" if value else ""
    if name == "claims":
        return "; ".join(f"“{claim.quote}”" for claim in value)
    return "" if value is None else str(value)


def _indicator_changes(base: Side, head: Side, head_site: SiteView) -> Iterator[Change]:
    pages: dict[str, list[str]] = defaultdict(list)
    for view in head_site.figures.values():
        pages[view.indicator.id].append(view.home)
    for indicator_id, now in head.dataset.indicators.items():
        was = base.dataset.indicators.get(indicator_id)
        if indicator_id not in pages:  # an indicator no figure uses is shown nowhere
            continue
        if was is None:  # its definition is what a reviewer reads: its figures are listed apart
            details = [Detail(name, "", _indicator_text(now, name)) for name in _INDICATOR_FIELDS]
            location = str(head.locator("indicator", indicator_id))
            shown_on = sorted(set(pages[indicator_id]))
            yield Change(
                "indicator-added", indicator_id, now.label, [d for d in details if d.after], location, shown_on
            )
            continue
        details = [
            Detail(name, _indicator_text(was, name), _indicator_text(now, name))
            for name in _INDICATOR_FIELDS
            if _indicator_text(was, name) != _indicator_text(now, name)
        ]
        if details:
            location = str(head.locator("indicator", indicator_id))
            shown_on = sorted(set(pages[indicator_id]))
            yield Change("indicator-changed", indicator_id, now.label, details, location, shown_on)
    base_used = {figure.indicator for figure in base.dataset.figures.values()}
    for indicator_id, was in base.dataset.indicators.items():
        if indicator_id not in head.dataset.indicators and indicator_id in base_used:
            details = [Detail(name, _indicator_text(was, name), "") for name in ("label", "unit", "kind")]
            yield Change("indicator-removed", indicator_id, was.label, details, "", [])


def _source_changes(base: Side, head: Side, base_site: SiteView, head_site: SiteView) -> Iterator[Change]:
    figures_of: dict[str, int] = defaultdict(int)
    for view in head_site.figures.values():
        figures_of[view.figure.source] += 1
    for source_id, now in head.dataset.sources.items():
        was = base.dataset.sources.get(source_id)
        location = str(head.locator("source", source_id))
        page = f"sources/{source_id}/"
        if was is None:  # what a reviewer checks of a new article: its metadata and what it leaves out
            yield Change(
                "source-added", source_id, now.title, _new_source_details(now, figures_of[source_id]), location, [page]
            )
            continue
        details = [
            Detail(name, _source_text(was, name), _source_text(now, name))
            for name in _SOURCE_FIELDS
            if _source_text(was, name) != _source_text(now, name)
        ]
        if details:
            yield Change("source-changed", source_id, now.title, details, location, [page])
    old_figures = {view.figure.source for view in base_site.figures.values()}
    for source_id, was in base.dataset.sources.items():
        if source_id not in head.dataset.sources and source_id not in old_figures:
            where = f"{base.locator('source', source_id)} in {base.label}"
            yield Change("source-removed", source_id, was.title, [Detail("title", was.title, "")], where, [])


def _new_source_details(source: Source, figures: int) -> list[Detail]:
    shown = [
        Detail(name, "", _source_text(source, name))
        for name in ("title", "publisher", "published", "dated_by", "url", "language", "reviews_year", "notes")
        if _source_text(source, name)
    ]
    shown.append(Detail("figures", "", str(figures)))
    shown += [Detail("omitted", "", f"“{omission.quote}”: {omission.reason}") for omission in source.omitted]
    shown += [Detail("claim", "", f"“{claim.quote}”") for claim in source.claims]
    return shown


# ---- stories ---------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][”’\"')\]]))\s+(?=\S)")


def sentences(text: str) -> list[tuple[str, int]]:
    """A story's sentences in its own Markdown, whitespace made single, each with its line:
    blocks are the runs of lines between blank lines, and sentences end at . ! ? before a space."""
    found: list[tuple[str, int]] = []
    block: list[tuple[str, int]] = []

    def flush() -> None:
        joined, starts, at = "", [], 0
        for line, number in block:
            starts.append((at, number))
            joined += line + " "
            at = len(joined)
        position = 0
        for piece in [*_SENTENCE_END.split(joined), ""]:
            offset = joined.find(piece, position) if piece else -1
            words = " ".join(piece.split())
            if words:
                number = max(n for start, n in starts if start <= offset)
                found.append((words, number))
                position = offset + len(piece)
        block.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not block and found:
                found.append((PARAGRAPH, number))
            block.append((line.strip(), number))
        elif block:
            flush()
    if block:
        flush()
    return found


PARAGRAPH = "\u00b6"  # between two blocks of a story: a paragraph break is something a reader sees


def _rendered(sentence: str, views: dict[str, FigureView]) -> str:
    """A sentence of a story as its page shows it (figure references resolved)."""
    try:
        return visible_text(str(render_story(sentence, views, "")))
    except (KeyError, ValueError):  # a reference the lint refuses: shown as written
        return sentence


def _story_changes(base: Side, head: Side, base_site: SiteView, head_site: SiteView) -> Iterator[Change]:
    if base.templates is None:  # an export holds no stories
        return
    for name in sorted(set(base.stories) | set(head.stories)):
        was, now = base.stories.get(name), head.stories.get(name)
        old = sentences(was.text) if was else []
        new = sentences(now.text) if now else []
        page = _story_page(name)
        path = now.path if now else was.path if was else name
        title = f"Story on {'/' + page if page else 'the front page'}"
        matcher = difflib.SequenceMatcher(a=[s for s, _ in old], b=[s for s, _ in new], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            before = " ".join(_rendered(s, base_site.figures) for s, _ in old[i1:i2] if s != PARAGRAPH)
            after = " ".join(_rendered(s, head_site.figures) for s, _ in new[j1:j2] if s != PARAGRAPH)
            line = new[j1][1] if j1 < len(new) and j2 > j1 else (old[i1][1] if i1 < len(old) else 0)
            where = f"{path}:{line}" if line else path
            if now is None:
                where += f" in {base.label}"
            if before or after:
                detail = Detail("sentence", before, after)
            else:  # only the blocks differ: a paragraph split or joined
                following = next((s for s, _ in new[j2:] if s != PARAGRAPH), "")
                at = f"before “{_rendered(following, head_site.figures)}”" if following else "at the end"
                detail = Detail("paragraph break", "" if j2 > j1 else at, at if j2 > j1 else "")
            yield Change("story-changed", name, title, [detail], where, [page])


# ---- templates and style files -----------------------------------------------------------------------


def _template_changes(
    base: Side, head: Side, head_site: SiteView, chart_templates: Templates, bytecode_dir: Path | None
) -> tuple[list[Change], list[str]]:
    """The text each edited template changes on the pages it makes, both rendered on the working
    data (so a figure's change is not told again here); identical changes on several pages are one."""
    if base.templates is None or head.templates is None or base.templates == head.templates:
        return [], []
    base_env = environment_of(theme_loader(DictLoader(base.templates)), bytecode_dir)
    head_env = environment_of(theme_loader(DictLoader(head.templates)), bytecode_dir)
    parsed: dict[str, set[str] | None] = {}
    old_keys, new_keys = template_digests(base_env, parsed), template_digests(head_env, parsed)
    edited = {name for name in set(old_keys) | set(new_keys) if old_keys.get(name) != new_keys.get(name)}
    if not edited:
        return [], []
    from beijing_econ_site.build.run import dataset_jsonld

    config = SiteConfig(base_url="").of(head.dataset.site)
    charts = {key: make(chart_templates) for key, _, make in chart_sources(head_site)}
    jobs = [
        job
        for job in page_jobs(head_site, charts, dataset_jsonld(head.dataset, config), head.stories)
        if job.template in edited
    ]
    old_renderer = PageRenderer(None, config, env=base_env)
    new_renderer = PageRenderer(None, config, env=head_env)
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    new_pages: dict[str, list[tuple[str, str]]] = defaultdict(list)  # a new template's pages, and their titles
    notes: list[str] = []
    base_names = set(base_env.list_templates())  # the base's own and the default theme's
    for job in jobs:
        if job.template not in base_names:
            lines = visible_lines(b"".join(new_renderer.stream(job)).decode())
            new_pages[job.template].append((job.path, lines[0] if lines else ""))
            continue
        try:
            old_lines = visible_lines(b"".join(old_renderer.stream(job)).decode())
        except TemplateError as exc:
            notes.append(f"{job.template} of {base.label} cannot render /{job.path} ({exc}): its text was not compared")
            continue
        new_lines = visible_lines(b"".join(new_renderer.stream(job)).decode())
        matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                grouped[(" / ".join(old_lines[i1:i2]), " / ".join(new_lines[j1:j2]))].append(job.path)
    changes = []
    written = sorted(
        n for n in set(base.templates) | set(head.templates) if base.templates.get(n) != head.templates.get(n)
    )
    names = ", ".join(written)
    for (before, after), paths in grouped.items():
        where = ", ".join(f"templates/{name}" for name in written)
        changes.append(
            Change("page-text-changed", names, "Page text", [Detail("text", before, after)], where, sorted(set(paths)))
        )
    for template, made in sorted(new_pages.items()):
        titles = "; ".join(dict.fromkeys(title for _, title in made))
        pages = sorted(path for path, _ in made)
        changes.append(
            Change("page-added", template, "New page", [Detail("title", "", titles)], f"templates/{template}", pages)
        )
    if not changes:
        notes.append(f"templates changed ({names}) but no page's visible text did")
    return changes, notes


def _page_titles(site: SiteView, side: Side, chart_templates: Templates) -> dict[str, str]:
    """Each page the site makes, and its title; a source's and a chart's embed page aside: they
    come and go with their source and chart, which the review lists."""
    charts = {key: make(chart_templates) for key, _, make in chart_sources(site)}
    return {
        job.path: str(job.context.get("title") or site.site.title)
        for job in page_jobs(site, charts, {}, side.stories)
        if not job.path.startswith(("embed/", "sources/"))
    }


def _page_set_changes(
    base: Side, head: Side, base_site: SiteView, head_site: SiteView, chart_templates: Templates
) -> Iterator[Change]:
    """Pages the data adds or removes (a new year, a source's page, a compare page of its own),
    and the site's navigation when its years change: it is on every page."""
    before, after = _page_titles(base_site, base, chart_templates), _page_titles(head_site, head, chart_templates)
    for path in sorted(set(after) - set(before)):
        yield Change("page-added", path, "New page", [Detail("title", "", after[path])], "", [path])
    for path in sorted(set(before) - set(after)):
        yield Change("page-removed", path, "Page no longer made", [Detail("title", before[path], "")], "", [path])
    old_years, new_years = [str(y.year) for y in base_site.years], [str(y.year) for y in head_site.years]
    if old_years != new_years:
        yield Change(
            "navigation-changed",
            "years",
            "The years in every page's navigation",
            [Detail("years", " · ".join(old_years), " · ".join(new_years))],
        )


def _asset_changes(base: Side, head: Side) -> Iterator[Change]:
    if base.assets is None or head.assets is None:
        return
    for name in sorted(set(base.assets) | set(head.assets)):
        was, now = base.assets.get(name), head.assets.get(name)
        if was == now:
            continue
        state = "added" if was is None else "removed" if now is None else "changed"
        detail = Detail(
            "file", "" if was is None else f"{len(was):,} bytes", "" if now is None else f"{len(now):,} bytes"
        )
        yield Change("asset-changed", name, f"Style or script file {state}", [detail], f"templates/{name}", [])


# ---- charts ----------------------------------------------------------------------------------------

_NOT_DRAWN = {"source", "figure", "fact", "name", "segment"}  # tooltip and link fields, and lines (told apart)


def drawn_marks(chart: Chart) -> dict[str, str]:
    """What a chart draws, mark by mark, in its own words: each bar or point, each break, its title
    and axis title."""
    marks = {"title": chart.title}
    datasets = chart.spec.get("datasets", {})
    for row in datasets.get("figures", []):
        words = row.get("name") or row.get("period_label", "")
        text = f"{words}: {row.get('display', '')}"
        if row.get("qualifier"):
            text += f" ({row['qualifier']})"
        if row.get("flag"):
            text += f" [{row['flag']}]"
        drawn_values = {k: v for k, v in sorted(row.items()) if k not in _NOT_DRAWN}
        # a fact's mark, whichever of its sources' figures draws it (an earlier source added takes it over)
        key = f"mark {row.get('fact') or row.get('figure', '')}"
        marks[key if key not in marks else f"{key} {row.get('figure', '')}"] = f"{text}\0{drawn_values}"
    for row in datasets.get("breaks", []):
        marks[f"break {row.get('figure', '')}"] = f"{row.get('note', '')} from {row.get('period_label', '')}"
    for line in drawn_lines(datasets.get("figures", [])):
        marks[f"line {line}"] = line
    axes = [
        str(enc.get("title"))
        for layer in chart.spec.get("layer", [])
        for enc in layer.get("encoding", {}).values()
        if isinstance(enc, dict) and enc.get("field") == "value" and enc.get("title")
    ]
    if axes:
        marks["axis"] = axes[0]
    return marks


def drawn_lines(rows: list[dict[str, Any]]) -> list[str]:
    """Each line a series chart draws, as the periods it joins, each to the next, joined by ' – '."""
    lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if "segment" in row:
            lines[str(row["segment"])].append(row)
    return [
        " – ".join(str(r.get("period_label", "")) for r in sorted(members, key=lambda r: r.get("when", 0)))
        for members in lines.values()
        if len(members) > 1
    ]


def _mark_details(before: dict[str, str], after: dict[str, str]) -> list[Detail]:
    details = []
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name, ""), after.get(name, "")
        if old != new:
            old_words, new_words = old.split("\0", 1)[0], new.split("\0", 1)[0]
            if old_words == new_words:  # drawn elsewhere on the axis, labelled alike (rounded)
                old_words, new_words = old.replace("\0", " "), new.replace("\0", " ")
            details.append(Detail(name.split(" ", 1)[0], old_words, new_words))
    return details


def _title(drawn_from: object) -> str:
    """A group's title names its part ('(1 of 3)'), which other groups decide; a series' comes from its figures."""
    return str(getattr(drawn_from, "title", ""))


def _chart_changes(
    base_site: SiteView, head_site: SiteView, templates: Templates, moved: set[str]
) -> Iterator[ChartChange]:
    """Charts whose marks differ. As in the build's graph, a chart is made from its group or series
    alone: one that draws the same figures, none of them touched, is unchanged; the others are
    made on each side and their marks compared."""
    old = {key: (drawn_from, make) for key, drawn_from, make in chart_sources(base_site)}
    new = {key: (drawn_from, make) for key, drawn_from, make in chart_sources(head_site)}
    homes = {**_chart_pages(base_site), **_chart_pages(head_site)}
    for key in dict.fromkeys([*new, *old]):
        if key in old and key in new:
            was, now = [v.id for v in old[key][0].figures], [v.id for v in new[key][0].figures]
            if was == now and moved.isdisjoint(now) and _title(old[key][0]) == _title(new[key][0]):
                continue
        before = old[key][1](templates) if key in old else None
        after = new[key][1](templates) if key in new else None
        details = _mark_details(drawn_marks(before) if before else {}, drawn_marks(after) if after else {})
        if not details:
            continue
        chart = after or before
        assert chart is not None
        state = "changed" if before and after else "added" if after else "removed"
        yield ChartChange(chart.id, chart.title, state, details, homes.get(key, []), before, after)


def _chart_pages(site: SiteView) -> dict[str, list[str]]:
    """The pages that show each chart: a group's year or topic page, a series' compare page."""
    pages = {g.key: [t.path or y.path] for y in site.years for t in y.topics for g in t.charts}
    pages.update({key: [path] for key, path in series_pages(site.series).items()})
    return pages
