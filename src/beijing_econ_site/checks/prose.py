"""Every word a reader sees is sourced: the numbers, years, ranks and superlatives in the prose
around the figures must be in the articles that prose speaks for.

The prose is each figure's `note`, `comparability` and `doubt` (the figure's own article speaks for them),
each indicator's `label` and `description` (the articles of its figures), and each source's
`notes` and `omitted` reasons (its article). In such text:

- a number or a year is sourced when an article it speaks for states it, or when it is a figure
  reference: the value or the year of a figure the text is about (an indicator's, or the note's
  own indicator's), or, in a source's notes, the source's own date;
- a rank or superlative ("first", "only", "highest", "largest", "record", "leads") is sourced when
  an article it speaks for uses the word.

Anything else is an `unsourced-number` or `unsourced-claim` error at the field's line: outside
knowledge, or reasoning the article does not give, written as if the article said it.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beijing_econ_site.data.archive import Archive
from beijing_econ_site.data.models import Dataset, Figure
from beijing_econ_site.data.numbers import Mention, find_mentions, is_half_of_a_period, is_in_a_run_of_months
from beijing_econ_site.data.periods import parse_published
from beijing_econ_site.data.validate import Locator
from beijing_econ_site.diagnostics import Diagnostic, Location
from beijing_econ_site.memo import Memo, key_of

SUPERLATIVES = re.compile(
    r"\b(?:only|highest|lowest|largest|biggest|smallest|fastest|slowest|record|lead|leads|(?<!-)led|leading|"
    r"first|top|best|worst|most|least|highland|benchmark\s+city|pacesetter)\b",
    re.IGNORECASE,
)
# the same words as hedges, quantities or the site's own manner of speaking are no claims of rank
NOT_A_CLAIM = re.compile(
    r"\b(?:at\s+least|at\s+most|most\s+of|most\s+likely|not\s+only|only\s+to|only\s+as|first\s+half|"
    r"first\s+quarter|the\s+first\s+time(?!\s+in\s+(?:the\s+)?history)|(?:lead|leads|led|leading)\s+to)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Prose:
    """One reader-facing text, where it is, and what may source it."""

    text: str
    kind: str  # 'note', 'comparability', 'doubt', 'label', 'description', 'notes', 'omitted reason'
    where: Location
    articles: tuple[str, ...]  # the texts that speak for it
    figures: tuple[Figure, ...]  # the figures it is about: their values and years are references
    dates: tuple[str, ...] = ()  # dates it may give besides (a source's own date)
    numbers: bool = True  # False where another rule refuses every number (the profile's number-in-prose)
    group: str = ""  # texts of one group ('indicator:x', 'source:y') have the same figures and dates


def check_prose(
    dataset: Dataset, archives: dict[str, Archive], locator: Locator, memo: Memo | None = None
) -> list[Diagnostic]:
    """Every figure's, indicator's and source's prose against the articles that speak for it.
    The numbers each article states are kept in the memo (an edit re-archives one article)."""
    for archive in archives.values():
        _remember_stated(archive.text, memo)
    references: dict[tuple[str, tuple[str, ...]], set[Decimal]] = {}

    def problems(prose: Prose) -> Iterator[Diagnostic]:
        # the figures of one indicator (or one source's indicators) are handed to many texts: their
        # references are made once
        key = (prose.group or str(id(prose)), prose.dates)
        if key not in references:
            references[key] = _references(prose.figures, prose.dates)
        return _problems(prose, references[key])

    return [problem for prose in _prose(dataset, archives, locator) for problem in problems(prose)]


def _remember_stated(article: str, memo: Memo | None) -> None:
    """Fill _stated's cache for article from the memo, or the memo from it."""
    if memo is None:
        return
    if article in _STATED:
        return
    key = key_of("prose-stated", article)
    found: frozenset[Decimal] | None = memo.get(key)
    if found is None:
        memo.put(key, _stated(article))
    else:
        _keep_stated(article, found)


