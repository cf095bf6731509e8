"""cite: turn a quote from an archived article into figure blocks ready to paste into YAML.

The editor gives a source id and the words; the tool finds them in the archive (or shows the
nearest passage), reads every number in them as the checker reads it (value, scale, sign,
qualifier), and drafts the rest of each figure from the words and the article:

- the unit from the words around the number: "percentage points", a currency's marks and
  words as the site profile lists them, "square kilometers", "km", "top 20"...;
- the indicator: the existing ones of that unit, ranked by how well their label, description
  and kind fit the words around the number (the noun after a count weighs most), the
  runner-up in a comment; the id is built from it and the period;
- the period from the words of the number, then of the quote, then of the paragraph before it
  ("first half of 2023", "last year", "by the end of June", "from January to February this
  year"); a stock (a level) stated for a half-year or a quarter is as of its last day. With
  none: the year a review covers (`reviews_year` of the source; a stock as of its last day),
  else the article's date;
- the scope from the words the profile gives a wider place ("the country's", "global trade")
  when the home place is not named, else the scope of the indicator's figures, else the home place.

Years, the ordinal of a period ("first half") and the denominator of a rate ("per 10,000
people") are not drafted as figures.
"""

from __future__ import annotations

import bisect
import calendar
import functools
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from beijing_econ_site.checks.citations import nearest_passage
from beijing_econ_site.data.archive import normalize
from beijing_econ_site.data.models import Dataset, Indicator, Kind, Source, is_currency
from beijing_econ_site.data.numbers import (
    RUN_OF_MONTHS,
    CurrencyWords,
    Mention,
    currency_words,
    find_mentions,
    is_converted_amount,
    is_half_of_a_period,
    is_in_a_run_of_months,
    is_year,
    months_in_run,
    says_exactly,
)
from beijing_econ_site.data.periods import parse_period, parse_published
from beijing_econ_site.data.readings import read_span

WORDING_QUALIFIERS = {"at-least": "at-least", "at-most": "at-most", "approximately": "approximately", None: "exact"}
MONTHS = [calendar.month_name[i].lower() for i in range(1, 13)]
MONTH = rf"(?:{'|'.join(MONTHS)}|{'|'.join(m[:3] for m in MONTHS)})\.?"

POINTS_AFTER = re.compile(r"^\s*(?:percentage points?|pp\b|ppts?\b)", re.IGNORECASE)
UNIT_AFTER = [
    (POINTS_AFTER, "percentage-points"),
    (re.compile(r"^\s*(?:square kilomet(?:er|re)s?|sq\.? ?km\b|km2\b|km²)", re.IGNORECASE), "square-kilometers"),
    (re.compile(r"^\s*(?:square met(?:er|re)s?|sq\.? ?m\b|m2\b|m²)", re.IGNORECASE), "square-meters"),
    (re.compile(r"^\s*(?:kilomet(?:er|re)s?|km\b)", re.IGNORECASE), "kilometers"),
    (re.compile(r"^\s*(?:consecutive\s+)?years\b", re.IGNORECASE), "years"),
]
TOP_N = re.compile(r"\btop\s*$", re.IGNORECASE)
RATE_CHANGE = re.compile(r"\b(?:narrowed|widened|narrowing|widening)\s+by\s*$", re.IGNORECASE)
PER_RATE = re.compile(r"\bper\s*$", re.IGNORECASE)  # 'per 10,000 people': a denominator, not a figure
NAME_AFTER = re.compile(r"^[- ][A-Z]")  # 'Fifth Ring Road': part of a name
PERIOD_ORDINAL = re.compile(r"^[- ](?:half|quarter)\b", re.IGNORECASE)
STOPWORDS = frozenset(
    (  # noqa: SIM905 - fifty one-word strings read worse as a list
        "a an the of in on at to for from by with and or as its it is was were has have had been be this that "
        "these those than more over about nearly almost around up into per which who all also among them "
        "their year years last first new city"
    ).split()
)


@dataclass(frozen=True)
class Reading:
    """One number as the quote states it, in the terms of a figure."""

    mention: Mention
    value: int | float
    unit: str
    qualifier: str
    wording: str


