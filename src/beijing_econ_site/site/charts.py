"""Charts: Altair specs from views, rendered at build time to accessible inline SVG.

Specs carry explicit field types and keep data order (sort=None), so no pandas is needed.
build.renderer renders them to SVG and PNG, cached on disk by a hash of the spec.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import html
import io
import itertools
import json
import logging
import re
import textwrap
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache, cached_property
from typing import Any, Protocol

from beijing_econ_site.data.formatting import axis_scale
from beijing_econ_site.data.models import Qualifier, Unit
from beijing_econ_site.data.periods import Period, follows, parse_period
from beijing_econ_site.site.markdown import markdown_as_text
from beijing_econ_site.site.spreadsheet import safe_cell
from beijing_econ_site.site.views import ChartGroup, FigureView, Series, SiteView

log = logging.getLogger(__name__)

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
BLUE, ORANGE, VERMILLION, GREEN, GREY = "#0072B2", "#E69F00", "#D55E00", "#009E73", "#6b6b6b"
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC")  # for share cards whose words are Chinese
WIDTH = 560
SERIES_HEIGHT = 240
OPEN_FILL = "#ffffff"  # the fill of a mark whose value is not exact: a bound or an approximation
CONFLICT_FLAG = "sources differ"  # beside a value another source states differently
# beside a value whose period the site reads from the article's context, with the chart's footnote
READ_MARK = " *"
READ_NOTE = "* The period is the site's reading: the article does not state it"
QUALIFIER_MARKS = {
    Qualifier.EXACT: ("without a qualifier", "circle"),
    Qualifier.AT_LEAST: ("at least (over)", "triangle-up"),
    Qualifier.AT_MOST: ("at most (nearly)", "triangle-down"),
    Qualifier.APPROXIMATELY: ("approximately (about)", "diamond"),
}
QUALIFIER_TIPS = {
    Qualifier.EXACT: "as stated, without a qualifier",
    Qualifier.AT_LEAST: "at least: a lower bound",
    Qualifier.AT_MOST: "at most: an upper bound",
    Qualifier.APPROXIMATELY: "approximate",
}
CONFIG: dict[str, Any] = {
    "font": FONT,
    "background": "#ffffff",
    "padding": 8,
    "view": {"stroke": None},
    "axis": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "labelColor": "#333333",
        "titleColor": "#333333",
        "gridColor": "#e4e4e4",
        "aria": False,
    },
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "aria": False},
    "mark": {"aria": False},
    "title": {"fontSize": 14, "anchor": "start", "color": "#222222", "aria": False},
    "aria": False,
}


@dataclass
class Chart:
    """A chart: its spec, words for people who cannot see it, the rows behind it, and its renders."""

    id: str
    title: str
    description: str
    spec: dict[str, Any]
    rows: list[dict[str, Any]]
    tips: list[str] = field(default_factory=list)  # the words of each drawn mark, in the order Vega draws them
    svg: str = ""
    png: bytes = b""
    inputs: str = ""  # the digest of what the chart is made from (build.graph)
    schema: str = ""  # the Vega-Lite schema its spec names
    caveat: str = ""  # what the chart marks on itself that a card without it must say

    @property
    def embed_height(self) -> int:
        """An iframe height that shows the whole chart at its drawn size, with its title, the data,
        embed and download lines, and its source line."""
        found = re.search(r'viewBox="0 0 [\d.]+ ([\d.]+)"', self.svg)
        return round(float(found[1]) if found else 300) + 240

    @cached_property
    def spec_json(self) -> str:
        """The spec as the site publishes it; read once the spec is complete."""
        return json.dumps(self.spec, sort_keys=True)

    @cached_property
    def spec_hash(self) -> str:
        return hashlib.sha256(self.spec_json.encode()).hexdigest()[:16]

    def let_go_of_written_parts(self) -> None:
        """Once its files are written, a page needs only the chart's SVG and rows: on a large
        site the specs and PNGs would otherwise fill the memory."""
        self.spec_hash  # noqa: B018 - kept, computed while the spec is still here
        self.png = b""
        self.spec = {}
        self.__dict__.pop("spec_json", None)

    def csv_bytes(self) -> bytes:
        buffer = io.StringIO()
        columns = list(self.rows[0])
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows({key: _cell(row[key]) for key in columns} for row in self.rows)
        return buffer.getvalue().encode("utf-8")


def _cell(value: Any) -> Any:
    """A CSV cell as figures.csv writes it: booleans as true and false, text safe to open."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return safe_cell(value)