def _prose(dataset: Dataset, archives: dict[str, Archive], locator: Locator) -> Iterator[Prose]:
    def text_of(source: str) -> str:
        archive = archives.get(source)
        return archive.text if archive is not None else ""

    # an article is named by its date ('the press conference of 11 November 2022'): a reference
    published = tuple(source.published for source in dataset.sources.values())
    by_indicator: dict[str, list[Figure]] = defaultdict(list)
    for figure in dataset.figures.values():
        by_indicator[figure.indicator].append(figure)
    for figure in dataset.figures.values():
        siblings = tuple(by_indicator[figure.indicator])  # a note compares with the other figures
        for field in ("note", "comparability", "doubt"):
            text = getattr(figure, field)
            if text:
                place = locator("figure", figure.id, field)
                spoken = (text_of(figure.source),)
                yield Prose(text, field, place, spoken, siblings, published, group=f"indicator:{figure.indicator}")
    for indicator in dataset.indicators.values():
        figures = tuple(by_indicator[indicator.id])
        if not figures:
            continue  # no article speaks for it yet: unused-indicator says so
        articles = tuple(dict.fromkeys(text_of(f.source) for f in figures))
        for field in ("label", "description"):
            text = getattr(indicator, field)
            if text:
                place = locator("indicator", indicator.id, field)
                yield Prose(text, field, place, articles, figures, group=f"indicator:{indicator.id}")
    # the site profile speaks for the whole site: every article, every figure
    every_article = tuple(text_of(s) for s in dataset.sources) + tuple(s.title for s in dataset.sources.values())
    every_figure = tuple(dataset.figures.values())
    profile = dataset.site
    texts: list[tuple[str, tuple[str | int, ...]]] = [
        (profile.title, ("title",)),
        (profile.subject, ("subject",)),
        (profile.description, ("description",)),
        *([(profile.context_heading, ("context_heading",))] if profile.context_heading else []),
        *((topic.label, ("topics", index, "label")) for index, topic in enumerate(profile.topics)),
        *((word, ("dataset", "keywords", index)) for index, word in enumerate(profile.dataset.keywords)),
    ]
    for text, path in texts:
        where = locator("profile", "site", *path)
        kind = "site profile's " + str(path[0]).replace("_", " ")
        yield Prose(text, kind, where, every_article, every_figure, published, numbers=False, group="profile")
    indicators_of: dict[str, set[str]] = defaultdict(set)
    for figure in dataset.figures.values():
        indicators_of[figure.source].add(figure.indicator)
    for source in dataset.sources.values():
        # a source's notes compare it with the other articles' figures of the same indicators
        own = indicators_of[source.id]
        figures = tuple(f for indicator in sorted(own) for f in by_indicator[indicator])
        dates = (*published, *([str(source.reviews_year)] if source.reviews_year else []))
        article = (text_of(source.id), source.title)
        for field in ("notes", "dated_by"):
            text = getattr(source, field)
            if text:
                where = locator("source", source.id, field)
                yield Prose(text, field, where, article, figures, dates, group=f"source:{source.id}")
        for index, omitted in enumerate(source.omitted):
            place = locator("source", source.id, "omitted", index, "reason")
            yield Prose(omitted.reason, "omitted reason", place, article, figures, dates, group=f"source:{source.id}")
        for index, claim in enumerate(source.claims):
            if claim.note:
                place = locator("source", source.id, "claims", index, "note")
                yield Prose(claim.note, "claim note", place, article, figures, dates, group=f"source:{source.id}")


def _problems(prose: Prose, referred: set[Decimal]) -> Iterator[Diagnostic]:
    articles = "\n".join(prose.articles)
    stated = set().union(*(_stated(article) for article in prose.articles))
    where = prose.where
    told: set[str] = set()
    for mention in find_mentions(prose.text) if prose.numbers else []:
        if mention.text in told:
            continue
        told.add(mention.text)
        before = prose.text[max(0, mention.start - 24) : mention.start]
        after = prose.text[mention.end : mention.end + 40]
        if mention.form == "ordinal" or is_half_of_a_period(mention, before):
            continue  # ranks are read as words, below; 'the first half' is a period
        if is_in_a_run_of_months(before, mention, after) or _is_idiom(mention, after, before):
            continue
        if mention.value in stated or mention.value in referred or mention.text in articles:
            continue
        yield Diagnostic(
            where,
            "unsourced-number",
            f"the {prose.kind} says '{mention.text}', which no article it speaks for states and no figure "
            "it is about holds: say only what the article says, or cite the figure",
        )
    words = NOT_A_CLAIM.sub(" ", prose.text)
    lowered = "\n".join(_lowered(article) for article in prose.articles)
    for claim in dict.fromkeys(m[0].lower() for m in SUPERLATIVES.finditer(words)):
        if not re.search(rf"\b{re.escape(claim)}\b", lowered):
            yield Diagnostic(
                where,
                "unsourced-claim",
                f"the {prose.kind} says '{claim}', a rank or superlative no article it speaks for uses: "
                "say only what the article says",
            )


_STATED: dict[str, frozenset[Decimal]] = {}  # an article speaks for many texts: read once
_STATED_KEPT = 2048


def _stated(article: str) -> frozenset[Decimal]:
    found = _STATED.get(article)
    if found is None:
        found = frozenset(m.value for m in find_mentions(article))
        _keep_stated(article, found)
    return found


def _keep_stated(article: str, numbers: frozenset[Decimal]) -> None:
    if len(_STATED) >= _STATED_KEPT:
        _STATED.clear()
    _STATED[article] = numbers