@dataclass(frozen=True)
class Draft:
    """A figure as cite drafts it, with the reasons for its guesses."""

    reading: Reading
    period: str
    scope: str
    indicators: list[str]  # best first
    id: str
    notes: list[str] = field(default_factory=list)
    period_inferred: bool = False
    unsupported: bool = False  # no word of the best indicator is in the quote: a guess, left to the editor

    @property
    def indicator(self) -> str | None:
        """The indicator to draft: the best, unless no word of it is in the quote."""
        return self.indicators[0] if self.indicators and not self.unsupported else None


class QuoteNotFound(Exception):
    def __init__(self, nearest: str | None):
        super().__init__("quote not found")
        self.nearest = nearest


def _find(quote: str, archive_text: str) -> int:
    wanted = normalize(quote)
    position = archive_text.find(wanted)
    if position < 0 or not wanted:
        raise QuoteNotFound(nearest_passage(wanted, archive_text))
    return position


def read_quote(quote: str, archive_text: str) -> list[Reading]:
    """Every number in a quote that occurs in the (normalised) archive text, read whole from the
    archive as the checker reads it (its sign, its qualifier before or after it); years, period
    ordinals and rate denominators are left out."""
    position = _find(quote, archive_text)
    readings = []
    for found in read_span(archive_text, position, position + len(normalize(quote))):
        mention = found.mention
        before, after = archive_text[max(0, mention.start - 24) : mention.start], archive_text[mention.end :][:40]
        if _is_not_a_figure(mention, before, after):
            continue
        value = _plain_number(-mention.value if found.negative else mention.value, mention)
        wording = " ".join(w for w in (found.negative, found.qualifier_wording) if w)
        unit = _unit_of(mention, before, after)
        if is_currency(unit) and is_converted_amount(archive_text[max(0, mention.start - 60) : mention.start]):
            continue  # '810 billion euros (about 870 billion francs)': the same amount converted
        qualifier = WORDING_QUALIFIERS[found.qualifier]
        if (
            qualifier == "exact"
            and mention.form in ("fraction", "multiple")
            and not says_exactly(archive_text[max(0, mention.start - 12) : mention.end], mention.text)
        ):
            qualifier = "approximately"  # 'half', 'doubled': round figures, unless the article says 'exactly'

        readings.append(Reading(mention, value, unit, qualifier, wording))
    return readings


def _is_not_a_figure(mention: Mention, before: str, after: str) -> bool:
    if is_year(mention) or is_half_of_a_period(mention, before) or is_in_a_run_of_months(before, mention, after):
        return True
    if mention.form == "ordinal" and (PERIOD_ORDINAL.match(after) or NAME_AFTER.match(after)):
        return True  # 'first half', 'second quarter', 'the Fifth Ring Road'
    return bool(PER_RATE.search(before))


def _plain_number(value: Decimal, mention: Mention) -> int | float:
    if mention.form == "fraction":
        return float(round(value, 1))
    return int(value) if value == value.to_integral() else float(value)


def _unit_of(mention: Mention, before: str, after: str) -> str:
    if mention.form == "fraction":
        return "percent"
    if mention.form == "ordinal" or TOP_N.search(before):
        return "rank"
    if mention.form == "multiple":
        return "times"
    if mention.points:
        return "percentage-points"
    if mention.percent:
        # a growth rate's decline that 'narrowed by 3.4%' changed by percentage points
        return "percentage-points" if POINTS_AFTER.match(after) or RATE_CHANGE.search(before) else "percent"
    if mention.currency:
        return mention.currency
    for pattern, unit in _currency_patterns(currency_words()):
        if pattern.search(before if pattern.pattern.endswith("$") else after):
            return unit
    for pattern, unit in UNIT_AFTER:
        if pattern.match(after):
            return unit
    return "count"


@functools.lru_cache(maxsize=16)
def _currency_patterns(words: CurrencyWords) -> list[tuple[re.Pattern[str], str]]:
    """The profile's currency marks just before a number ('€ ') and its words just after ('euros')."""
    patterns = []
    for mark, code in words.before:
        patterns.append((re.compile(rf"{re.escape(mark)}\s*$"), code))
    for word, code in words.after:
        patterns.append((re.compile(rf"^\s*{re.escape(word)}(?!\w)", re.IGNORECASE), code))
    return patterns


# --- the period ---------------------------------------------------------------------------

