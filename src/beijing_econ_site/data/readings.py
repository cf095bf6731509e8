"""Numbers read whole, in their place in the archived article: with the words around them.

A quote is a span of the archive. Each number in it is read from the archive itself, so a
quote cut short cannot change what the number says: "0.4%" cut from "40.4%" and "1.6" cut
from "1.6 trillion euros" are reported as cut, never read as 0.4 or 1.6. Around each number
the reading finds its sign ("-6.6%", "−3.2%", "fell by", "negative growth of"), its qualifier
before or after it ("more than", "nearly", "83% or more", "and above") and what the wording
says it measures (a growth rate: "grew", "up", "year on year"; a share: "accounted for",
"of GDP").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from beijing_econ_site.data.numbers import (
    Mention,
    emphasis_wording,
    find_mentions,
    negative_wording,
    qualifier_wording,
)

CONTEXT_BEFORE = 60
CONTEXT_AFTER = 40
_SIGNS = "-\u2212\u2013"  # hyphen-minus, minus sign, en dash
_AFTER_QUALIFIER = re.compile(
    r"^(?:\s*(?P<at_least>\+|or more|or above|or over|or higher|and more|and above|and over|at least)"
    r"|\s*(?P<at_most>or less|or fewer|or below|or lower|and below|and under|at most)"
    r"|\s*(?P<approximately>or so))\b",
    re.IGNORECASE,
)
_GROWTH_BEFORE = re.compile(
    r"\b(?:grew|grow|grows|growing|growth(?: rate)?|increased?|increases|increasing|rose|rising|up|expanded"
    r"|climbed|jumped|surged|gained?|narrowed|widened|accelerated|slowed)(?:\s(?:by|of|at))?\s*(?:a\s|an\s)?\s*$",
    re.IGNORECASE,
)
_GROWTH_AFTER = re.compile(r"^\s*(?:year[- ]on[- ]year|y-o-y|yoy|growth|increase|rise)\b", re.IGNORECASE)
_SHARE_BEFORE = re.compile(
    r"\b(?:accounted for|accounting for|accounts for|account for|share(?: of| was| is| reached| rose to)?"
    r"|proportion(?: of)?|making up|made up|makes up)\s*(?:about\s|around\s|nearly\s|over\s|more than\s)?$",
    re.IGNORECASE,
)
_SHARE_AFTER = re.compile(
    r"^\s*(?:of\s(?:the\s)?(?:[\w’'-]+\s){0,3}(?:gdp|total|economy|output)|share)\b", re.IGNORECASE
)


_LISTED = re.compile(r"\s*(?:,|and|or|,\s*and|,\s*or)\s*$")
# "grew 4.4% in 2022, after 13.1% in 2021", "25.6% in 2023, up from 22.1%": the earlier value
# of the same measure
_EARLIER_VALUE = re.compile(r"\b(?:after|up from|down from|compared with|against|versus)\s*$", re.IGNORECASE)


def _same_measure(text: str, previous_end: int, start: int) -> bool:
    """Whether a number is worded as the number before it: listed with it, or its earlier value."""
    return bool(
        _LISTED.match(text, previous_end, start) or _EARLIER_VALUE.search(text[max(previous_end, start - 20) : start])
    )


@dataclass(frozen=True)
class Reading:
    """One number as the archive states it, with the words that shape it."""

    mention: Mention  # start and end are positions in the archive text
    negative: str | None  # the wording that makes it negative: '-', 'fell by', 'negative growth of'
    qualifier: str | None  # 'at-least' | 'at-most' | 'approximately' | None (exact)
    qualifier_wording: str | None
    qualifier_after: bool  # the wording follows the number: '83% or more'
    measure: str | None  # 'growth' | 'share' | None: what the words around it say it is
    cut: bool  # the span starts or ends inside the number, its scale word or its unit
    emphasis: str | None = None  # words that stress the number without bounding it: 'as many as'

    @property
    def text(self) -> str:
        return self.mention.text


def read_span(text: str, start: int, end: int) -> list[Reading]:
    """Every number in text[start:end], read whole from text (an archive), left to right."""
    window_start = max(0, start - CONTEXT_BEFORE)
    window = text[window_start : min(len(text), end + CONTEXT_AFTER)]
    readings: list[Reading] = []
    for found in find_mentions(window):
        mention = replace(found, start=found.start + window_start, end=found.end + window_start)
        if mention.end <= start or mention.start >= end:
            continue
        reading = _read(text, mention, cut=mention.start < start or mention.end > end)
        if reading.measure is None and readings and _same_measure(text, readings[-1].mention.end, mention.start):
            reading = replace(reading, measure=readings[-1].measure)  # "increased by 5.7% and 8.3% respectively"
        readings.append(reading)
    return readings


def _read(text: str, mention: Mention, *, cut: bool) -> Reading:
    before = text[max(0, mention.start - CONTEXT_BEFORE) : mention.start]
    after = text[mention.end : mention.end + CONTEXT_AFTER]
    kind, words = qualifier_wording(before)
    after_number = kind is None
    if after_number:
        kind, words = _after_qualifier(after)
    negative = _negative(before) or _negative_after(mention, after)
    stressed = emphasis_wording(before) if kind is None else None
    measure = _measure(before, after)
    return Reading(mention, negative, kind, words, after_number and kind is not None, measure, cut, stressed)


# '0.4 of a percentage point slower than in the first quarter': a change told by the words after it
_LOWER_AFTER = re.compile(r"^\s+(slower|lower|less|smaller|down|below)\b", re.IGNORECASE)


def _negative_after(mention: Mention, after: str) -> str | None:
    found = _LOWER_AFTER.match(after) if mention.points or mention.percent else None
    return found[1] if found else None


def _negative(before: str) -> str | None:
    if before and before[-1] in _SIGNS and (len(before) < 2 or not before[-2].isalnum()):
        return before[-1]  # "-6.6%", "(−3.2%)"; not "2020-21" nor "COVID-19"
    return negative_wording(before)


def _after_qualifier(after: str) -> tuple[str | None, str | None]:
    m = _AFTER_QUALIFIER.match(after)
    if m is None:
        return None, None
    for group in ("at_least", "at_most", "approximately"):
        if m[group]:
            return group.replace("_", "-"), m[group]
    return None, None  # pragma: no cover


def _measure(before: str, after: str) -> str | None:
    near_before = before[-30:]
    if _SHARE_BEFORE.search(near_before) or _SHARE_AFTER.match(after):
        return "share"
    if _GROWTH_BEFORE.search(near_before) or _GROWTH_AFTER.match(after):
        return "growth"
    return None


def cut_at_edges(text: str, start: int, end: int) -> str | None:
    """Where a span of text starts or ends inside a word or a number, the word it cuts."""
    if start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        return _word_around(text, start)
    if start > 1 and text[start - 1] in ".," and text[start - 2].isdigit() and text[start].isdigit():
        return _word_around(text, start)
    if end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        return _word_around(text, end - 1)
    if end + 1 < len(text) and text[end] in ".," and text[end - 1].isdigit() and text[end + 1].isdigit():
        return _word_around(text, end - 1)
    return None


def _word_around(text: str, index: int) -> str:
    start = index
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = index
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end]


def words_outside_numbers(quote: str) -> int:
    """How many words of letters a quote holds besides its numbers."""
    pieces, last = [], 0
    for mention in find_mentions(quote):
        pieces.append(quote[last : mention.start])
        last = mention.end
    pieces.append(quote[last:])
    return len(re.findall(r"[^\W\d_]{2,}", " ".join(pieces)))