@functools.lru_cache(maxsize=512)
def _lowered(article: str) -> str:
    return article.lower()


def _references(figures: Iterable[Figure], dates: Iterable[str]) -> set[Decimal]:
    """The numbers a text may name because its figures hold them: values (in any of the article's
    scales), the years and days of their periods, the source's date."""
    found: set[Decimal] = set()
    for figure in figures:
        value = Decimal(repr(figure.value)) if isinstance(figure.value, float) else Decimal(figure.value)
        found |= {value, abs(value)}
        period = figure.period_info
        found |= {Decimal(period.start.year), Decimal(period.end.year)}
        if period.kind == "date":
            found.add(Decimal(period.start.day))
    for date in dates:
        if date.isdigit():
            found.add(Decimal(date))
            continue
        try:
            day = parse_published(date)
        except ValueError:
            continue
        found |= {Decimal(day.year), Decimal(day.month), Decimal(day.day)}
    return found


_IDIOM = re.compile(r"^[- ](?:of\b|another\b|stop\b|by one\b)", re.IGNORECASE)


_PRONOUN_BEFORE = re.compile(r"\b(?:a|an|the|this|that|each|every|any|no|which|real|new|other|same|only)\s+$", re.I)


def _is_idiom(mention: Mention, after: str, before: str = "") -> bool:
    """'one of the', 'one-stop', 'one another', 'a real one': no quantity."""
    return mention.text.lower() == "one" and bool(_IDIOM.match(after) or _PRONOUN_BEFORE.search(before))


# ---- the templates' own words ------------------------------------------------------------------------
#
# A template speaks for no article: what it says of the site is the site's own promise, and what it
# says of the subject comes from the data through its expressions. So a template's own words (its
# text, the strings in its expressions, and the attributes a reader or a screen reader is given)
# hold no data-like number and no claim of rank. A format example is written inside <code>.

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_MARKUP = re.compile(r"<(script|style|code)\b.*?</\1>|<!--.*?-->|<[^>]*>", re.S | re.IGNORECASE)
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'')
_READ_ATTRIBUTE = re.compile(
    r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"'
    r'|<meta (?:name|property)="[a-z:]*(?:description|title|alt)" content="([^"]*)"'
)
_CODE_NEXT_TO = re.compile(r"[A-Za-z]-?$")  # 'UTF-8', 'SHA-256', 'H1': a name, not a quantity


def check_templates(directory: Path, shown_as: str) -> list[Diagnostic]:
    """Every template under directory (shown in diagnostics as under `shown_as`) against the rule above."""
    problems: list[Diagnostic] = []
    for path in sorted(directory.rglob("*.html")):
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the build reports an unreadable template
        name = f"{shown_as}/{path.relative_to(directory).as_posix()}"
        problems += template_problems(source, name)
    return problems


def template_problems(source: str, name: str) -> list[Diagnostic]:
    def blanked(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match[0])

    source = _JINJA_COMMENT.sub(blanked, source)
    pieces: list[tuple[int, str]] = []  # (offset in source, words a reader may see)
    for block in _JINJA.finditer(source):
        pieces += [(block.start() + s.start() + 1, s[0][1:-1]) for s in _STRING.finditer(block[0])]
    text = _JINJA.sub(blanked, source)
    for match in _READ_ATTRIBUTE.finditer(text):
        group = 1 if match[1] is not None else 2
        pieces.append((match.start(group), match[group]))
    pieces.append((0, _MARKUP.sub(blanked, text)))
    problems = []
    for offset, words in pieces:
        for mention in find_mentions(words):
            if mention.form == "ordinal" or _CODE_NEXT_TO.search(words[: mention.start]):
                continue
            if mention.form in ("word", "fraction") and not mention.currency:
                continue  # 'one period', 'a half (YYYY-H1)': the site's own counting, no datum
            where = _line_of(source, offset + mention.start, name)
            message = f"the template says '{mention.text}': a template states no number; let the data say it"
            problems.append(Diagnostic(where, "template-number", message + " (a format example goes in <code>)"))
        for claim in SUPERLATIVES.finditer(NOT_A_CLAIM.sub(lambda m: " " * len(m[0]), _unquoted(words))):
            where = _line_of(source, offset + claim.start(), name)
            message = f"the template says '{claim[0]}', a claim of rank no article makes for it"
            problems.append(Diagnostic(where, "template-claim", message))
    return problems


def _unquoted(words: str) -> str:
    """The words outside quotation marks and code names ('at-most', “nearly”): those name, not claim."""
    return re.sub(r"“[^”]*”|\b[a-z]+(?:-[a-z]+)+\b", lambda m: " " * len(m[0]), words)


def _line_of(source: str, offset: int, name: str) -> Location:
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return Location(name, line, column)
