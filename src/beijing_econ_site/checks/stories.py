"""The story lint: a number typed by hand in prose is an error, with a suggested figure; every
reference names a figure that exists, in a form that exists."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from decimal import Decimal

from beijing_econ_site.checks.claims import lint_claims
from beijing_econ_site.data.models import Dataset, Figure, Unit
from beijing_econ_site.data.numbers import FRACTIONS, compatible_units, find_mentions, is_half_of_a_period
from beijing_econ_site.data.stories import (
    CODE_SPAN,
    DATES,
    HEADING_ANCHOR,
    LINK_TARGET,
    REFERENCE,
    Story,
    parse_reference,
)
from beijing_econ_site.diagnostics import Diagnostic, Location, Severity


def lint_story(story: Story, dataset: Dataset, by_value: FiguresByValue) -> list[Diagnostic]:
    """Every number a reader sees is a checked figure: references resolve, nothing typed by hand."""
    problems = []
    in_fence = False
    for line_number, line in enumerate(story.text.splitlines(), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for match in REFERENCE.finditer(line):
            where = Location(story.path, line_number, match.start() + 1)
            problems += _check_reference(match, where, story, dataset)
        masked = _masked(line)
        for mention in find_mentions(masked):
            if mention.form == "ordinal":
                continue  # "first" and "second" are words of prose, not figures
            if is_half_of_a_period(mention, masked[max(0, mention.start - 12) : mention.start]):
                continue  # "in the first half of 2023" names a period, not 50%
            where = Location(story.path, line_number, mention.start + 1)
            problems.append(Diagnostic(where, "number-in-prose", _hand_typed(mention.text, story, by_value)))
    return problems + lint_claims(story, dataset)


def _masked(line: str) -> str:
    """The line with references, code, link targets and dates blanked out (same length, so columns hold)."""
    for pattern in (REFERENCE, CODE_SPAN, LINK_TARGET, HEADING_ANCHOR, DATES):
        line = pattern.sub(lambda m: " " * len(m.group(0)), line)
    return line


def _check_reference(match: re.Match[str], where: Location, story: Story, dataset: Dataset) -> list[Diagnostic]:
    try:
        reference = parse_reference(match["kind"], match["body"])
    except ValueError as exc:
        return [Diagnostic(where, "bad-reference", f"'{match.group(0)}': {exc}")]
    problems = []
    figures = []
    for figure_id in reference.figure_ids:
        figure = dataset.figures.get(figure_id)
        if figure is None:
            problems.append(Diagnostic(where, "unknown-figure", f"no figure has the id '{figure_id}'"))
        else:
            figures.append(figure)
    if problems:
        return problems
    if reference.kind == "change":
        problems += _change_problems(figures[0], figures[1], where, dataset)
    if reference.variant == "period" and figures[0].unit == Unit.COUNT:
        indicator = dataset.indicators.get(figures[0].indicator)
        if indicator is not None and not indicator.counts:
            problems.append(
                Diagnostic(
                    where,
                    "period-form-needs-counts",
                    f"{{{{fig:{figures[0].id}:period}}}} of a count names what it counts before the period "
                    f"('22,500 5G base stations as of 30 Jun 2020'): give indicator '{indicator.id}' a counts key",
                )
            )
    if story.year is not None:
        for figure in figures:
            if figure.year != story.year:
                problems.append(
                    Diagnostic(
                        where,
                        "figure-from-other-year",
                        f"'{figure.id}' measures {figure.year}, but this story is about {story.year}",
                        Severity.WARNING,
                    )
                )
    return problems


def _change_problems(first: Figure, second: Figure, where: Location, dataset: Dataset) -> list[Diagnostic]:
    """A computed change is a claim that the two figures measure one thing the same way."""
    doubtful = [f.id for f in (first, second) if f.doubt]
    if doubtful:
        message = f"{{{{change}}}} from a number the site doubts as printed ({', '.join(doubtful)}) is not a change"
        return [Diagnostic(where, "change-of-doubtful", message)]
    if first.indicator != second.indicator:
        message = f"{{{{change}}}} needs two figures of one indicator, not '{first.indicator}' and '{second.indicator}'"
        return [Diagnostic(where, "change-across-indicators", message)]
    if first.scope != second.scope:
        message = f"'{first.id}' is about {first.scope} and '{second.id}' about {second.scope}"
        return [Diagnostic(where, "change-across-scopes", f"{{{{change}}}} across scopes: {message}")]
    if first.period_info.kind != second.period_info.kind:
        message = (
            f"'{first.id}' measures {first.period_info.label} and '{second.id}' {second.period_info.label}: "
            "a change is computed between periods of one length (years with years, H1 with H1)"
        )
        return [Diagnostic(where, "change-unlike-periods", message)]
    earlier, later = sorted((first, second), key=lambda f: f.period_info.sort_key)
    breaks = [
        f.id
        for f in dataset.figures.values()
        if f.indicator == first.indicator
        and f.scope == first.scope
        and f.comparability
        and earlier.period_info.sort_key < f.period_info.sort_key <= later.period_info.sort_key
    ]
    if breaks:
        message = (
            f"{{{{change}}}} from '{earlier.id}' to '{later.id}' runs across a change of measure "
            f"(the comparability of {', '.join(sorted(breaks))}): the difference is not a change"
        )
        return [Diagnostic(where, "change-across-break", message)]
    return []


def _hand_typed(text: str, story: Story, by_value: FiguresByValue) -> str:
    message = f"'{text}' is typed by hand: every number in a story must be a figure reference"
    suggestion = suggest_figure(text, story, by_value)
    if suggestion:
        message += f"; use {{{{fig:{suggestion.id}}}}}"
    else:
        message += "; add the figure to data/, or write {{allow:...}} if it is not a figure"
    return message


def suggest_figure(text: str, story: Story, by_value: FiguresByValue) -> Figure | None:
    """A figure whose value the typed number states, preferring the story's year."""
    candidates = [
        figure
        for mention in find_mentions(text)
        for figure in by_value.get(abs(mention.value).normalize(), [])
        if figure.unit in compatible_units(mention)
    ]
    candidates.sort(key=lambda f: (f.year != story.year, f.id))
    return candidates[0] if candidates else None


