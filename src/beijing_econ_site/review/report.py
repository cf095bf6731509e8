"""A review as people read it: text for a terminal, Markdown for a pull request, JSON for tools."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import asdict

from beijing_econ_site.review.compare import NO_CHANGE, Change, ChartChange, Detail, Review

KIND_LABELS = {
    "figure-added": "Figure added",
    "figure-removed": "Figure removed",
    "figure-changed": "Figure changed",
    "fact-changed": "Fact changed",
    "indicator-added": "Indicator added",
    "indicator-changed": "Indicator changed",
    "indicator-removed": "Indicator removed",
    "source-added": "Source added",
    "source-removed": "Source removed",
    "source-changed": "Source changed",
    "story-changed": "Story edited",
    "page-text-changed": "Page text changed",
    "page-added": "Page added",
    "page-removed": "Page removed",
    "navigation-changed": "Navigation changed",
    "asset-changed": "Style or script file",
}
LONG = 60  # characters of before and after together, past which they go on lines of their own


def summary(result: Review) -> str:
    if result.is_empty:
        return f"Compared with {result.base}: {NO_CHANGE}."
    charts = f", {_count(len(result.charts), 'chart')} redrawn" if result.charts else ""
    return f"Compared with {result.base}: {_count(len(result.changes), 'change')} a reader would see{charts}."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _page_list(pages: list[str]) -> str:
    return ", ".join(f"/{page}" for page in pages)


# ---- text ----------------------------------------------------------------------------------------


def as_text(result: Review, pngs: dict[str, tuple[str, str]] | None = None) -> str:
    lines = [summary(result)]
    for change in result.changes:
        lines.append("")
        lines.append(f"{KIND_LABELS[change.kind]}: {change.title} [{change.subject}]")
        where = change.location + (f" · shown on {_page_list(change.pages)}" if change.pages else "")
        if where:
            lines.append(f"  {where}")
        lines += [f"  {line}" for detail in change.details for line in _text_detail(detail)]
    if result.charts:
        lines += ["", f"Charts whose drawn data changed ({len(result.charts)}):"]
        for chart in result.charts:
            shown_on = f", shown on {_page_list(chart.pages)}" if chart.pages else ""
            lines.append(f"  {chart.id}: {chart.title} ({chart.status}{shown_on})")
            lines += [f"    {line}" for detail in chart.marks for line in _text_detail(detail)]
            if pngs and chart.id in pngs:
                lines.append(f"    before/after: {' '.join(p for p in pngs[chart.id] if p)}")
    if result.warnings:
        lines += ["", "Warnings:"] + [f"  {d.format()}" for d in result.warnings]
    if result.notes:
        lines += ["", "Not compared:"] + [f"  {note}" for note in result.notes]
    return "\n".join(lines) + "\n"


def _text_detail(detail: Detail) -> list[str]:
    before, after = _printable(detail.before), _printable(detail.after)
    if not before:
        return [f"{detail.field}: + {after}"]
    if not after:
        return [f"{detail.field}: - {before}"]
    if len(before) + len(after) <= LONG:
        return [f"{detail.field}: {before} -> {after}"]
    old, new = marked_words(before, after, lambda w: w, ("[-", "-]"), ("{+", "+}"))
    return [f"{detail.field}:", f"  before: {old}", f"  after:  {new}"]


def marked_words(
    before: str,
    after: str,
    shown: Callable[[str], str],
    removed: tuple[str, str],
    added: tuple[str, str],
) -> tuple[str, str]:
    """Before and after with the words that differ marked, as `git diff --word-diff` marks them:
    a reviewer reads a long note or sentence for the few words that changed."""
    old, new = before.split(), after.split()
    old_out: list[str] = []
    new_out: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        was, now = " ".join(shown(w) for w in old[i1:i2]), " ".join(shown(w) for w in new[j1:j2])
        if tag == "equal":
            old_out.append(was)
            new_out.append(now)
            continue
        if was:
            old_out.append(f"{removed[0]}{was}{removed[1]}")
        if now:
            new_out.append(f"{added[0]}{now}{added[1]}")
    return " ".join(old_out), " ".join(new_out)


def _printable(text: str) -> str:
    """Text from the data on one terminal line: controls and line breaks shown as escapes."""
    text = " ".join(text.split())
    return text if text.isprintable() else "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


# ---- Markdown ---------------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&-])")


# GitHub turns bare addresses into links ("https://...", "www.", "name@host"): the character that
# makes each one is written as an entity, which shows the same and links nothing
_AUTOLINK_MAKER = re.compile(r"(?<=[A-Za-z])(:)(?=//)|(?<=\bwww)(\.)|(@)", re.IGNORECASE)


def escape(text: str) -> str:
    """Text from the data as Markdown that shows it as written: no markup, no HTML, no link."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", _printable(text))
    return _AUTOLINK_MAKER.sub(lambda m: f"&#{ord(m[0])};", escaped)


