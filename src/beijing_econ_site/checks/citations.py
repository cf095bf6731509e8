"""Citations: every figure cites its source correctly, and the dataset holds together.

Rules, each with a stable slug (the archive rules, archive-missing, archive-checksum,
archive-too-large and archive-encoding, are data.archive's; coverage is checks.coverage's):
  unknown-indicator, unknown-source     references resolve
  unit-mismatch                         a figure's unit is its indicator's
  quote-not-in-source                   the quote occurs in the archived text
  value-not-in-quote, value-sign        the quote states the value, with its sign
  qualifier-mismatch                    'more than', 'nearly', 'about', 'or more' agree with the qualifier
  quote-cut                             the quote begins and ends outside any word or number of the archive
  quote-too-short                       the quote holds words besides its numbers
  value-measure-mismatch                a growth rate or share takes the number worded as such
  conflicting-values                    two sources disagree and no note tells readers
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable

from beijing_econ_site.data.archive import Archive, normalize
from beijing_econ_site.data.models import Dataset, Figure, Kind, Qualifier
from beijing_econ_site.data.numbers import (
    Mention,
    compatible_units,
    find_mentions,
    format_decimal,
    is_converted_amount,
    says_exactly,
    values_equal,
)
from beijing_econ_site.data.readings import Reading, cut_at_edges, read_span, words_outside_numbers
from beijing_econ_site.data.validate import Locator
from beijing_econ_site.diagnostics import Diagnostic, Severity

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
                f"unit '{figure.unit}' differs from indicator '{indicator.id}' unit '{indicator.unit}'",
            )
        )
    if figure.source not in dataset.sources:
        problems.append(_unknown(figure, "source", list(dataset.sources), locator))
    if figure.period_inferred and not figure.note:
        message = "the period is marked period_inferred: add a note telling readers what the article says and why"
        problems.append(
            Diagnostic(locator("figure", figure.id, "period_inferred"), "period-inferred-without-note", message)
        )
    return problems


def _unknown(figure: Figure, field: str, known: list[str], locator: Locator) -> Diagnostic:
    wanted = getattr(figure, field)
    message = f"unknown {field} '{wanted}'"
    close = difflib.get_close_matches(wanted, known, n=1)
    if close:
        message += f"; did you mean '{close[0]}'?"
    return Diagnostic(locator("figure", figure.id, field), f"unknown-{field}", message)


def check_citation(figure: Figure, archive: Archive, locator: Locator, kind: Kind | None = None) -> list[Diagnostic]:
    """The quote occurs in the archive on whole words and states the value whole, with its sign,
    its qualifier and, for growth rates and shares, wording that fits what it measures."""
    quote = normalize(figure.quote)
    positions = _occurrences(archive.text, quote)
    if not positions:
        return [
            Diagnostic(locator("figure", figure.id, "quote"), "quote-not-in-source", not_found_message(quote, archive))
        ]
    at_quote = locator("figure", figure.id, "quote")
    if words_outside_numbers(quote) < MIN_WORDS:
        message = (
            f'the quote "{_shorten(quote)}" is little more than a number: quote the words that say what it '
            'measures, e.g. "accounting for 40.4% of the city\'s GDP"'
        )
        return [Diagnostic(at_quote, "quote-too-short", message)]
    whole = [p for p in positions if cut_at_edges(archive.text, p, p + len(quote)) is None]
    if not whole:
        word = cut_at_edges(archive.text, positions[0], positions[0] + len(quote))
        message = f"the quote starts or ends inside '{word}' in the archive: quote whole words and whole numbers"
        return [Diagnostic(at_quote, "quote-cut", message)]
    readings = read_span(archive.text, whole[0], whole[0] + len(quote))
    cut = next((r for r in readings if r.cut), None)
    if cut is not None:
        message = (
            f"the quote cuts '{cut.text}' short (the archive states it with its scale and unit): "
            "begin and end the quote outside the number"
        )
        return [Diagnostic(at_quote, "quote-cut", message)]
    where = locator("figure", figure.id, "value")
    stated = [r for r in readings if figure.unit in compatible_units(r.mention)]
    stated = [r for r in stated if values_equal(figure.value, r.mention)]
    if not stated:
        return [Diagnostic(where, "value-not-in-quote", _value_missing(figure, quote))]
    signed = [r for r in stated if bool(r.negative) == (figure.value < 0)]
    if not signed:
        return [Diagnostic(where, "value-sign", _sign_problem(figure, stated[0]))]
    converted = [r for r in signed if is_converted_amount(archive.text[max(0, r.mention.start - 60) : r.mention.start])]
    if converted and len(converted) == len(signed):
        message = (
            f"'{converted[0].mention.text}' is in brackets after another amount: the article converts that amount "
            "(a currency conversion), it does not state a figure of its own; cite the amount it converts"
        )
        return [Diagnostic(where, "value-is-conversion", message, Severity.WARNING)]
    problems = _measure_problems(figure, kind, signed, readings, locator)
    if any(p.severity is Severity.ERROR for p in problems):
        return problems
    return problems + _qualifier_problems(figure, signed, locator)


MIN_WORDS = 2  # besides the numbers: "40.4%" alone says nothing of what it measures
_MAX_OCCURRENCES = 50


def _occurrences(text: str, quote: str) -> list[int]:
    positions: list[int] = []
    if not quote:
        return positions
    start = text.find(quote)
    while start >= 0 and len(positions) < _MAX_OCCURRENCES:
        positions.append(start)
        start = text.find(quote, start + 1)
    return positions


def _sign_problem(figure: Figure, reading: Reading) -> str:
    if reading.negative:
        wording = reading.negative if reading.negative in "-\u2212\u2013" else reading.negative + " "
        fix = f"the quote says '{wording}{reading.text}': write -{_plain(figure.value)}"
    else:
        fix = f"the quote states '{reading.text}' with no wording such as 'fell by': write {_plain(abs(figure.value))}"
    return f"value {_plain(figure.value)} has the wrong sign; {fix}"


_MEASURES = {Kind.GROWTH: "growth", Kind.SHARE: "share"}
_MEASURE_WORDS = {
    "growth": "a growth rate ('grew', 'up', 'year on year')",
    "share": "a share ('accounted for', 'of GDP')",
}


def _measure_problems(
    figure: Figure, kind: Kind | None, signed: list[Reading], readings: list[Reading], locator: Locator
) -> list[Diagnostic]:
    """For a growth rate or a share: the number taken must be the one the quote words as such."""
    wanted = _MEASURES.get(kind) if kind is not None else None
    if wanted is None or any(r.measure == wanted for r in signed) or figure.unit == "percentage-points":
        return []  # a change in points is worded as a change; the rate beside it is another figure
    fitting = [r for r in readings if r.measure == wanted and r not in signed]
    where = locator("figure", figure.id, "value")
    taken = signed[0]
    if taken.measure is not None:
        better = f"; the quote words '{fitting[0].text}' as {wanted}" if fitting else ""
        message = (
            f"value {_plain(figure.value)} is '{taken.text}', which the quote words as "
            f"{_MEASURE_WORDS[taken.measure]}, but indicator '{figure.indicator}' is {_MEASURE_WORDS[wanted]}{better}"
        )
        return [Diagnostic(where, "value-measure-mismatch", message)]
    if fitting:
        message = (
            f"value {_plain(figure.value)} is '{taken.text}', but the quote words '{fitting[0].text}' as "
            f"{_MEASURE_WORDS[wanted]}: check that the value is the {wanted} indicator '{figure.indicator}' measures"
        )
        return [Diagnostic(where, "value-measure-mismatch", message, Severity.WARNING)]
    return []


def _qualifier_problems(figure: Figure, signed: list[Reading], locator: Locator) -> list[Diagnostic]:
    problems = []
    for reading in signed:
        accepted = QUALIFIER_ACCEPTS[reading.qualifier]
        wording = reading.qualifier_wording
        if wording and reading.qualifier == "at-most" and _STRICT_AT_MOST.match(wording):
            accepted = {Qualifier.AT_MOST}
        if reading.mention.form in ("fraction", "multiple") and reading.qualifier is None:
            accepted = {Qualifier.EXACT} if says_exactly(figure.quote, reading.text) else {Qualifier.APPROXIMATELY}
            if figure.qualifier in accepted:
                return []
            problems.append(
                f"the quote says '{reading.text}', a {reading.mention.form} word: a round figure, so qualifier "
                f"should be {'exact' if Qualifier.EXACT in accepted else 'approximately'} (exact only where the "
                f"article says 'exactly'), not {figure.qualifier.value}"
            )
            continue
        if figure.qualifier in accepted:
            return []
        if wording:
            said = f"{reading.text} {wording}" if reading.qualifier_after else f"{wording} {reading.text}"
            expected = " or ".join(sorted(q.value for q in accepted))
            problems.append(f"the quote says '{said}', so qualifier should be {expected}, not {figure.qualifier.value}")
        else:
            problems.append(
                f"the quote states '{reading.text}' with no wording such as 'more than', 'nearly' or 'about', "
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
    message = f"value {_plain(figure.value)} {figure.unit} is not stated in the quote (numbers in it: {found})"
    same = next((m for m in mentions if values_equal(figure.value, m)), None)
    if same is not None:  # the number is there, in another unit: say so, not only that it is missing
        message += (
            f"; '{same.text}' is {_unit_words(same)}, not {figure.unit}: "
            "file it under an indicator of that unit, or quote the number the figure means"
        )
    return message


def _unit_words(mention: Mention) -> str:
    if mention.points:
        return "in percentage points"
    if mention.percent:
        return "a percentage"
    if mention.currency:
        return f"an amount in {mention.currency}"
    return "a number with no unit written"


def check_conflicts(dataset: Dataset, locator: Locator) -> list[Diagnostic]:
    groups: dict[tuple[str, str, str], list[Figure]] = defaultdict(list)
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
                    f"'{indicator}' for {period} ({scope}) has different values: {listed}; "
                    "add a note explaining the discrepancy to readers",
                )
            )
    return problems