YEAR = re.compile(r"\b(?:19|20)\d\d\b")
SINCE = re.compile(r"\bsince\s+$", re.IGNORECASE)
LAST_YEAR = re.compile(r"\blast year\b", re.IGNORECASE)
MONTH_RANGE = re.compile(rf"\b(?:from\s+)?({MONTH})\s*(?:to|-|–|through)\s*({MONTH})", re.IGNORECASE)
HALF = re.compile(r"\b(?:(first|second) half|h([12]))\b", re.IGNORECASE)
QUARTER = re.compile(r"\b(?:(first|second|third|fourth) quarter|q([1-4]))\b", re.IGNORECASE)
FROM_QUARTER = re.compile(r"\bfrom (?:the )?(?:first quarter|q1)\b", re.IGNORECASE)
END_OF = re.compile(rf"\b(?:by|as of|at) the end of ({MONTH})", re.IGNORECASE)
EVENT_DATE = re.compile(rf"\bon ({MONTH}) (\d{{1,2}})\b", re.IGNORECASE)
ORDINALS = ["first", "second", "third", "fourth"]


def _named_year(text: str, published: date) -> int | None:
    """The year words name; 'since 2015' starts a running total, which names no period."""
    if LAST_YEAR.search(text):
        return published.year - 1
    found = next((m for m in YEAR.finditer(text) if not SINCE.search(text[: m.start()])), None)
    return int(found[0]) if found else None


@functools.lru_cache(maxsize=4096)  # a quote's own words are read once for all its numbers
def _period_in(text: str, published: date) -> tuple[str, str] | None:
    """The period words of a text, read against the article's date."""
    year = _named_year(text, published)
    in_year = year or published.year
    run = RUN_OF_MONTHS.search(text)
    if run and run["from"].lower() == "first":
        months_run = months_in_run(run["count"])
        named = {3: f"{in_year}-Q1", 6: f"{in_year}-H1"}.get(months_run, f"{in_year}-01..{in_year}-{months_run:02d}")
        return named, f"the first {months_run} months of the year"
    months = MONTH_RANGE.search(text)
    if months:
        first, last = (_month_number(m) for m in months.groups())
        return f"{in_year}-{first:02d}..{in_year}-{last:02d}", "the months the words name"
    half = HALF.search(text)
    if half:
        number = 1 if (half[1] or "").lower() == "first" or half[2] == "1" else 2
        return f"{in_year}-H{number}", "the half-year the words name"
    quarter = QUARTER.search(text)
    if quarter and not FROM_QUARTER.search(text):
        number = ORDINALS.index(quarter[1].lower()) + 1 if quarter[1] else int(quarter[2])
        return f"{in_year}-Q{number}", "the quarter the words name"
    end_of = END_OF.search(text)
    if end_of:
        month = _month_number(end_of[1])
        return _month_end(in_year, month).isoformat(), "as of the end of the month the words name"
    if year is not None:
        return str(year), "the year the words name"
    return None


def draft_period(
    context: Context, quote: str, before: str, source: Source, kind: Kind | None, head: str = ""
) -> tuple[str, str]:
    """The period of a number: the words after it, then before it, then the quote's; for a quote
    that refers back ('Among them', 'Meanwhile') the sentence before it; then the year the
    article reviews, or the article's date."""
    published = parse_published(source.published)
    if _says_rest_of_year(quote) and published.month >= 7:
        return f"{published.year}-H2", INFERRED_H2
    found = _period_in(context.after, published) or _period_in(context.before, published)
    in_quote = _period_in(quote, published)
    if found is None or (in_quote and found[0].isdigit() and in_quote[0].startswith(found[0])):
        found = in_quote  # 'In the first half of 2023, X ...': the year its words keep is the half's
    sentences = list(_sentences(before))
    referring = quote
    while found is None and REFERS_BACK.match(referring) and sentences and sentences[-1]:
        referring = sentences.pop()  # 'Meanwhile, ...' after 'Additionally, ...' after the dated sentence
        found = _period_in(referring, published)
    if found is None and kind is Kind.GROWTH:  # a rate of growth is over a period, never as of a day
        for sentence in reversed(sentences[-LOOK_BACK:]):
            found = found or _period_in(sentence, published)
    if found is not None:
        info = parse_period(found[0])
        if kind is Kind.LEVEL and info.kind in ("half", "quarter", "month", "months"):
            return info.end.isoformat(), f"a stock as of the end of {info.label}"
        return found
    if source.reviews_year is not None:
        if kind is Kind.LEVEL:
            return f"{source.reviews_year}-12-31", "a stock as of the end of the year the article reviews"
        return str(source.reviews_year), f"the year the article reviews (reviews_year: {source.reviews_year})"
    return _article_date(source, before, head), "undated in the text: as of the article's date"


