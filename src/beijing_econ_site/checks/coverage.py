"""Coverage: every number in an archived text is a figure's or recorded as omitted, with a reason.

Rules: number-not-covered (warning); quote-not-in-source for an omission's quote.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from beijing_econ_site.checks.citations import not_found_message
from beijing_econ_site.data.archive import Archive, normalize
from beijing_econ_site.data.models import Dataset, Source
from beijing_econ_site.data.numbers import (
    Mention,
    find_digit_mentions,
)
from beijing_econ_site.data.validate import Locator
from beijing_econ_site.diagnostics import Diagnostic, Severity


def check_coverage(dataset: Dataset, archives: dict[str, Archive], locator: Locator) -> list[Diagnostic]:
    """Every number in an archived text is curated as a figure or recorded as omitted, with a reason."""
    quotes_by_source: dict[str, list[str]] = defaultdict(list)
    for figure in dataset.figures.values():
        quotes_by_source[figure.source].append(normalize(figure.quote))
    problems = []
    for source_id, archive in sorted(archives.items()):
        source = dataset.sources[source_id]
        problems += _omissions_found(source, archive, locator)
        covered = _covered_spans(
            archive.text, quotes_by_source[source_id] + [normalize(o.quote) for o in source.omitted]
        )
        for mention in find_digit_mentions(archive.text):
            if _is_year(mention) or _inside(mention, covered):
                continue
            context = archive.text[max(0, mention.start - 40) : mention.end + 20]
            problems.append(
                Diagnostic(
                    locator("source", source_id, "omitted"),
                    "number-not-covered",
                    f"'{mention.text}' in {source.archive} is in no figure's quote and not omitted: "
                    f'"...{context}..."',
                    Severity.WARNING,
                )
            )
    return problems


def _omissions_found(source: Source, archive: Archive, locator: Locator) -> list[Diagnostic]:
    return [
        Diagnostic(
            locator("source", source.id, "omitted", index, "quote"),
            "quote-not-in-source",
            not_found_message(normalize(omission.quote), archive),
        )
        for index, omission in enumerate(source.omitted)
        if normalize(omission.quote) not in archive.text
    ]


MAX_OCCURRENCES = 1_000  # of one quote in one archive; numbers past them are reported uncovered


def _covered_spans(text: str, quotes: list[str]) -> list[tuple[int, int]]:
    """Where the quotes occur, merged into disjoint sorted spans."""
    spans = []
    for quote in set(quotes):
        if not quote:
            continue
        start, seen = text.find(quote), 0
        while start >= 0 and seen < MAX_OCCURRENCES:  # a crafted archive could repeat a quote millions of times
            spans.append((start, start + len(quote)))
            start, seen = text.find(quote, start + 1), seen + 1
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _inside(mention: Mention, spans: list[tuple[int, int]]) -> bool:
    index = bisect.bisect_right(spans, (mention.start, float("inf"))) - 1
    return index >= 0 and spans[index][0] <= mention.start and mention.end <= spans[index][1]


def _is_year(mention: Mention) -> bool:
    return mention.text.isdigit() and len(mention.text) == 4 and 1900 <= int(mention.text) <= 2100