FiguresByValue = Mapping[Decimal, list[Figure]]


class _WhenNeeded(Mapping[Decimal, list[Figure]]):
    """figures_by_value(dataset), made the first time a typed number is looked up: a story with
    none (nearly every save) costs no index of every figure."""

    def __init__(self, dataset: Dataset) -> None:
        self._dataset = dataset

    @functools.cached_property
    def _index(self) -> FiguresByValue:
        return figures_by_value(self._dataset)

    def __getitem__(self, key: Decimal) -> list[Figure]:
        return self._index[key]

    def __iter__(self) -> Iterator[Decimal]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def figures_by_value(dataset: Dataset) -> FiguresByValue:
    """The dataset's figures by unsigned value, built once per lint: a story's every typed number
    is looked up, so a scan of all figures each would cost hours at 50,000 figures. A fraction's
    figure (33.3 for 'one third') is found by the value the article's words state."""
    index: defaultdict[Decimal, list[Figure]] = defaultdict(list)
    for figure in dataset.figures.values():
        value = figure.value
        exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        index[abs(exact).normalize()].append(figure)
        if isinstance(value, float):  # a rounded fraction: also under the fraction it rounds
            for fraction in FRACTIONS.values():
                if abs(abs(exact) - fraction) < Decimal("0.05"):
                    index[fraction.normalize()].append(figure)
    return index


def lint_stories(stories: dict[str, Story], dataset: Dataset) -> list[Diagnostic]:
    by_value = _WhenNeeded(dataset)
    problems = []
    years = {f.year for f in dataset.figures.values()}
    for story in stories.values():
        if story.year is not None and story.year not in years:
            problems.append(
                Diagnostic(
                    Location(story.path),
                    "story-without-page",
                    f"no figures measure {story.year}: the story has no page",
                    Severity.WARNING,
                )
            )
        problems += lint_story(story, dataset, by_value)
    return problems