@functools.lru_cache(maxsize=256)
def _says_rest_of_year(quote: str) -> bool:
    return bool(REST_OF_YEAR.search(quote))


@functools.lru_cache(maxsize=256)
def _sentences(text: str) -> tuple[str, ...]:
    return tuple(re.split(r"(?<=[.!?])\s+", text.strip()))


REST_OF_YEAR = re.compile(r"\bby the end of (?:the|this) year\b.*\b(?:additional|more|another|extra)\b", re.I)
INFERRED_H2 = "probably the second half: the article, published after the first half, says 'by the end of the year'"
LOOK_BACK = 2  # sentences: the archived texts keep no paragraph breaks
REFERS_BACK = re.compile(
    r"^(?:[a-z]|(?i:among them|of which|in particular|additionally|meanwhile|also|it|this|these)\b)"
)


def _article_date(source: Source, text: str, head: str = "") -> str:
    """The article's date; a date given to the month only is made whole by 'On September 5'
    at the head of the text."""
    if len(source.published) == 10:
        return source.published
    published = parse_published(source.published)
    event = EVENT_DATE.search(text) or EVENT_DATE.search(head)
    if event and _month_number(event[1]) == published.month:
        return date(published.year, published.month, int(event[2])).isoformat()
    return source.published


def _month_number(name: str) -> int:
    return [m[:3] for m in MONTHS].index(name.lower().rstrip(".")[:3]) + 1


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# --- the scope ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _scope_named(quote: str, home: tuple[str, ...], scopes: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    """The widest scope whose words the quote uses, when it does not name the home place."""
    if _phrases(list(home)).search(quote):
        return None
    for scope, words in reversed(scopes):
        if words and _phrases(list(words)).search(quote):
            return scope
    return None


def _phrases(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)


def draft_scope(quote: str, indicator: Indicator | None, dataset: Dataset) -> str:
    """Another scope of the profile when the quote's words make it the subject (its `words`) and
    the home place is not named, the widest (the last listed) first; else the scope of the
    indicator's figures; else the home place."""
    site = dataset.site
    named = _scope_named(
        quote, (site.place.label, *site.place.words), tuple((scope.id, tuple(scope.words)) for scope in site.scopes)
    )
    if named is not None:
        return named
    if indicator is not None:
        scopes = Counter(f.scope for f in dataset.figures.values() if f.indicator == indicator.id)
        if scopes:
            return scopes.most_common(1)[0][0]
    return site.place.id


# --- the indicator --------------------------------------------------------------------------

GROWTH_WORDS = re.compile(
    r"\b(?:increase|increased|growth|grew|grow|rose|fell|decline|declined|year-on-year|surge|surged|narrowed)\b", re.I
)
SHARE_WORDS = re.compile(
    r"\b(?:accounting|accounted|accounts|share|proportion|comprises|made up|of the country|of the national"
    r"|gdp|grp|rates?)\b",
    re.I,
)
FLOW_WORDS = re.compile(r"\b(?:added|newly|opened|rolled out|launched|established|set up|issued|signed)\b", re.I)
STOCK_WORDS = re.compile(r"\b(?:had|has|have|total|now|boasts|in operation|gathers)\b", re.I)
TARGET_WORDS = re.compile(r"\b(?:will|plans?|planned|expected|estimated|target|aims?)\b", re.I)


@functools.lru_cache(maxsize=8192)  # labels and a quote's words, read once for all its numbers
def _words(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in re.findall(r"[a-z][a-z0-9'-]*", text.lower()) if _stem(w) not in STOPWORDS)


