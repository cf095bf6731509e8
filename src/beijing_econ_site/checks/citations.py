"""Citations: every figure cites its source correctly, and the dataset holds together.

Rules, each with a stable slug (the archive rules, archive-missing, archive-checksum,
archive-too-large and archive-encoding, are data.archive's; coverage is checks.coverage's):
  unknown-indicator, unknown-source     references resolve
  unit-mismatch                         a figure's unit is its indicator's
  quote-not-in-source                   the quote occurs in the archived text
  value-not-in-quote, value-sign        the quote states the value, with its sign
  qualifier-mismatch                    'more than', 'nearly', 'about' agree with the qualifier
  conflicting-values                    two sources disagree and no note tells readers
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable

from beijing_econ_site.data.archive import Archive, normalize
from beijing_econ_site.data.models import Dataset, Figure, Qualifier, Scope
from beijing_econ_site.data.numbers import (
    find_mentions,
    format_decimal,
    negative_wording,
    qualifier_wording,
    stating_mentions,
)
from beijing_econ_site.data.validate import Locator
from beijing_econ_site.diagnostics import Diagnostic

CONTEXT_CHARS = 60
QUALIFIER_ACCEPTS = {
    "at-least": {Qualifier.AT_LEAST},
    "at-most": {Qualifier.AT_MOST, Qualifier.APPROXIMATELY},
    "approximately": {Qualifier.APPROXIMATELY},
    None: {Qualifier.EXACT},
}
_STRICT_AT_MOST = re.compile(r"^(up to|less than|under|below|top|no more than)$", re.IGNORECASE)


def check_references(figure: Figure, dataset: Dataset, locator: Locator) -> list[Diagnostic]:
    problems = []
    indicator = dataset.indicators.get(figure.indicator)
    if indicator is None:
        problems.append(_unknown(figure, "indicator", list(dataset.indicators), locator))
    elif indicator.unit != figure.unit:
        problems.append(
            Diagnostic(
                locator("figure", figure.id, "unit"),
                "unit-mismatch",
                f"unit '{figure.unit.value}' differs from indicator '{indicator.id}' unit '{indicator.unit.value}'",
            )
        )
    if figure.source not in dataset.sources:
        problems.append(_unknown(figure, "source", list(dataset.sources), locator))
    return problems


def _unknown(figure: Figure, field: str, known: list[str], locator: Locator) -> Diagnostic:
    wanted = getattr(figure, field)
    message = f"unknown {field} '{wanted}'"
    close = difflib.get_close_matches(wanted, known, n=1)
    if close:
        message += f"; did you mean '{close[0]}'?"
    return Diagnostic(locator("figure", figure.id, field), f"unknown-{field}", message)


def check_citation(figure: Figure, archive: Archive, locator: Locator) -> list[Diagnostic]:
    quote = normalize(figure.quote)
    position = archive.text.find(quote)
    if position < 0:
        return [
            Diagnostic(locator("figure", figure.id, "quote"), "quote-not-in-source", not_found_message(quote, archive))
        ]
    before_quote = archive.text[max(0, position - CONTEXT_CHARS) : position]
    where = locator("figure", figure.id, "value")
    stated = stating_mentions(figure.value, figure.unit.value, quote)
    if not stated:
        return [Diagnostic(where, "value-not-in-quote", _value_missing(figure, quote))]
    readings = [(m, before_quote + quote[: m.start]) for m in stated]
    signed = [(m, before) for m, before in readings if bool(negative_wording(before)) == (figure.value < 0)]
    if not signed:
        mention, before = readings[0]
        wording = negative_wording(before)
        if wording:
            fix = f"the quote says '{wording} {mention.text}': write -{_plain(figure.value)}"
        else:
            fix = (
                f"the quote states '{mention.text}' with no wording such as 'fell by': "
                f"write {_plain(abs(figure.value))}"
            )
        return [Diagnostic(where, "value-sign", f"value {_plain(figure.value)} has the wrong sign; {fix}")]
    problems = []
    for mention, before in signed:
        wording_kind, wording = qualifier_wording(before)
        accepted = QUALIFIER_ACCEPTS[wording_kind]
        if wording and wording_kind == "at-most" and _STRICT_AT_MOST.match(wording):
            accepted = {Qualifier.AT_MOST}
        if figure.qualifier in accepted:
            return []
        if wording:
            expected = " or ".join(sorted(q.value for q in accepted))
            problems.append(
                f"the quote says '{wording} {mention.text}', "
                f"so qualifier should be {expected}, not {figure.qualifier.value}"
            )
        else:
            problems.append(
                f"the quote states '{mention.text}' with no wording such as 'more than', 'nearly' or 'about', "
                f"so qualifier should be exact, not {figure.qualifier.value}"
            )
    return [Diagnostic(locator("figure", figure.id, "qualifier"), "qualifier-mismatch", problems[0])]


def _plain(value: int | float) -> str:
    return format(value, "f").rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def not_found_message(quote: str, archive: Archive) -> str:
    message = f'quote not found in source {archive.source_id}: "{_shorten(quote)}"'
    nearest = nearest_passage(quote, archive.text)
    if nearest:
        message += f'; nearest passage: "{_shorten(nearest)}"'
    return message


def nearest_passage(quote: str, text: str) -> str | None:
    """The stretch of text most like the quote, to show an editor what differs.

    Aligns on the longest prefix or suffix of the quote that occurs in the text, found by
    bisection with str.find: bounded time, whatever the quote and archive hold.
    """
    if not quote or not text:
        return None
    prefix = _longest(lambda n: text.find(quote[:n]), len(quote))
    suffix = _longest(lambda n: text.find(quote[len(quote) - n :]), len(quote))
    if max(prefix, suffix) < 8:
        return None
    if prefix >= suffix:
        start = text.find(quote[:prefix])
    else:
        start = max(0, text.find(quote[len(quote) - suffix :]) - (len(quote) - suffix))
    end = min(len(text), start + len(quote))
    while start > 0 and not text[start - 1].isspace():  # widen to whole words
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end]


def _longest(position_of: Callable[[int], int], most: int) -> int:
    """The largest n <= most with position_of(n) >= 0, for a property that holds for all smaller n."""
    low, high = 0, most
    while low < high:
        middle = (low + high + 1) // 2
        if position_of(middle) >= 0:
            low = middle
        else:
            high = middle - 1
    return low


def _shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _value_missing(figure: Figure, quote: str) -> str:
    mentions = find_mentions(quote)
    found = ", ".join(f"'{m.text}' = {format_decimal(m.value)}" for m in mentions[:6]) or "none"
    return f"value {_plain(figure.value)} {figure.unit.value} is not stated in the quote (numbers in it: {found})"


def check_conflicts(dataset: Dataset, locator: Locator) -> list[Diagnostic]:
    groups: dict[tuple[str, str, Scope], list[Figure]] = defaultdict(list)
    for figure in dataset.figures.values():
        groups[(figure.indicator, figure.period, figure.scope)].append(figure)
    problems = []
    for (indicator, period, scope), figures in sorted(groups.items(), key=lambda item: tuple(map(str, item[0]))):
        values = {f.value for f in figures}
        if len(values) > 1 and not any(f.note for f in figures):
            listed = ", ".join(f"{_plain(f.value)} ({f.source})" for f in figures)
            problems.append(
                Diagnostic(
                    locator("figure", figures[-1].id, "value"),
                    "conflicting-values",
                    f"'{indicator}' for {period} ({scope.value}) has different values: {listed}; "
                    "add a note explaining the discrepancy to readers",
                )
            )
    return problems
