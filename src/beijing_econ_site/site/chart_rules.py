"""Chart rules: what a chart's spec must say so that it cannot misstate a figure.

Each rule reads a chart as it is published (its spec and the rows drawn from it) against the
figures it draws, and reports a violation with a rule slug and the figures concerned. The build
runs them on every chart before anything is written; `check` runs them too, so an editor sees
the problem as a diagnostic on the figure's YAML line, never as a silently wrong chart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beijing_econ_site.data.models import Dataset, Qualifier
from beijing_econ_site.diagnostics import Diagnostic
from beijing_econ_site.facts import statement
from beijing_econ_site.memo import Memo, key_of
from beijing_econ_site.site.charts import QUALIFIER_MARKS, Templates, chart_sources
from beijing_econ_site.site.digests import Digests
from beijing_econ_site.site.views import FigureView, derive, measure_of

STACKING_MARKS = {"bar", "area"}
OPEN_FILL = "#ffffff"


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
    for rule in (_values, _facts_once, _no_stacking, _one_measure, _lines, _legend):
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


def _lines(chart_id: str, spec: dict[str, Any], drawn: Drawn, scale: Decimal) -> Iterator[ChartProblem]:
    """chart-unlike-periods-joined and chart-break-joined: a line joins periods of one length, one
    value per period, and never runs across a change of measure."""
    if not any(_mark_type(layer) == "line" for layer in _layers(spec)):
        return
    lines: dict[str, list[FigureView]] = defaultdict(list)
    for mark, view in drawn:
        lines[str(mark.get("segment"))].append(view)
    for line in lines.values():
        ids = tuple(v.id for v in line)
        kinds = Counter(v.figure.period_info.kind for v in line)
        periods = Counter(v.figure.period for v in line)
        if len(kinds) > 1:
            named = ", ".join(f"{v.period_label}" for v in line)
            yield ChartProblem(
                "chart-unlike-periods-joined", chart_id, ids, f"a line joins periods of different lengths ({named})"
            )
        elif any(count > 1 for count in periods.values()):
            yield ChartProblem("chart-unlike-periods-joined", chart_id, ids, "a line holds two values for one period")
        breaks = [v.id for v in line[1:] if v.figure.comparability]
        if breaks:
            yield ChartProblem(
                "chart-break-joined",
                chart_id,
                ids,
                f"a line runs across a possible change of measure at {', '.join(breaks)}: "
                "values either side may not be comparable",
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