def wrap_label(text: str, width: int = 30) -> str:
    """Break a label into lines of at most width characters, joined by '|' for the axis to split."""
    return "|".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def _divided(value: float, divisor: Decimal) -> float:
    return float(Decimal(repr(value)) / divisor) if isinstance(value, float) else float(Decimal(value) / divisor)


def _data_rows(figures: list[FigureView]) -> list[dict[str, Any]]:
    """One row per fact the chart draws (a fact several sources confirm is one row naming them all),
    its value as the page writes it and in base units written one way whatever the YAML's spelling
    (50, never 50.0), and its qualifier in words."""
    return [
        {
            "id": v.id,
            "indicator": v.indicator.label + v.scope_note,
            "period": v.period_label,
            "shown": v.display,
            "value": _one_spelling(v.figure.value),
            "unit": v.figure.unit,
            "qualifier": v.figure.qualifier.value,
            "period_inferred": v.period_is_read,
            "comparability": markdown_as_text(v.figure.comparability),
            "scope": v.figure.scope,
            "source": v.sources_text,
        }
        for v in figures
        if not v.is_shown_elsewhere
    ]


def _one_spelling(value: int | float) -> int | float:
    return int(value) if isinstance(value, float) and value.is_integer() else value


class Templates(Protocol):
    """Chart templates as JSON text, one per chart shape (the build keeps them in a cache)."""

    def bar(self) -> str: ...

    def series(self, is_rank: bool, qualifiers: tuple[Qualifier, ...], with_breaks: bool) -> str: ...


def drawn(figures: list[FigureView]) -> list[FigureView]:
    """One mark per statement of a fact: a figure that another source's figure confirms is drawn
    once, by the earliest source's, which names every source; a conflicting value is drawn too."""
    return [f for f in figures if not f.is_shown_elsewhere]


def tip_text(view: FigureView) -> str:
    """What a mark's tooltip says, like the figure's row: the value as the article states it,
    its period, how it is stated and its source."""
    where = view.scope_note
    stated = f"{view.display} ({QUALIFIER_TIPS[view.figure.qualifier]})"
    return f"{view.indicator.label}{where}, {view.period_label}: {stated}. Source: {view.sources_text}"


def _bar_label(view: FigureView) -> str:
    """The bar's label; a value in conflict with another source's names who states it (its
    source, or how many sources confirm it), so the bars of one fact are told apart."""
    label = view.indicator.label
    if not view.conflicts_with:
        return label
    stated_by = f"{len(view.statements)} sources" if view.confirmed_with else view.source.publisher
    return f"{label} ({stated_by})"


def _download(spec: dict[str, Any], title: str, figures: list[FigureView]) -> None:
    """What a downloaded picture of the chart says around it: its title, and every source of
    its values (build.vega.framed draws them)."""
    sources = dict.fromkeys(f"{v.source.publisher}, {v.date_label}{v.citing}" for f in figures for v in f.statements)
    spec["usermeta"]["download"] = {"title": title, "source": "Source: " + "; ".join(sources)}


def _footnote(spec: dict[str, Any], read: set[str]) -> None:
    if read:
        spec["title"] = {
            "text": READ_NOTE,
            "orient": "bottom",
            "anchor": "start",
            "fontSize": 11,
            "fontWeight": "normal",
            "color": "#4d4d4d",
        }