def _stem(word: str) -> str:
    """A crude English stem, enough to match 'stations' with 'station' and 'industries' with 'industry'."""
    word = word.removesuffix("'s").removesuffix("’s").rstrip("'’")  # "city's", "industries'"
    if len(word) <= 4:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Context:
    """The words of one number: before it and after it, up to the numbers either side."""

    before: str
    after: str
    clause: str = ""  # the number's own clause, whose words say what kind of number it is

    @property
    def text(self) -> str:
        return f"{self.clause or self.before} {self.after}"


CLAUSE_END = re.compile(r"[,;:]")
KIND_WORDS = frozenset(("year-on-year", "increase", "decrease", "growth", "rate", "account", "accounting", "share"))
PREVIOUS_PERIOD = re.compile(r"^\s*(?:in|for|by)\s+(?:H[12]\s+)?(?:19|20)\d\d\b", re.IGNORECASE)


def number_context(quote: str, mention: Mention, others: list[Mention], offset: int) -> Context:
    """Up to the numbers either side, and within the number's clause: in '5,135 stations were
    opened, increasing the total to 22,500' the total belongs to 22,500."""
    start, end = mention.start - offset, mention.end - offset
    left = max((m.end - offset for m in others if m.end - offset <= start), default=0)
    right = min((m.start - offset for m in others if m.start - offset >= end), default=len(quote))
    before, after = quote[left:start], quote[end:right]
    own_clause = before
    if left > 0:  # another number before: its clause is not this one's, nor its period ('9% in 1970 to 20%')
        cut = list(CLAUSE_END.finditer(before))
        own_clause = before[cut[-1].end() :] if cut else before
        # 'X reached 970 billion euros, a year-on-year increase of 8.6%': a clause that names nothing
        # is about the subject of the number before it
        if any(w not in KIND_WORDS for w in _words(own_clause)):
            before = own_clause
        else:
            previous = max((m for m in others if m.end - offset <= start), key=lambda m: m.end)
            further = max((m.end - offset for m in others if m.end <= previous.start), default=0)
            before = quote[further : previous.start - offset] + " " + own_clause
        before = PREVIOUS_PERIOD.sub("", before)
    if right < len(quote):
        cut_after = CLAUSE_END.search(after)
        after = after[: cut_after.start()] if cut_after else after
    return Context(before, after, own_clause)


def guess_kind(context: str, unit: str) -> Kind | None:
    if unit == "rank" or (re.search(r"\brank(?:s|ing|ed)?\b", context, re.I) and unit == "rank"):
        return Kind.RANK
    if TARGET_WORDS.search(context):
        return Kind.TARGET
    if unit == "times" or (unit in ("percent", "percentage-points") and GROWTH_WORDS.search(context)):
        return Kind.GROWTH
    if unit == "percent" and SHARE_WORDS.search(context):
        return Kind.SHARE
    if unit not in ("percent", "percentage-points") and FLOW_WORDS.search(context):
        return Kind.FLOW
    if unit not in ("percent", "percentage-points") and STOCK_WORDS.search(context):
        return Kind.LEVEL
    return None


def rank_indicators(context: Context, quote: str, unit: str, dataset: Dataset) -> list[str]:
    """Indicators of the unit, best first. The words just after a number (what a count counts)
    weigh most, then those just before it, then the rest of its words and the sentence's; a
    label word the quote never uses counts against; the kind the words suggest adds."""
    place = set(_words(dataset.site.place.label))  # every figure is about it: its name tells none apart
    after = [w for w in _words(context.after) if w not in place]
    before = [w for w in _words(context.before) if w not in place]
    weights: dict[str, float] = defaultdict(float)
    for word in _words(quote):
        if word in place:
            continue
        weights[word] = max(weights[word], 0.3)
    for index, word in enumerate(reversed(before)):
        weights[word] = max(weights[word], 2.0 if index < 6 else 1.0)
    for index, word in enumerate(after):
        weights[word] = max(weights[word], 3.0 if index < 6 else 1.0)
    kind = guess_kind(context.text, unit)
    scored = []
    for indicator in dataset.indicators.values():
        if indicator.unit != unit:
            continue
        # a price basis ('at current prices') is seldom in the quote: the basis warning tells it apart
        label = set(_words(indicator.label + " " + indicator.id.replace("-", " "))) - PRICE_BASIS_WORDS
        described = set(_words(indicator.description))
        score = sum(weights.get(w, 0) for w in label) + 0.4 * sum(weights.get(w, 0) for w in described - label)
        score -= 0.8 * sum(1 for w in label if w not in weights)
        if kind is not None:
            score += 3.0 if indicator.kind is kind else -2.0
        scored.append((-score, indicator.id))
    return [indicator for _, indicator in sorted(scored)]


