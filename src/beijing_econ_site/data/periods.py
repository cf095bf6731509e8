"""Periods: the span of time a figure measures, written by editors as short strings.

2020                  a year
2020-H1, 2020-Q3      a half, a quarter
2021-01               a month
2021-01..2021-02      a run of months within one year
2022-11-11            a date: the figure is a level "as of" that day
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache

MONTH_ABBR = [calendar.month_abbr[m] for m in range(13)]

# ASCII digits only (\d also matches '２０２０'), and \Z, since $ also matches before a final newline
_YEAR = re.compile(r"^([0-9]{4})\Z")
_PART = re.compile(r"^([0-9]{4})-(H[12]|Q[1-4])\Z")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})\Z")
_MONTHS = re.compile(r"^([0-9]{4})-([0-9]{2})\.\.([0-9]{4})-([0-9]{2})\Z")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")

PERIOD_SYNTAX = "2020, 2020-H1, 2020-Q1, 2021-01, 2021-01..2021-02 or 2022-11-11"
MIN_YEAR, MAX_YEAR = 1900, 2100


@dataclass(frozen=True)
class Period:
    text: str
    kind: str  # year | half | quarter | month | months | date
    year: int
    start: date
    end: date

    @property
    def label(self) -> str:
        """How a reader sees it: '2020', 'H1 2020', 'Jan–Feb 2021', 'as of 11 Nov 2022'."""
        if self.kind == "year":
            return str(self.year)
        if self.kind in ("half", "quarter"):
            return f"{self.text[5:]} {self.year}"
        if self.kind == "month":
            return f"{MONTH_ABBR[self.start.month]} {self.year}"
        if self.kind == "months":
            return f"{MONTH_ABBR[self.start.month]}–{MONTH_ABBR[self.end.month]} {self.year}"
        return f"as of {self.start.day} {MONTH_ABBR[self.start.month]} {self.year}"

    @property
    def is_whole_year(self) -> bool:
        return self.kind == "year"

    @property
    def sort_key(self) -> tuple[date, date]:
        return (self.end, self.start)

    @property
    def centre(self) -> date:
        """Where a time axis places it: the middle of its span (the day itself for a date)."""
        return self.start + timedelta(days=((self.end - self.start).days + 1) // 2)


AS_OF_GAP = timedelta(days=366)


def follows(earlier: Period, later: Period) -> bool:
    """Whether a line may join two periods of one length with no gap between them: a span that
    starts the day after the other ends (2020 then 2021, H1 then H2), the same part of the next
    year (H1 2023 then H1 2024: a run of like periods, year on year), or two as-of dates at most
    a year apart. Anything further apart is a gap in the data, drawn as a gap."""
    if earlier.kind != later.kind:
        return False
    if earlier.kind == "date":
        return timedelta(0) < later.start - earlier.start <= AS_OF_GAP
    if later.start == earlier.end + timedelta(days=1):
        return True
    return later.year == earlier.year + 1 and (later.start.month, later.end.month) == (
        earlier.start.month,
        earlier.end.month,
    )


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is out of range {MIN_YEAR}-{MAX_YEAR}")


def _check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise ValueError(f"month {month:02d} does not exist")


@cache
def parse_period(text: str) -> Period:
    """Parse an editor's period string; raises ValueError with a message for people."""
    if m := _YEAR.match(text):
        year = int(m[1])
        _check_year(year)
        return Period(text, "year", year, date(year, 1, 1), date(year, 12, 31))
    if m := _PART.match(text):
        year, part = int(m[1]), m[2]
        _check_year(year)
        number = int(part[1])
        months = 6 if part[0] == "H" else 3
        first = (number - 1) * months + 1
        kind = "half" if part[0] == "H" else "quarter"
        return Period(text, kind, year, date(year, first, 1), _month_end(year, first + months - 1))
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        _check_year(year)
        _check_month(month)
        return Period(text, "month", year, date(year, month, 1), _month_end(year, month))
    if m := _MONTHS.match(text):
        year, first, end_year, last = (int(g) for g in m.groups())
        _check_year(year)
        _check_month(first)
        _check_month(last)
        if end_year != year:
            raise ValueError(f"a run of months must lie within one year: {text}")
        if last <= first:
            raise ValueError(f"the period ends before it starts (or is one month: write {year}-{first:02d}): {text}")
        return Period(text, "months", year, date(year, first, 1), _month_end(year, last))
    if m := _DATE.match(text):
        year, month, day = (int(g) for g in m.groups())
        _check_year(year)
        _check_month(month)
        try:
            when = date(year, month, day)
        except ValueError:
            raise ValueError(f"{text} is not a date") from None
        return Period(text, "date", year, when, when)
    raise ValueError(f"{text!r} is not a period; write one of {PERIOD_SYNTAX}")


def parse_published(text: str) -> date:
    """A publication date at day or month precision ('2020-07-31', '2020-09')."""
    if m := _DATE.match(text):
        _check_year(int(m[1]))
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise ValueError(f"{text} is not a date") from None
    if m := _MONTH.match(text):
        _check_year(int(m[1]))
        _check_month(int(m[2]))
        return date(int(m[1]), int(m[2]), 1)
    raise ValueError(f"{text!r} is not a date: write YYYY-MM-DD, or YYYY-MM when the day is unknown")


@lru_cache(maxsize=4096)  # every figure of an article shows the same date
def format_published(text: str) -> str:
    when = parse_published(text)
    month = calendar.month_name[when.month]
    if _MONTH.match(text):
        return f"{month} {when.year}"
    return f"{when.day} {month} {when.year}"
