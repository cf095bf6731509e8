"""Facts: what a reader sees. One fact is one indicator, period and scope, with every figure
that states it.

Figures that state the same value with the same qualifier confirm each other: the fact is drawn
once and shown once, with every source. Figures that state different values for one fact are a
conflict, shown as such ("over 50%" and "50%" are different statements: the qualifier counts).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from beijing_econ_site.data.models import Figure, Qualifier, Source


def fact_id(figure: Figure) -> str:
    """A stable id for the fact a figure states, e.g. 'digital-share-gdp--2021--lyon'."""
    return f"{figure.indicator}--{_period_slug(figure.period)}--{figure.scope}"


def period_is_read(figure: Figure, source: Source) -> bool:
    """Whether the article leaves the period unsaid and the site reads it: marked `period_inferred`,
    filed under the year the source reviews (`reviews_year`) by a quote that names no year, or filed
    as of the article's own date by a quote that names no day ('currently', 'now')."""
    if figure.period_inferred:
        return True
    info = figure.period_info
    reviewed = source.reviews_year is not None and info.start.year == info.end.year == source.reviews_year
    if reviewed and str(source.reviews_year) not in figure.quote:
        return True  # a year, part of it or a day of it, in a year the article never names
    if info.kind == "date" and source.published == info.start.isoformat():
        month = info.start.strftime("%B")
        named = re.search(
            rf"\b(?:{month}|{month[:3]}\.?)\s+{info.start.day}\b|\b{info.start.day}\s+{month}", figure.quote
        )
        return named is None
    return False


@lru_cache(maxsize=4096)
def _period_slug(period: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", period.lower()).strip("-")


def statement(figure: Figure) -> tuple[Decimal, Qualifier]:
    """What a figure says: its exact value and its qualifier."""
    value = figure.value
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return exact.normalize(), figure.qualifier


@dataclass(frozen=True)
class Fact:
    id: str
    figures: tuple[Figure, ...]  # the earliest-published source first

    @property
    def statements(self) -> dict[tuple[Decimal, Qualifier], list[Figure]]:
        grouped: dict[tuple[Decimal, Qualifier], list[Figure]] = defaultdict(list)
        for figure in self.figures:
            grouped[statement(figure)].append(figure)
        return dict(grouped)

    @property
    def confirmed(self) -> bool:
        """Two or more sources state the same value and qualifier, and none states another."""
        return len(self.figures) > 1 and len(self.statements) == 1

    @property
    def in_conflict(self) -> bool:
        return len(self.statements) > 1


def facts_of(figures: Iterable[Figure], order: Callable[[Figure], tuple[str, ...]]) -> dict[str, Fact]:
    """Every fact the figures state, by id; within a fact, figures sorted by order."""
    grouped: dict[str, list[Figure]] = defaultdict(list)
    for figure in figures:
        grouped[fact_id(figure)].append(figure)
    return {key: Fact(key, tuple(sorted(members, key=order))) for key, members in sorted(grouped.items())}