def draft_figures(quote: str, archive_text: str, source: Source, dataset: Dataset) -> list[Draft]:
    """A draft figure per number of the quote, each with its best guesses."""
    readings = read_quote(quote, archive_text)
    position = _find(quote, archive_text)
    text = normalize(quote)
    paragraph_start = archive_text.rfind("\n", 0, position) + 1
    before = archive_text[paragraph_start:position]
    bounds = [
        Mention(m.start + position, m.end + position, m.text, m.value, m.form)
        for m in find_mentions(text)
        if not is_year(m)
    ]
    starts = [m.start for m in bounds]
    drafts = []
    used_ids = set(dataset.figures)
    for reading in readings:
        # the words of a number reach to the numbers either side, and the one before those: its
        # neighbours alone are looked at, so a quote of many numbers is read in linear time
        at = bisect.bisect_left(starts, reading.mention.start)
        own = at < len(bounds) and starts[at] == reading.mention.start
        others = bounds[max(0, at - 2) : at] + bounds[at + 1 if own else at : (at + 2 if own else at + 1)]
        context = number_context(text, reading.mention, others, position)
        ranked = rank_indicators(context, text, reading.unit, dataset)
        unsupported = bool(ranked) and not _names_in_quote(dataset.indicators[ranked[0]], text, dataset)
        indicator = dataset.indicators.get(ranked[0]) if ranked and not unsupported else None
        kind = indicator.kind if indicator else guess_kind(context.text, reading.unit)
        period, why = draft_period(context, text, before, source, kind, archive_text[:600])
        scope = draft_scope(text, indicator, dataset)
        where = "" if dataset.site.is_home(scope) else f"-{scope}"  # a wider place's figure beside the home's
        base = f"{indicator.id if indicator else 'INDICATOR'}-{_period_slug(period)}{where}"
        figure_id = _unused_id(base, source.id, used_ids)
        used_ids.add(figure_id)
        notes = [f"period: {why}", *_price_basis_warning(indicator, text)]
        drafts.append(Draft(reading, period, scope, ranked, figure_id, notes, why == INFERRED_H2, unsupported))
    return drafts


def _names_in_quote(indicator: Indicator, quote: str, dataset: Dataset) -> bool:
    """Whether a word of the indicator's label or id (not the home place's name) is in the quote:
    with none, ranking it first is a guess that any new indicator could overturn."""
    place = set(_words(dataset.site.place.label))
    named = set(_words(indicator.label + " " + indicator.id.replace("-", " "))) - place
    return bool(named & set(_words(quote)))


DRAFTED_FIELDS = ("indicator", "unit", "period", "scope", "qualifier")


def drafted_as_curated(dataset: Dataset, archives: dict[str, str], figure_ids: list[str]) -> dict[str, list[str]]:
    """For each field cite drafts, the figures whose draft differs from what the editors curated
    (an empty list: every draft agreed): how far cite's drafts are from the finished YAML. The
    draft compared is the one stating the figure's value that agrees best."""
    misses: dict[str, list[str]] = {name: [] for name in DRAFTED_FIELDS}
    for figure_id in figure_ids:
        figure = dataset.figures[figure_id]
        curated = {
            "indicator": figure.indicator,
            "unit": figure.unit,
            "period": figure.period,
            "scope": figure.scope,
            "qualifier": figure.qualifier.value,
        }
        drafts = draft_figures(figure.quote, archives[figure.source], dataset.sources[figure.source], dataset)
        stating = [d for d in drafts if abs(float(d.reading.value) - float(figure.value)) < 0.051]
        if not stating:
            for name in DRAFTED_FIELDS:
                misses[name].append(f"{figure.id}: no draft states {figure.value}")
            continue

        def fields(draft: Draft) -> dict[str, object]:
            return {
                "indicator": draft.indicator,
                "unit": draft.reading.unit,
                "period": draft.period,
                "scope": draft.scope,
                "qualifier": draft.reading.qualifier,
            }

        # a value the quote states twice ('half ... half') has a draft each: this figure's fits it best
        best = fields(max(stating, key=lambda d: sum(fields(d)[k] == curated[k] for k in DRAFTED_FIELDS)))
        for name in DRAFTED_FIELDS:
            if best[name] != curated[name]:
                misses[name].append(f"{figure.id}: {best[name]!r} for {curated[name]!r}")
    return misses


