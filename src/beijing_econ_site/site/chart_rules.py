"""Chart rules: what a chart's spec must say so that it cannot misstate a figure.

Each rule reads a chart as it is published (its spec and the rows drawn from it) against the
figures it draws, and reports a violation with a rule slug and the figures concerned. The build
runs them on every chart before anything is written; `check` runs them too, so an editor sees
the problem as a diagnostic on the figure's YAML line, never as a silently wrong chart.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beijing_econ_site.data.models import Dataset, Kind, Qualifier
from beijing_econ_site.data.periods import follows
from beijing_econ_site.diagnostics import Diagnostic
from beijing_econ_site.facts import statement
from beijing_econ_site.memo import Memo, key_of
from beijing_econ_site.site.charts import (
    OPEN_FILL,
    QUALIFIER_MARKS,
    READ_MARK,
    READ_NOTE,
    Templates,
    chart_sources,
    source_changes,
    time_of,
)
from beijing_econ_site.site.digests import Digests
from beijing_econ_site.site.views import FigureView, derive, measure_of

STACKING_MARKS = {"bar", "area"}


@dataclass(frozen=True)
class ChartProblem:
    rule: str
    chart: str
    figures: tuple[str, ...]
    message: str

    def diagnostic(self, locate: Any) -> Diagnostic:
        """The problem on the YAML line of its first figure, naming the chart and every figure."""
        named = ", ".join(self.figures)
        return Diagnostic(locate("figure", self.figures[0]), self.rule, f"chart {self.chart}: {self.message} ({named})")


def chart_problems(chart_id: str, spec: dict[str, Any], views: dict[str, FigureView]) -> list[ChartProblem]:
    """Every rule's violations in one chart's spec; its rows name their figures by id."""
    marks: list[dict[str, Any]] = list(spec.get("datasets", {}).get("figures", []))
    unknown = [str(m.get("figure")) for m in marks if m.get("figure") not in views]
    if unknown:
        return [ChartProblem("chart-unknown-figure", chart_id, tuple(unknown), "draws a value no figure states")]
    drawn = [(m, views[m["figure"]]) for m in marks]
    if not drawn:
        return []
    scale = Decimal(str(spec.get("usermeta", {}).get("scale", "1")))
    problems: list[ChartProblem] = []
    for rule in (
        _values,
        _no_doubtful,
        _facts_once,
        _no_stacking,
        _one_measure,
        _lines,
        _time_axis,
        _source_changes,
        _flow_lengths,
        _open_bars,
        _legend,
        _read_periods,
    ):
        problems += rule(chart_id, spec, drawn, scale)
    return problems


Drawn = list[tuple[dict[str, Any], FigureView]]


def _values(chart_id: str, spec: dict[str, Any], drawn: Drawn, scale: Decimal) -> Iterator[ChartProblem]:
    """chart-value: each mark sits at its figure's value on the axis's scale, and reads as the figure does."""
    for mark, view in drawn:
        exact = Decimal(repr(view.figure.value)) if isinstance(view.figure.value, float) else Decimal(view.figure.value)
        at = Decimal(repr(mark.get("value")))
        if abs(at * scale - exact) > abs(exact) * Decimal("1e-9"):
            yield ChartProblem(
                "chart-value", chart_id, (view.id,), f"drawn at {at * scale:f}, the figure states {exact:f}"
            )
        if mark.get("display") != view.display:
            yield ChartProblem(
                "chart-value",
                chart_id,
                (view.id,),
                f"labelled {mark.get('display')!r}, the figure reads {view.display!r}",
            )


def _no_doubtful(chart_id: str, spec: dict[str, Any], drawn: Drawn, scale: Decimal) -> Iterator[ChartProblem]:
    """A number the site doubts as printed is shown in its table with the doubt, never as a plain mark."""
    doubtful = tuple(view.id for _, view in drawn if view.figure.doubt)
    if doubtful:
        yield ChartProblem("chart-doubtful-drawn", chart_id, doubtful, "draws a number the site doubts as printed")


def _facts_once(chart_id: str, spec: dict[str, Any], drawn: Drawn, scale: Decimal) -> Iterator[ChartProblem]:
    """chart-fact-twice: a fact's value is one mark, however many sources state it."""
    marks: dict[tuple[str, Any], list[str]] = defaultdict(list)
    for _, view in drawn:
        marks[(view.fact_id, statement(view.figure))].append(view.id)
    for (fact, _), ids in marks.items():
        if len(ids) > 1:
            yield ChartProblem(
                "chart-fact-twice", chart_id, tuple(ids), f"fact {fact} is drawn {len(ids)} times: draw it once"
            )