def bar_chart(group: ChartGroup, templates: Templates) -> Chart:
    figures = drawn(group.figures)
    # a value whose period the site reads is marked, and the footnote says what the mark means,
    # unless the title already says '(probably)' of every value
    read = set() if group.period_in_title else {f.id for f in figures if f.period_is_read}
    unit = figures[0].figure.unit
    divisor, axis_title = axis_scale([f.figure.value for f in figures], unit)
    values: list[dict[str, Any]] = [
        {
            "label": wrap_label(_bar_label(f)),
            "qualifier": QUALIFIER_MARKS[f.figure.qualifier][0],
            "name": _bar_label(f),
            "value": _divided(f.figure.value, divisor),
            "display": f.display,
            "flag": CONFLICT_FLAG if f.conflicts_with else "",
            "read": READ_MARK if f.id in read else "",
            "source": f.sources_text,
            "figure": f.id,
            "fact": f.fact_id,
        }
        for f in figures
    ]
    longest = max(len(v["label"].split("|")) for v in values)
    spec = _filled(templates.bar(), {"figures": values}, divisor, height=(22 + 15 * longest) * len(values))
    _bar_legend(spec, tuple(q for q in Qualifier if any(f.figure.qualifier is q for f in figures)))
    _title_axis(spec, "x", axis_title)
    spec["usermeta"]["period_in_title"] = group.period_in_title
    _footnote(spec, read)
    _download(spec, group.title, figures)
    readable = "; ".join(f"{_bar_label(f)}: {f.display}" for f in figures)
    description = f"Bar chart, {group.title}. {readable}."
    tips = [tip_text(f) for f in figures]
    return Chart(f"chart-{group.key}", group.title, description, spec, _data_rows(group.figures), tips)


def _filled(
    template: str, datasets: dict[str, list[dict[str, Any]]], divisor: Decimal, **properties: Any
) -> dict[str, Any]:
    """A fresh copy of a cached template (JSON text: loading it takes a third of deepcopy's time)
    with its named datasets and sizes filled in; usermeta.scale is what the axis divides by, so the
    chart rules (and anyone reading the spec) can read each drawn value back."""
    spec: dict[str, Any] = json.loads(template)
    spec["datasets"] = datasets
    spec["usermeta"] = {"scale": str(divisor)}
    spec.update(properties)
    spec["config"] = CONFIG
    return spec


def _title_axis(spec: dict[str, Any], channel: str, title: str) -> None:
    """Set the title of the value axis in every layer that plots the value on channel."""
    for layer in spec.get("layer", []):
        encoding = layer.get("encoding", {}).get(channel)
        if encoding and encoding.get("field") == "value":
            encoding["title"] = title


# The templates are built without Altair's schema validation (a third of the cost of a cold
# build's main process): they depend on code alone, and the tests validate every shape of them.
@cache
def bar_template(validate: bool = False) -> str:
    """The bar chart's spec, built by Altair once; data is named, the axis titled later."""
    import altair as alt

    base = alt.Chart(alt.Data(name="figures"))
    y = alt.Y(
        "label:N",
        sort=None,
        title=None,
        axis=alt.Axis(labelLimit=240, labelFontSize=12, labelExpr="split(datum.label, '|')", labelPadding=6),
    )
    x = alt.X("value:Q", title="value", axis=alt.Axis(tickCount=5), stack=None)  # one bar per fact, never summed
    tooltip = [
        alt.Tooltip("name:N", title="Indicator"),
        alt.Tooltip("display:N", title="Value"),
        alt.Tooltip("source:N", title="Source"),
    ]
    # as on the series' points: an exact value is a solid bar, a bound or an approximation an
    # open one (bar_chart sets the legend to the qualifiers present); a fall is drawn in vermillion
    labels_of = [QUALIFIER_MARKS[q][0] for q in Qualifier]
    fill = alt.Fill(
        "qualifier:N",
        scale=alt.Scale(domain=labels_of, range=[_fill_of(q, BLUE) for q in Qualifier]),
        legend=alt.Legend(title="Value stated as", orient="bottom", direction="horizontal"),
        condition={"test": f"datum.value < 0 && datum.qualifier == '{labels_of[0]}'", "value": VERMILLION},
    )
    bars = base.mark_bar(height={"band": 0.7}, strokeWidth=1.5).encode(
        y=y,
        x=x,
        fill=fill,
        stroke=alt.condition("datum.value < 0", alt.value(VERMILLION), alt.value(BLUE)),
        tooltip=tooltip,
    )
    labels = (
        base.transform_calculate(
            at="max(datum.value, 0)",
            shown="(datum.flag ? datum.display + ' (' + datum.flag + ')' : datum.display) + datum.read",
        )
        .mark_text(align="left", dx=4, fontSize=12, color="#222222")
        .encode(y=y, x=alt.X("at:Q"), text=alt.Text("shown:N"))
    )
    return json.dumps((bars + labels).properties(width=WIDTH - 280, height=100).to_dict(validate=validate))