def _unused_id(base: str, source_id: str, used: set[str]) -> str:
    """base, else base-SOURCE, else base-SOURCE-2, -3...: no two drafts, nor a draft and a figure, share an id."""
    for candidate in (base, f"{base}-{source_id}"):
        if candidate not in used:
            return candidate
    number = 2
    while f"{base}-{source_id}-{number}" in used:
        number += 1
    return f"{base}-{source_id}-{number}"


PRICE_BASIS_WORDS = frozenset(("nominal", "real", "current", "price", "comparable", "constant"))
NOMINAL = re.compile(r"\b(?:nominal|current prices?|not adjusted for inflation)\b", re.I)
REAL = re.compile(r"\b(?:real|comparable prices?|constant prices?|adjusted for inflation)\b", re.I)


def _price_basis_warning(indicator: Indicator | None, quote: str) -> list[str]:
    """A growth rate filed as nominal or real when the quote says neither is a claim the article
    does not make: say so, so the editor picks an indicator that leaves it open, or notes it."""
    if indicator is None or indicator.kind is not Kind.GROWTH:
        return []
    definition = f"{indicator.label} {indicator.description}"
    for pattern, basis in ((NOMINAL, "nominal"), (REAL, "real")):
        if pattern.search(definition) and not pattern.search(quote):
            return [
                (
                    f"'{indicator.id}' is {basis} growth but the quote does not say {basis}: "
                    "check the article, or use an indicator that leaves it open and say so in a note"
                )
            ]
    return []


def _period_slug(period: str) -> str:
    months = re.fullmatch(r"(\d{4})-(\d\d)\.\.\d{4}-(\d\d)", period)
    if months:
        return f"{months[1]}-{months[2]}-{months[3]}"
    return period.lower()


def figure_block(draft: Draft, source_id: str, quote: str) -> str:
    """A YAML list item for data/figures/<source>.yaml; JSON strings are valid YAML scalars."""
    reading = draft.reading
    said = f" (the quote says '{reading.wording}')" if reading.wording else ""
    if draft.indicator is not None:
        others = draft.indicators[1:3]
        indicator = draft.indicator + (f"   # or: {', '.join(others)}" if others else "")
    elif draft.indicators:
        closest = ", ".join(draft.indicators[:3])
        indicator = (
            f"CHOOSE-AN-INDICATOR   # no indicator's words are in the quote; closest in {reading.unit}: {closest}"
        )
    else:
        indicator = f"CHOOSE-AN-INDICATOR   # no indicator has unit {reading.unit}: add one to data/indicators/"
    lines = [
        f"  # '{reading.mention.text}'{said}; {'; '.join(draft.notes)}",
        f"  - id: {draft.id}",
        f"    indicator: {indicator}",
        f"    value: {reading.value}",
        f"    unit: {reading.unit}",
        f"    qualifier: {reading.qualifier}",
        f"    period: {json.dumps(draft.period)}",
        *(
            [
                "    period_inferred: true",
                "    note: "
                + json.dumps(
                    "The article says 'by the end of the year' after the first half's results: "
                    f"probably the second half of {draft.period[:4]}."
                ),
            ]
            if draft.period_inferred
            else []
        ),
        f"    scope: {draft.scope}",
        f"    source: {source_id}",
        f"    quote: {json.dumps(normalize(quote), ensure_ascii=False)}",
    ]
    return "\n".join(lines)


PLACEHOLDER = re.compile(r"^\s*(?P<field>[a-z_]+):\s*[\"']?FILL[ -]IN", re.MULTILINE)


def unfinished_fields(data_dir: Path, source_id: str) -> list[tuple[str, int]]:
    """The fields of a source's metadata that add-source left as FILL IN, with their lines."""
    path = data_dir / "sources" / f"{source_id}.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [(m["field"], text.count("\n", 0, m.start()) + 1) for m in PLACEHOLDER.finditer(text)]
