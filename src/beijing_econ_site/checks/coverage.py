"""Coverage: every number in an archived text is a figure's or recorded as omitted, with a reason.

Numbers are read as the number matcher reads them (digits, number words, fractions, multiples)
and so are vague quantities ("hundreds of", "dozens of"). Left aside: years, ordinals ("first"),
"half" in "the first half of" (a period), and "one of" (an idiom, not a count).

A word of rank or precedence ("first", "only", "record", "leads"...) is covered the same way: by a
figure's quote, a recorded claim (`claims`, shown on the source page) or an omission with a reason.

Rules: number-not-covered and claim-not-covered (warnings); quote-not-in-source for an omission's
or a claim's quote.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from decimal import Decimal

from beijing_econ_site.checks.citations import not_found_message
from beijing_econ_site.checks.prose import NOT_A_CLAIM, SUPERLATIVES
from beijing_econ_site.data.archive import Archive, normalize
from beijing_econ_site.data.models import Dataset, Source
from beijing_econ_site.data.numbers import (
    RUN_OF_MONTHS,
    Mention,
    currency_words,
    find_mentions,
    is_half_of_a_period,
    is_year,
)
from beijing_econ_site.data.validate import Locator
from beijing_econ_site.diagnostics import Diagnostic, Severity
from beijing_econ_site.memo import Memo, key_of


def check_coverage(
    dataset: Dataset, archives: dict[str, Archive], locator: Locator, memo: Memo | None = None
) -> list[Diagnostic]:
    """Every number in an archived text is curated as a figure or recorded as omitted, with a reason."""
    quotes_by_source: dict[str, list[str]] = defaultdict(list)
    for figure in dataset.figures.values():
        quotes_by_source[figure.source].append(normalize(figure.quote))
    problems = []
    for source_id, archive in sorted(archives.items()):
        source = dataset.sources[source_id]
        problems += _omissions_found(source, archive, locator)
        recorded = [normalize(o.quote) for o in source.omitted] + [normalize(c.quote) for c in source.claims]
        covered = _covered_spans(archive.text, quotes_by_source[source_id] + recorded)
        for mention in _numbers_to_cover(archive.text, memo):
            if _inside(mention, covered):
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
        problems += _claims_not_covered(source, archive, covered, locator)
        problems += [
            Diagnostic(
                locator("source", source_id, "claims", index, "quote"),
                "claim-without-rank",
                f"the claim “{claim.quote[:80]}” has no word of rank or precedence ('first', 'only', 'leads'...): "
                "a passage that claims no rank is an omission with a reason",
                Severity.WARNING,
            )
            for index, claim in enumerate(source.claims)
            if not claims_to_cover(claim.quote)
        ]
    return problems


def claims_to_cover(text: str) -> list[re.Match[str]]:
    """Every word of rank or precedence in text, hedges and periods ('at least', 'the first half') aside."""
    masked = NOT_A_CLAIM.sub(lambda m: " " * len(m[0]), text)
    return list(SUPERLATIVES.finditer(masked))


def _claims_not_covered(
    source: Source, archive: Archive, covered: list[tuple[int, int]], locator: Locator
) -> list[Diagnostic]:
    problems = []
    for match in claims_to_cover(archive.text):
        if _inside(Mention(match.start(), match.end(), match[0], Decimal(0), "claim"), covered):
            continue
        context = archive.text[max(0, match.start() - 60) : match.end() + 40]
        problems.append(
            Diagnostic(
                locator("source", source.id, "claims"),
                "claim-not-covered",
                f"'{match[0]}' in {source.archive} is in no figure's quote, no claim and no omission: "
                f'"...{context}..." (record a claim of rank under claims, or omit the words with a reason)',
                Severity.WARNING,
            )
        )
    return problems


VAGUE_QUANTITY = re.compile(
    r"\b(?:(?:tens|hundreds) of (?:thousands|millions)|hundreds|thousands|millions|billions|dozens|scores)(?= of\b)",
    re.IGNORECASE,
)
IDIOM_ONE = re.compile(r"^\s+of\b", re.IGNORECASE)
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# Numbers that are no quantity: the day of a date ("14 March", "March 14th"), a time ("10:30",
# "9 a.m."), a date or code of joined digit groups ("2022-11-11", "010-6512-3456") and a number
# written with a leading zero (a code: "No. 05012345"). Month names are matched capitalised only:
# "may" is a verb. A run of months ("the first six months") is a period too, and digits joined to
# Chinese characters in an English text are a registration code ("京ICP备10012345号-2").
NOT_QUANTITIES = re.compile(
    rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b"
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\b(?:\s?(?:a\.m\.|p\.m\.))?"
    r"|\b\d{1,2}\s?(?:a\.m\.|p\.m\.)"
    r"|(?<![\w.,])\d+(?:[-/]\d+){2,}(?!\w)"
    r"|(?<![\w.,])0\d+(?!\w|[.,]\d)"
    rf"|{RUN_OF_MONTHS.pattern}"
    r"|(?<=[\u3400-\u9fff])-?\d+(?:-\d+)*"
)


def _numbers_to_cover(text: str, memo: Memo | None) -> list[Mention]:
    if memo is None:
        return numbers_to_cover(text)
    key = key_of("numbers-to-cover", repr(currency_words()), text)  # what a number is depends on the words
    found: list[Mention] | None = memo.get(key)
    if found is None:
        found = numbers_to_cover(text)
        memo.put(key, found)
    return found


def numbers_to_cover(text: str) -> list[Mention]:
    """Every number and vague quantity in text that a figure or an omission must account for."""
    found = []
    not_quantities = [(m.start(), m.end()) for m in NOT_QUANTITIES.finditer(text)]
    for mention in find_mentions(text):
        if mention.form == "ordinal" or is_year(mention) or _inside(mention, not_quantities):
            continue
        if is_half_of_a_period(mention, text[max(0, mention.start - 12) : mention.start]):
            continue
        if mention.text.lower() == "one" and IDIOM_ONE.match(text[mention.end : mention.end + 4]):
            continue
        found.append(mention)
    for match in VAGUE_QUANTITY.finditer(text):
        found.append(Mention(match.start(), match.end(), match[0], Decimal(0), "vague"))
    return sorted(found, key=lambda m: m.start)


def _omissions_found(source: Source, archive: Archive, locator: Locator) -> list[Diagnostic]:
    recorded = [("omitted", index, o.quote) for index, o in enumerate(source.omitted)]
    recorded += [("claims", index, c.quote) for index, c in enumerate(source.claims)]
    return [
        Diagnostic(
            locator("source", source.id, field, index, "quote"),
            "quote-not-in-source",
            not_found_message(normalize(quote), archive),
        )
        for field, index, quote in recorded
        if normalize(quote) not in archive.text
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