def _fill_of(qualifier: Qualifier, colour: str) -> str:
    return colour if qualifier is Qualifier.EXACT else OPEN_FILL


def _bar_legend(spec: dict[str, Any], present: tuple[Qualifier, ...]) -> None:
    """The bars' legend lists the qualifiers drawn, and is left out when every bar is exact."""
    for layer in spec.get("layer", []):
        fill = layer.get("encoding", {}).get("fill")
        if isinstance(fill, dict) and fill.get("field") == "qualifier":
            fill["scale"] = {
                "domain": [QUALIFIER_MARKS[q][0] for q in present],
                "range": [_fill_of(q, BLUE) for q in present],
            }
            if present == (Qualifier.EXACT,):
                fill["legend"] = None


def line_segments(figures: list[FigureView]) -> list[str]:
    """The line each drawn figure (in time order) belongs to. A line joins only periods of one
    length that follow one another (years with the next year, H1 with H1 or H2; as-of dates a
    year apart at most): a gap in the data is drawn as a gap. It never runs across a change of
    measure, whichever figure states the change (an H1 figure's break cuts the years' line too),
    and a second value for a period already on the line (a conflict) stands alone."""
    breaks = sorted({f.figure.period_info.start for f in figures[1:] if f.figure.comparability})
    last: dict[str, Period] = {}
    lines: dict[str, int] = defaultdict(int)
    seen: set[tuple[str, str]] = set()
    segments = []
    for view in figures:
        period = view.figure.period_info
        if (period.kind, period.text) in seen:
            segments.append(f"{view.id}-alone")
            continue
        seen.add((period.kind, period.text))
        before = last.get(period.kind)
        if before is not None and not joinable(before, period, breaks):
            lines[period.kind] += 1
        last[period.kind] = period
        segments.append(f"{period.kind}-{lines[period.kind]}")
    return segments


def joinable(earlier: Period, later: Period, breaks: list[date]) -> bool:
    """Whether a line may run from one period to the next: they follow one another and no
    change of measure falls after the first starts and by the time the second starts."""
    return follows(earlier, later) and not any(earlier.start < at <= later.start for at in breaks)


EPOCH = date(1970, 1, 1)


def time_of(day: date) -> int:
    """A day as a time axis reads it: milliseconds since 1970 at midnight UTC."""
    return (day - EPOCH).days * 86_400_000