def _layers(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield spec
    for layer in spec.get("layer", []):
        yield from _layers(layer)


def _mark_type(layer: dict[str, Any]) -> str | None:
    mark = layer.get("mark")
    return mark.get("type") if isinstance(mark, dict) else mark


def _no_stacking(chart_id: str, spec: dict[str, Any], drawn: Drawn, scale: Decimal) -> Iterator[ChartProblem]:
    """chart-stacked: bars and areas stack by default in Vega-Lite; every value axis must say it does not."""
    for layer in _layers(spec):
        if _mark_type(layer) not in STACKING_MARKS:
            continue
        for channel, encoding in layer.get("encoding", {}).items():
            if (
                channel in ("x", "y")
                and encoding.get("type") == "quantitative"
                and encoding.get("stack", "") is not None
            ):
                yield ChartProblem(
                    "chart-stacked",
                    chart_id,
                    tuple(view.id for _, view in drawn),
                    f"the {_mark_type(layer)} marks' {channel} axis would stack values: set stack to null",
                )


def _one_measure(chart_id: str, spec: dict[str, Any], drawn: Drawn, scale: Decimal) -> Iterator[ChartProblem]:
    """chart-mixed-measures: one axis holds one unit and, for counts and money, one thing measured."""
    measures: dict[tuple[str, str], list[str]] = defaultdict(list)
    for _, view in drawn:
        measures[(view.figure.unit, measure_of(view.indicator))].append(view.id)
    if len(measures) > 1:
        named = "; ".join(f"{unit} {measure}".strip() for unit, measure in measures)
        yield ChartProblem(
            "chart-mixed-measures",
            chart_id,
            tuple(i for ids in measures.values() for i in ids),
            f"one axis holds different measures ({named}): they need charts of their own",
        )


def _in_time(drawn: Drawn) -> list[FigureView]:
    return sorted((view for _, view in drawn), key=lambda v: v.figure.period_info.sort_key)


def _lines(chart_id: str, spec: dict[str, Any], drawn: Drawn, scale: Decimal) -> Iterator[ChartProblem]:
    """chart-unlike-periods-joined, chart-gap-joined and chart-break-joined: a line joins periods
    of one length, one value per period, each following the last with no gap, and never runs
    across a change of measure, whichever figure of the chart states it."""
    if not any(_mark_type(layer) == "line" for layer in _layers(spec)):
        return
    lines: dict[str, list[FigureView]] = defaultdict(list)
    for mark, view in drawn:
        lines[str(mark.get("segment"))].append(view)
    breaks = {v.figure.period_info.start: v.id for v in _in_time(drawn)[1:] if v.figure.comparability}
    for line in lines.values():
        line = sorted(line, key=lambda v: v.figure.period_info.sort_key)
        ids = tuple(v.id for v in line)
        kinds = Counter(v.figure.period_info.kind for v in line)
        periods = Counter(v.figure.period for v in line)
        if len(kinds) > 1:
            named = ", ".join(f"{v.period_label}" for v in line)
            yield ChartProblem(
                "chart-unlike-periods-joined", chart_id, ids, f"a line joins periods of different lengths ({named})"
            )
            continue
        if any(count > 1 for count in periods.values()):
            yield ChartProblem("chart-unlike-periods-joined", chart_id, ids, "a line holds two values for one period")
            continue
        for earlier, later in itertools.pairwise(line):
            if not follows(earlier.figure.period_info, later.figure.period_info):
                yield ChartProblem(
                    "chart-gap-joined",
                    chart_id,
                    (earlier.id, later.id),
                    f"a line runs from {earlier.period_label} to {later.period_label} across a gap in the data",
                )
            crossed = [
                i for at, i in breaks.items() if earlier.figure.period_info.start < at <= later.figure.period_info.start
            ]
            if crossed:
                yield ChartProblem(
                    "chart-break-joined",
                    chart_id,
                    (earlier.id, later.id, *crossed),
                    f"a line runs from {earlier.period_label} to {later.period_label} across a possible change "
                    f"of measure at {', '.join(crossed)}: values either side may not be comparable",
                )


def _time_axis(chart_id: str, spec: dict[str, Any], drawn: Drawn, scale: Decimal) -> Iterator[ChartProblem]:
    """chart-time-axis and chart-break-unmarked: a chart across periods draws time as time (a UTC
    time scale, each value at the middle of its period), and marks every change of measure at
    the start of the period it begins."""
    if not any(_mark_type(layer) == "line" for layer in _layers(spec)):
        return
    ids = tuple(view.id for _, view in drawn)
    for layer in _layers(spec):
        x = layer.get("encoding", {}).get("x")
        if isinstance(x, dict) and "field" in x and (x.get("type") != "temporal" or x.get("field") != "when"):
            yield ChartProblem(
                "chart-time-axis", chart_id, ids, f"periods are drawn on a {x.get('type')} axis, not on a time scale"
            )
            return
        if isinstance(x, dict) and x.get("scale", {}).get("type") != "utc":
            yield ChartProblem("chart-time-axis", chart_id, ids, "the time axis is not on a UTC scale")
            return
    for mark, view in drawn:
        centre = time_of(view.figure.period_info.centre)
        if mark.get("when") != centre:
            yield ChartProblem(
                "chart-time-axis",
                chart_id,
                (view.id,),
                f"{view.period_label} is drawn at {mark.get('when')}, not at the middle of its period ({centre})",
            )
    marked = {(m.get("figure"), m.get("when")) for m in spec.get("datasets", {}).get("breaks", [])}
    for view in _in_time(drawn)[1:]:
        if view.figure.comparability and (view.id, time_of(view.figure.period_info.start)) not in marked:
            yield ChartProblem(
                "chart-break-unmarked",
                chart_id,
                (view.id,),
                f"the measure may differ from {view.period_label}, and the chart does not mark it there",
            )


def _source_changes(chart_id: str, spec: dict[str, Any], drawn: Drawn, scale: Decimal) -> Iterator[ChartProblem]:
    """chart-source-change-unmarked: a chart across periods marks where its values move to
    another article, as it marks a change of measure."""
    if not any(_mark_type(layer) == "line" for layer in _layers(spec)):
        return
    marked = {m.get("figure") for m in spec.get("datasets", {}).get("breaks", [])}
    for view in source_changes([view for _, view in drawn]):
        if view.id not in marked:
            yield ChartProblem(
                "chart-source-change-unmarked",
                chart_id,
                (view.id,),
                f"the values from {view.period_label} on come from another source, and the chart does not mark it",
            )


def _flow_lengths(chart_id: str, spec: dict[str, Any], drawn: Drawn, scale: Decimal) -> Iterator[ChartProblem]:
    """chart-flow-lengths-mixed: an amount over a half-year beside amounts over years reads as a
    fall: a flow's periods of different lengths never share an axis."""
    lengths: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for _, view in drawn:
        if view.indicator.kind is Kind.FLOW:
            lengths[view.indicator.id][view.figure.period_info.kind].append(view.id)
    for indicator, kinds in lengths.items():
        if len(kinds) > 1:
            yield ChartProblem(
                "chart-flow-lengths-mixed",
                chart_id,
                tuple(i for ids in kinds.values() for i in ids),
                f"{indicator} is an amount over a period, drawn over periods of different lengths "
                f"({', '.join(sorted(kinds))}) on one axis",
            )


def _open_bars(chart_id: str, spec: dict[str, Any], drawn: Drawn, scale: Decimal) -> Iterator[ChartProblem]:
    """chart-open-bars: a bar is solid only for an exact value; a bound or an approximation is
    open, as on the points, with the legend saying so."""
    bars = [layer for layer in _layers(spec) if _mark_type(layer) == "bar"]
    if not bars:
        return
    for layer in bars:
        fill = layer.get("encoding", {}).get("fill", {})
        scale_of = fill.get("scale", {}) if isinstance(fill, dict) else {}
        fills = dict(zip(scale_of.get("domain", []), scale_of.get("range", []), strict=False))
        if not isinstance(fill, dict) or fill.get("field") != "qualifier":
            yield ChartProblem(
                "chart-open-bars",
                chart_id,
                tuple(view.id for _, view in drawn),
                "the bars are not filled by how each value is stated",
            )
            continue
        for mark, view in drawn:
            label = QUALIFIER_MARKS[view.figure.qualifier][0]
            is_open = str(fills.get(mark.get("qualifier"), "")).lower() == OPEN_FILL
            if mark.get("qualifier") != label or is_open != (view.figure.qualifier is not Qualifier.EXACT):
                yield ChartProblem(
                    "chart-open-bars",
                    chart_id,
                    (view.id,),
                    f"{view.display} is drawn {'open' if is_open else 'solid'}: "
                    "exact values are solid bars, the others open",
                )


def _legend(chart_id: str, spec: dict[str, Any], drawn: Drawn, scale: Decimal) -> Iterator[ChartProblem]:
    """chart-legend: the page says open markers are not exact; the legend and marks must agree."""
    labels = {QUALIFIER_MARKS[q][0]: q for q in Qualifier}
    for layer in _layers(spec):
        fill = layer.get("encoding", {}).get("fill", {})
        scale_of = fill.get("scale", {}) if isinstance(fill, dict) else {}
        for label, colour in zip(scale_of.get("domain", []), scale_of.get("range", []), strict=False):
            is_open = str(colour).lower() == OPEN_FILL
            stated = labels.get(label)
            if stated is not None and is_open != (stated is not Qualifier.EXACT):
                yield ChartProblem(
                    "chart-legend",
                    chart_id,
                    tuple(view.id for _, view in drawn),
                    f"the legend draws {label!r} {'open' if is_open else 'filled'}: "
                    "exact values are filled, the others open",
                )


def chart_diagnostics(problems: Iterable[ChartProblem], locate: Any) -> list[Diagnostic]:
    return [problem.diagnostic(locate) for problem in problems]


def check_charts(dataset: Dataset, locate: Any, templates: Templates, memo: Memo | None = None) -> list[Diagnostic]:
    """Every chart the site would draw from the dataset, made and read against the chart rules.
    With a memo, a chart drawn from the same figures as before is not made again."""
    site = derive(dataset)
    digests = Digests()
    diagnostics = []
    for _, drawn_from, make in chart_sources(site):
        key = key_of("chart-rules", digests.of(drawn_from)) if memo is not None else ""
        problems: list[ChartProblem] | None = memo.get(key) if memo is not None else None
        if problems is None:
            chart = make(templates)
            problems = chart_problems(chart.id, chart.spec, site.figures)
            if memo is not None:
                memo.put(key, problems)
        diagnostics += [problem.diagnostic(locate) for problem in problems]
    return diagnostics


def _read_periods(chart_id: str, spec: dict[str, Any], drawn: Drawn, scale: Decimal) -> Iterator[ChartProblem]:
    """chart-period-read-unmarked: a value whose period the site reads from the article's context
    is drawn marked as such (its label carries the mark the chart's footnote explains), unless
    the chart's title says '(probably)' of every value; a value whose period is stated is not."""
    if spec.get("usermeta", {}).get("period_in_title"):
        return
    title = spec.get("title")
    footnote = title.get("text") if isinstance(title, dict) else title
    labels_show_mark = any(
        _mark_type(layer) == "text"
        and any("datum.read" in str(step.get("calculate", "")) for step in layer.get("transform", []))
        for layer in _layers(spec)
    )
    for mark, view in drawn:
        marked = mark.get("read") == READ_MARK
        if view.period_is_read and not (marked and footnote == READ_NOTE and labels_show_mark):
            yield ChartProblem(
                "chart-period-read-unmarked",
                chart_id,
                (view.id,),
                f"{view.display} for {view.period_label} is drawn as if the article stated its period",
            )
        elif marked and not view.period_is_read:
            yield ChartProblem(
                "chart-period-read-unmarked",
                chart_id,
                (view.id,),
                f"{view.display} for {view.period_label} is marked as a period the site reads: the article states it",
            )