def _code(text: str) -> str:
    safe = _printable(text).replace("`", "'")
    return f"`{safe}`"


MARKDOWN_LIMIT = 800_000  # bytes of changes; a job summary holds at most 1 MiB


def as_markdown(
    result: Review, pngs: dict[str, tuple[str, str]] | None = None, artifact: str = "", limit: int = MARKDOWN_LIMIT
) -> str:
    lines = ["### What readers would see change", "", escape(summary(result))]
    budget = [limit]  # what is left of it, shared by the changes and the charts
    if result.changes:
        lines.append("")
        lines += _within(budget, [_markdown_change(change) for change in result.changes], "change")
    if result.charts:
        lines += ["", f"#### Charts whose drawn data changed ({len(result.charts)})", ""]
        lines += _within(budget, [_markdown_chart(chart) for chart in result.charts], "chart")
        if pngs:
            where = f" in the artifact {_code(artifact)}" if artifact else ""
            lines += [
                "",
                f"Each redrawn chart's PNG before and after is{where}: `<chart>.before.png`, `<chart>.after.png`.",
            ]
    if result.warnings:
        lines += ["", f"#### Warnings ({len(result.warnings)})", ""]
        lines += [f"- {_code(str(d.location))} {_code(d.rule)}: {escape(d.message)}" for d in result.warnings]
    if result.notes:
        lines += ["", "#### Not compared", ""] + [f"- {escape(note)}" for note in result.notes]
    return "\n".join(lines) + "\n"


def _within(budget: list[int], items: list[list[str]], noun: str) -> list[str]:
    """The items' lines while the budget lasts, then a line saying how many are left out."""
    lines: list[str] = []
    for number, told in enumerate(items):
        budget[0] -= sum(len(line.encode()) + 1 for line in told)
        if budget[0] < 0:
            rest = _count(len(items) - number, f"more {noun}")
            lines.append(f"- and {rest} not shown here (a job summary holds 1 MiB): `beijing-econ-site diff` lists all")
            break
        lines += told
    return lines


def _markdown_chart(chart: ChartChange) -> list[str]:
    shown_on = f", shown on {escape(_page_list(chart.pages))}" if chart.pages else ""
    head = f"- **{escape(chart.title)}** {_code(chart.id)} ({chart.status}{shown_on})"
    return [head] + [f"  {line}" for detail in chart.marks for line in _markdown_detail(detail)]


def _markdown_change(change: Change) -> list[str]:
    head = f"- **{KIND_LABELS[change.kind]}**: {escape(change.title)} {_code(change.subject)}"
    if change.location:
        head += f" · {_code(change.location)}"
    if change.pages:
        head += f" · shown on {escape(_page_list(change.pages))}"
    return [head] + [f"  {line}" for detail in change.details for line in _markdown_detail(detail)]


def _markdown_detail(detail: Detail) -> list[str]:
    name = escape(detail.field)
    before, after = escape(detail.before), escape(detail.after)
    if not detail.before:
        return [f"- {name}: **added** {after}"]
    if not detail.after:
        return [f"- {name}: **removed** {before}"]
    if len(detail.before) + len(detail.after) <= LONG:
        return [f"- {name}: {before} → **{after}**"]
    old, new = marked_words(_printable(detail.before), _printable(detail.after), escape, ("~~", "~~"), ("**", "**"))
    return [f"- {name}", f"  - before: {old}", f"  - after: {new}"]


# ---- JSON -------------------------------------------------------------------------------------------


def as_json(result: Review, pngs: dict[str, tuple[str, str]] | None = None) -> str:
    def chart(change: ChartChange) -> dict[str, object]:
        found: dict[str, object] = {
            "id": change.id,
            "title": change.title,
            "status": change.status,
            "pages": change.pages,
        }
        found["marks"] = [asdict(detail) for detail in change.marks]
        if pngs and change.id in pngs:
            found["png"] = {"before": pngs[change.id][0], "after": pngs[change.id][1]}
        return found

    data = {
        "base": result.base,
        "summary": summary(result),
        "changed": not result.is_empty,
        "changes": [asdict(change) for change in result.changes],
        "charts": [chart(change) for change in result.charts],
        "warnings": [d.to_json() for d in result.warnings],
        "notes": result.notes,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