def year_ticks(figures: list[FigureView]) -> tuple[list[int], list[int]]:
    """The time axis's domain (from the first period's year to the end of the last's, with a
    margin of a fortieth of the span either side, so a value's label over a point near the edge
    does not run onto the value axis) and a tick at the middle of a year for at most eight
    years, so the labels are years, never repeated."""
    first = min(f.figure.period_info.start.year for f in figures)
    last = max(f.figure.period_info.end.year for f in figures)
    step = -(-(last - first + 1) // 8)
    ticks = [time_of(parse_period(str(year)).centre) for year in range(first, last + 1, step)]
    start, end = time_of(date(first, 1, 1)), time_of(date(last + 1, 1, 1))
    margin = (end - start) // 40
    return [start - margin, end + margin], ticks


def series_chart(series: Series, templates: Templates) -> Chart:
    figures = drawn(series.figures)
    unit = figures[0].figure.unit
    divisor, axis_title = axis_scale([f.figure.value for f in figures], unit)
    values = []
    for f, segment in zip(figures, line_segments(figures), strict=True):
        label, _shape = QUALIFIER_MARKS[f.figure.qualifier]
        values.append(
            {
                "when": time_of(f.figure.period_info.centre),
                "value": _divided(f.figure.value, divisor),
                "period_label": f.period_label,
                "display": f.display,
                "qualifier": label,
                "segment": segment,
                "flag": CONFLICT_FLAG if segment.endswith("-alone") else "",
                "read": READ_MARK if f.period_is_read else "",
                "source": f.sources_text,
                "figure": f.id,
                "fact": f.fact_id,
            }
        )
    title = series.title
    present = tuple(q for q in Qualifier if any(f.figure.qualifier is q for f in figures))
    breaks = series.breaks
    switches = source_changes(figures)
    marks = [
        {
            "when": time_of(f.figure.period_info.start),
            "note": "Measure may differ",
            "kind": "measure",
            "figure": f.id,
            "period_label": f.period_label,
        }
        for f in breaks
    ] + [
        {
            "when": _between(f, figures),
            "note": "Another source",
            "kind": "source",
            "figure": f.id,
            "period_label": f.period_label,
        }
        for f in switches
    ]
    template = templates.series(unit == Unit.RANK, present, bool(marks))
    spec = _filled(template, {"figures": values, "breaks": marks}, divisor)
    _title_axis(spec, "y", axis_title)
    domain, ticks = year_ticks(figures)
    _time_axis(spec, domain, ticks)
    spec["usermeta"]["period_in_title"] = False
    _footnote(spec, {f.id for f in figures if f.period_is_read})
    _download(spec, series.title, figures)
    readable = "; ".join(f"{f.period_label}: {f.display}, according to {f.sources_text}" for f in figures)
    readable = readable[:1].upper() + readable[1:]  # 'As of 30 Jun 2020: ...' begins a sentence
    segments = Counter(str(v["segment"]) for v in values)
    drawn_as = "Line chart" if any(count > 1 for count in segments.values()) else "Chart of points, no two joined,"
    description = f"{drawn_as} on a time axis, {title}, {len(figures)} values. {readable}."
    gaps = _gaps(figures)
    if gaps:
        description += f" No line is drawn across the gaps in the data: {'; '.join(gaps)}."
    if switches:
        description += (
            " A dotted line marks each change of source: the values from "
            + " and from ".join(in_a_sentence(f) for f in switches)
            + " on come from another article than the values before them."
        )
    if breaks:
        description += (
            " A dashed line marks where the measure may differ, before "
            + " and before ".join(in_a_sentence(f) for f in breaks)
            + ": the values either side may not be comparable, and no line joins them."
        )
    tips = [tip_text(f) for f in figures]
    chart = Chart(f"chart-{series.key}", title, description, spec, _data_rows(series.figures), tips)
    if breaks:
        chart.caveat = "Its values may not be comparable: the chart marks where the measure may differ"
    elif switches:
        chart.caveat = "Its values come from more than one article, and the chart marks where the article changes"
    return chart


def _between(view: FigureView, figures: list[FigureView]) -> int:
    """Where a change of source is drawn: at the start of the value's period when that lies
    between the value before it and this one; else (a value as of a day, whose period starts at
    its point, or a year after a half of it) halfway between the two, so the line never runs
    through a point and its label."""
    period = view.figure.period_info
    start, at = time_of(period.start), time_of(period.centre)
    earlier = [centre for centre in (time_of(f.figure.period_info.centre) for f in figures) if centre < at]
    if not earlier:
        return start
    before = max(earlier)
    return start if before < start < at else (before + at) // 2


def sources_of(view: FigureView) -> frozenset[str]:
    """The sources a drawn value stands for: its own, and those of the figures that confirm it."""
    return frozenset(v.figure.source for v in view.statements)


def source_changes(figures: list[FigureView]) -> list[FigureView]:
    """The values (in time order) whose sources share none with the value before them, where no
    change of measure is marked already: a reader sees where the chart moves to another article."""
    ordered = sorted(figures, key=lambda v: v.figure.period_info.sort_key)
    return [
        later
        for earlier, later in itertools.pairwise(ordered)
        if not later.figure.comparability and sources_of(earlier).isdisjoint(sources_of(later))
    ]


def in_a_sentence(view: FigureView) -> str:
    """A period as a phrase reads after 'between', 'from' or 'before': '30 Jun 2020', not 'as of 30 Jun 2020'."""
    return view.period_label.removeprefix("as of ")


def _gaps(figures: list[FigureView]) -> list[str]:
    """Each pair of periods of one length that do not follow one another: 'between 2019 and 2021'."""
    last: dict[str, FigureView] = {}
    gaps = []
    for view in figures:
        period = view.figure.period_info
        before = last.get(period.kind)
        if (
            before is not None
            and before.figure.period != view.figure.period
            and not follows(before.figure.period_info, period)
        ):
            gaps.append(f"between {in_a_sentence(before)} and {in_a_sentence(view)}")
        last[period.kind] = view
    return gaps


def _time_axis(spec: dict[str, Any], domain: list[int], ticks: list[int]) -> None:
    """Fix the time axis's span and its ticks (the middle of each year shown) in every layer."""
    for layer in spec.get("layer", []):
        x = layer.get("encoding", {}).get("x")
        if x and x.get("type") == "temporal":
            x["scale"] = {**x.get("scale", {}), "domain": domain}
            if "axis" in x and x["axis"] is not None:
                x["axis"]["values"] = ticks


@cache
def series_template(is_rank: bool, qualifiers: tuple[Qualifier, ...], with_breaks: bool, validate: bool = False) -> str:
    """The comparison chart's spec, built by Altair once per shape; data is named, the axis titled later."""
    import altair as alt

    base = alt.Chart(alt.Data(name="figures"))
    # time drawn as time: a point sits at the middle of its period on a UTC time scale, so
    # 30 Jun 2020, 11 Nov 2022 and 5 Aug 2024 are as far apart on the page as in the calendar
    x = alt.X(
        "when:T",
        title=None,
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(labelAngle=0, labelFontSize=12, labelExpr="utcFormat(datum.value, '%Y')", grid=False),
    )
    y_scale = alt.Scale(reverse=True, zero=False) if is_rank else alt.Scale(zero=True)
    y = alt.Y("value:Q", title="value", scale=y_scale, axis=alt.Axis(tickCount=5), stack=None)
    present = [QUALIFIER_MARKS[q] for q in qualifiers]
    legend = alt.Legend(title="Value stated as", orient="bottom", direction="horizontal")
    shape = alt.Shape(
        "qualifier:N", scale=alt.Scale(domain=[p[0] for p in present], range=[p[1] for p in present]), legend=legend
    )
    # the legend fills its symbols as the marks are filled: solid for exact, open for the others
    fills = [_fill_of(q, BLUE) for q in qualifiers]
    fill = alt.Fill("qualifier:N", scale=alt.Scale(domain=[p[0] for p in present], range=fills), legend=legend)
    tooltip = [
        alt.Tooltip("period_label:N", title="Period"),
        alt.Tooltip("display:N", title="Value"),
        alt.Tooltip("qualifier:N", title="Stated as"),
        alt.Tooltip("source:N", title="Source"),
    ]
    layers = [
        base.mark_line(color=BLUE, strokeWidth=2).encode(x=x, y=y, detail="segment:N"),
        base.mark_point(size=110, strokeWidth=2, color=BLUE, opacity=1).encode(
            x=x,
            y=y,
            shape=shape,
            fill=fill,
            tooltip=tooltip,
        ),
        # a value on the line is labelled above its point; a second source's different value for
        # the same period stands alone, labelled below with the conflict named
        base.transform_filter("!datum.flag")
        .transform_calculate(shown="datum.display + datum.read")
        .mark_text(dy=-14, fontSize=12, color="#222222")
        .encode(x=x, y=y, text=alt.Text("shown:N")),
        base.transform_filter("datum.flag")
        .transform_calculate(shown="datum.display + datum.read")
        .mark_text(dy=18, fontSize=12, color="#222222")
        .encode(x=x, y=y, text=alt.Text("shown:N")),
        base.transform_filter("datum.flag")
        .mark_text(dy=32, fontSize=11, fontStyle="italic", color=VERMILLION)
        .encode(x=x, y=y, text=alt.Text("flag:N")),
    ]
    if with_breaks:
        rule_base = alt.Chart(alt.Data(name="breaks"))
        # a change of measure is a dashed orange line; a change of source alone a dotted grey one
        is_source = "datum.kind == 'source'"
        layers.append(
            rule_base.mark_rule(strokeWidth=2).encode(
                x=alt.X("when:T", scale=alt.Scale(type="utc")),
                color=alt.condition(is_source, alt.value(GREY), alt.value(ORANGE)),
                strokeDash=alt.condition(is_source, alt.value([2, 3]), alt.value([5, 4])),
            )
        )
        layers.append(
            rule_base.mark_text(align="left", dx=6, baseline="bottom", fontSize=12, fontWeight="bold").encode(
                x=alt.X("when:T", scale=alt.Scale(type="utc")),
                y=alt.value(SERIES_HEIGHT - 4),
                text="note:N",
                color=alt.condition(is_source, alt.value("#4d4d4d"), alt.value("#8a5a00")),
            )
        )
    return json.dumps(alt.layer(*layers).properties(width=WIDTH - 120, height=SERIES_HEIGHT).to_dict(validate=validate))


ChartMaker = Callable[[Templates], Chart]


def chart_sources(site: SiteView) -> Iterator[tuple[str, ChartGroup | Series, ChartMaker]]:
    """Each chart to draw: its key, what it is drawn from, and how to make it."""
    for year in site.years:
        for topic in year.topics:
            for group in topic.charts:
                yield group.key, group, functools.partial(bar_chart, group)
    for series in site.series:
        yield series.key, series, functools.partial(series_chart, series)


def iter_charts(site: SiteView, templates: Templates) -> Iterator[tuple[str, Chart]]:
    """Each chart as soon as its spec is made, with the key of the group or series it draws."""
    for key, _, make in chart_sources(site):
        yield key, make(templates)


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def accessible_svg(svg: str, chart: Chart) -> str:
    """Give the SVG role=img, an accessible name and description, and let CSS size it."""
    opening = _SVG_OPEN.search(svg)
    if opening is None:
        raise ValueError(f"{chart.id}: vl-convert returned no SVG")
    tag = opening.group(0)
    tag = re.sub(r'\s(width|height)="[^"]*"', "", tag)
    tag = re.sub(r'\s(role|aria-[a-z]+)="[^"]*"', "", tag)
    tag = tag[:-1] + (
        f' role="img" aria-labelledby="{chart.id}-title" aria-describedby="{chart.id}-desc" focusable="false">'
        f'<title id="{chart.id}-title">{html.escape(chart.title)}</title>'
        f'<desc id="{chart.id}-desc">{html.escape(chart.description)}</desc>'
    )
    body = svg[opening.end() :]
    body = re.sub(r'\s(role|aria-roledescription|aria-label)="[^"]*"', "", body)
    return svg[: opening.start()] + tag + with_tips(body, chart)


_MARKS_GROUP = re.compile(r'<g class="mark-(?:rect|symbol) role-mark layer_\d+_marks"[^>]*>(?P<marks>.*?)</g>', re.S)
_MARK = re.compile(r"<path\b")


def with_tips(body: str, chart: Chart) -> str:
    """Give each drawn mark (the bars, or the points) the words of its figure in data-tip, in the
    order Vega draws them, which is the order of the data. A count that differs fails the build:
    a tooltip on the wrong mark would misstate a number."""
    if not chart.tips:
        return body
    found = next(_MARKS_GROUP.finditer(body), None)  # the bars, or the points: the first such layer
    if found is None:
        raise ValueError(f"{chart.id}: no marks to give tooltips to")
    marks = found["marks"]
    count = len(_MARK.findall(marks))
    if count != len(chart.tips):
        raise ValueError(f"{chart.id}: {count} marks drawn for {len(chart.tips)} values")
    tips = iter(chart.tips)
    tipped = _MARK.sub(lambda _: f'<path class="tip-mark" data-tip="{html.escape(next(tips))}"', marks)
    return body[: found.start("marks")] + tipped + body[found.end("marks") :]
