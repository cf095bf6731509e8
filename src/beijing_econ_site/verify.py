"""Verify: every figure cites its source correctly, and the dataset holds together.

Rules, each with a stable slug:
  archive-missing, archive-checksum     the archived text exists (a plain file) and is unchanged
  archive-too-large                     an archived text is at most MAX_ARCHIVE_BYTES
  unknown-indicator, unknown-source     references resolve
  unit-mismatch                         a figure's unit is its indicator's
  quote-not-in-source                   the quote occurs in the archived text
  value-not-in-quote, value-sign        the quote states the value, with its sign
  qualifier-mismatch                    'more than', 'nearly', 'about' agree with the qualifier
  conflicting-values                    two sources disagree and no note tells readers
  number-not-covered (warning)          a number in an archived text is neither a figure nor omitted
  unused-indicator (warning)            an indicator no figure measures
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, Location, Severity
from .models import Dataset, Figure, Qualifier, Source
from .numbers import (
    Mention,
    find_digit_mentions,
    find_mentions,
    format_decimal,
    negative_wording,
    qualifier_wording,
    stating_mentions,
)
from .validate import Locator

_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"'})
_WHITESPACE = re.compile(r"\s+")
CONTEXT_CHARS = 60
MAX_ARCHIVE_BYTES = 5_000_000
QUALIFIER_ACCEPTS = {
    "at-least": {Qualifier.AT_LEAST},
    "at-most": {Qualifier.AT_MOST, Qualifier.APPROXIMATELY},
    "approximately": {Qualifier.APPROXIMATELY},
    None: {Qualifier.EXACT},
}
_STRICT_AT_MOST = re.compile(r"^(up to|less than|under|below|top|no more than)$", re.IGNORECASE)


def normalize(text: str) -> str:
    """Only whitespace runs and typographic quotes are normalised: loose matching lets edited quotes pass."""
    return _WHITESPACE.sub(" ", text.translate(_TYPOGRAPHIC)).strip()


@dataclass(frozen=True)
class Archive:
    source_id: str
    path: Path
    text: str  # normalised


def verify(dataset: Dataset, locator: Locator, data_root: Path) -> tuple[dict[str, Archive], list[Diagnostic]]:
    """All citation and consistency checks; returns the archives read and every problem found."""
    archives, diagnostics = read_archives(dataset, locator, data_root)
    for figure in dataset.figures.values():
        diagnostics += check_references(figure, dataset, locator)
        archive = archives.get(figure.source)
        if archive is not None:
            diagnostics += check_citation(figure, archive, locator)
    diagnostics += check_conflicts(dataset, locator)
    diagnostics += check_coverage(dataset, archives, locator)
    used = {figure.indicator for figure in dataset.figures.values()}
    diagnostics += [
        Diagnostic(locator("indicator", i), "unused-indicator", f"indicator '{i}' has no figures", Severity.WARNING)
        for i in dataset.indicators
        if i not in used
    ]
    return archives, diagnostics


def read_archives(dataset: Dataset, locator: Locator, data_root: Path) -> tuple[dict[str, Archive], list[Diagnostic]]:
    archives: dict[str, Archive] = {}
    diagnostics: list[Diagnostic] = []
    for source in dataset.sources.values():
        yaml_file = locator.file_of("source", source.id)
        folder = _real_path(yaml_file, data_root).parent if yaml_file else data_root / "sources"
        path = folder / source.archive
        where = locator("source", source.id, "archive")
        if path.is_symlink() or (path.exists() and not path.is_file()):
            message = f"{source.archive} is not a plain file (links are not followed): archive the text itself"
            diagnostics.append(Diagnostic(where, "archive-missing", message))
            continue
        try:
            size = path.stat().st_size
            raw = path.read_bytes() if size <= MAX_ARCHIVE_BYTES else b""
        except OSError:
            diagnostics.append(Diagnostic(where, "archive-missing", f"archived text {source.archive} not found beside the source file"))
            continue
        if size > MAX_ARCHIVE_BYTES:
            message = f"{source.archive} is {size:,} bytes; an archived article is at most {MAX_ARCHIVE_BYTES:,}"
            diagnostics.append(Diagnostic(where, "archive-too-large", message))
            continue
        digest = hashlib.sha256(raw).hexdigest()
        if digest != source.sha256:
            diagnostics.append(
                Diagnostic(
                    locator("source", source.id, "sha256"),
                    "archive-checksum",
                    f"{source.archive} has sha256 {digest}, not the recorded one: the archive was changed "
                    "(restore it; if the change is intended, record the new checksum)",
                )
            )
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            diagnostics.append(Diagnostic(where, "archive-encoding", f"{source.archive} is not UTF-8 text"))
            continue
        archives[source.id] = Archive(source.id, path, normalize(text))
    return archives, diagnostics


def _real_path(shown: str, data_root: Path) -> Path:
    candidate = Path(shown)
    return candidate if candidate.is_absolute() or candidate.exists() else data_root / candidate


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
        return [Diagnostic(locator("figure", figure.id, "quote"), "quote-not-in-source", _not_found(quote, archive))]
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
            fix = f"the quote states '{mention.text}' with no wording such as 'fell by': write {_plain(abs(figure.value))}"
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
            problems.append(f"the quote says '{wording} {mention.text}', so qualifier should be {expected}, not {figure.qualifier.value}")
        else:
            problems.append(
                f"the quote states '{mention.text}' with no wording such as 'more than', 'nearly' or 'about', "
                f"so qualifier should be exact, not {figure.qualifier.value}"
            )
    return [Diagnostic(locator("figure", figure.id, "qualifier"), "qualifier-mismatch", problems[0])]


def _plain(value: int | float) -> str:
    return format(value, "f").rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _not_found(quote: str, archive: Archive) -> str:
    message = f"quote not found in source {archive.source_id}: \"{_shorten(quote)}\""
    nearest = nearest_passage(quote, archive.text)
    if nearest:
        message += f"; nearest passage: \"{_shorten(nearest)}\""
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


def _longest(position_of, most: int) -> int:
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
    groups: dict[tuple, list[Figure]] = defaultdict(list)
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


def check_coverage(dataset: Dataset, archives: dict[str, Archive], locator: Locator) -> list[Diagnostic]:
    """Every number in an archived text is curated as a figure or recorded as omitted, with a reason."""
    quotes_by_source: dict[str, list[str]] = defaultdict(list)
    for figure in dataset.figures.values():
        quotes_by_source[figure.source].append(normalize(figure.quote))
    problems = []
    for source_id, archive in sorted(archives.items()):
        source = dataset.sources[source_id]
        problems += _omissions_found(source, archive, locator)
        covered = _covered_spans(archive.text, quotes_by_source[source_id] + [normalize(o.quote) for o in source.omitted])
        for mention in find_digit_mentions(archive.text):
            if _is_year(mention) or _inside(mention, covered):
                continue
            context = archive.text[max(0, mention.start - 40) : mention.end + 20]
            problems.append(
                Diagnostic(
                    locator("source", source_id, "omitted"),
                    "number-not-covered",
                    f"'{mention.text}' in {source.archive} is in no figure's quote and not omitted: \"...{context}...\"",
                    Severity.WARNING,
                )
            )
    return problems


def _omissions_found(source: Source, archive: Archive, locator: Locator) -> list[Diagnostic]:
    return [
        Diagnostic(
            locator("source", source.id, "omitted", index, "quote"),
            "quote-not-in-source",
            _not_found(normalize(omission.quote), archive),
        )
        for index, omission in enumerate(source.omitted)
        if normalize(omission.quote) not in archive.text
    ]


def _covered_spans(text: str, quotes: list[str]) -> list[tuple[int, int]]:
    """Where the quotes occur, merged into disjoint sorted spans."""
    spans = []
    for quote in set(quotes):
        if not quote:
            continue
        start = text.find(quote)
        while start >= 0:
            spans.append((start, start + len(quote)))
            start = text.find(quote, start + 1)
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
    return (
        mention.text.isdigit() and len(mention.text) == 4 and 1900 <= int(mention.text) <= 2100
    )


__all__ = ["Archive", "normalize", "verify", "nearest_passage", "Location"]
