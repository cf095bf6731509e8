"""Claims in stories: words that assert a change, a reversal or a year must be backed by the
figures the sentence links to.

- A change word ("rose", "fell", "kept growing", "up by") needs, in its clause, a computed
  `{{change:...}}` or a figure that itself states a change (a growth rate, a difference in
  percentage points, a multiple).
- A reversal word ("rebound", "recovered") claims a fall and then a rise: it needs two such
  figures of opposite sign in its sentence.
- A year a sentence attributes a number to ("in 2020", "by 2023", "mid-2020") must be a year
  that one of the sentence's figures measures. A share or amount stated "as of" an article's
  date measures no year the article gives.

Sentences are read paragraph by paragraph, so a claim wrapped across lines is still one
sentence. The rules read words, not meaning: they catch unbacked claims, and leave a sentence
that the figures back to an editor's judgement.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from beijing_econ_site.data.models import Dataset, Figure, Kind, Unit
from beijing_econ_site.data.stories import CODE_SPAN, LINK_TARGET, REFERENCE, Story, parse_reference
from beijing_econ_site.diagnostics import Diagnostic, Location

CHANGE_WORDS = re.compile(
    r"\b(?:ris(?:e|es|ing|en)|rose|f[ae]ll(?:s|ing|en)?|gr[eo]w(?:s|ing|n)?|doubled|tripled|quadrupled|halved"
    r"|declin(?:e|ed|es|ing)|increas(?:e|ed|es|ing)|decreas(?:e|ed|es|ing)|dropp?(?:ed|s|ing)?"
    r"|shr(?:a|i|u)nk(?:ing|s)?|contract(?:ed|ion|ing)|expan(?:ded|ding|sion)|surg(?:e|ed|es|ing)"
    r"|jump(?:ed|s|ing)?|climb(?:ed|s|ing)?|slow(?:ed|ing|down)|narrow(?:ed|ing)|widen(?:ed|ing)"
    r"|soar(?:ed|ing)?|plung(?:e|ed|ing)|slump(?:ed|s|ing)?|gain(?:ed|s)?"
    r"|(?<!\bmade )(?<!\bmake )(?<!\bmakes )(?<!\bmaking )(?<!\bset )(?<!\bsets )(?<!\btook )(?<!\btake )"
    r"(?<!\btakes )(?<!\badd )(?<!\badds )(?<!\badded )(?<!\bsum )(?<!\bsums )(?<!\bended )(?<!\bend )"
    r"(?:up|down)(?=\s*(?:\{\{|by\b|from\b|on\b)))\b",  # 'up 150%', not 'made up 40%'
    re.IGNORECASE,
)
REVERSAL_WORDS = re.compile(
    r"\b(?:rebound(?:ed|s|ing)?|recover(?:y|ed|s|ing)?|bounc(?:ed|es|ing) back|turn(?:ed)? ?around|revers(?:al|ed))\b",
    re.IGNORECASE,
)
ATTRIBUTED_YEAR = re.compile(
    r"(?:\b(?:in|by|during|for|since|until|through)\s+(?:(?:early|late)\s+|mid-)?|\bmid-)((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“(]*[A-Z{\[])")
CLAUSE_BREAK = re.compile(r";|\b(?:yet|but|while|whereas|although|though)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    """A stretch of a story's text, by offsets into the whole story."""

    start: int
    text: str


def lint_claims(story: Story, dataset: Dataset) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", story.text)]

    def where(offset: int) -> Location:
        line = max(i for i, start in enumerate(line_starts) if start <= offset)
        return Location(story.path, line + 1, offset - line_starts[line] + 1)

    for sentence in _sentences(story.text):
        problems += _sentence_problems(sentence, dataset, where)
    return problems


def _paragraphs(text: str) -> Iterator[Span]:
    """Blocks of prose between blank lines, outside code fences."""
    offset, block_start, in_fence = 0, 0, False
    block: list[str] = []
    for line in text.splitlines(keepends=True):
        fence = line.lstrip().startswith(("```", "~~~"))
        if fence:
            in_fence = not in_fence
        if fence or in_fence or not line.strip():
            if block:
                yield Span(block_start, "".join(block))
            block = []
        else:
            if not block:
                block_start = offset
            block.append(line)
        offset += len(line)
    if block:
        yield Span(block_start, "".join(block))


def _sentences(text: str) -> Iterator[Span]:
    for paragraph in _paragraphs(text):
        start = 0
        for end in [m.start() for m in SENTENCE_END.finditer(paragraph.text)] + [len(paragraph.text)]:
            yield Span(paragraph.start + start, paragraph.text[start:end])
            start = end


def _masked(text: str) -> str:
    """The words alone, offsets kept: code and link targets blanked, each reference reduced to
    the '{{' that says a linked number stands there ('up {{...}}')."""
    for pattern in (CODE_SPAN, LINK_TARGET):
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return REFERENCE.sub(lambda m: "{{" + " " * (len(m.group(0)) - 2), text)


@dataclass(frozen=True)
class Linked:
    """A reference of the sentence: where it is, and the figures it shows."""

    start: int
    kind: str  # fig | change
    figures: tuple[Figure, ...]


def _linked(sentence: Span, dataset: Dataset) -> list[Linked]:
    linked = []
    for match in REFERENCE.finditer(sentence.text):
        try:
            reference = parse_reference(match["kind"], match["body"])
        except ValueError:
            continue  # the story lint reports it
        figures = tuple(dataset.figures[i] for i in reference.figure_ids if i in dataset.figures)
        if reference.kind != "allow" and len(figures) == len(reference.figure_ids):
            linked.append(Linked(match.start(), reference.kind, figures))
    return linked


def _states_a_change(linked: Linked, dataset: Dataset) -> bool:
    if linked.kind == "change":
        return True
    figure = linked.figures[0]
    indicator = dataset.indicators.get(figure.indicator)
    return (indicator is not None and indicator.kind is Kind.GROWTH) or figure.unit in (
        Unit.PERCENTAGE_POINTS,
        Unit.TIMES,
    )


def _sign(linked: Linked) -> int:
    if linked.kind == "change":
        first, second = linked.figures
        return (second.value > first.value) - (second.value < first.value)
    value = linked.figures[0].value
    return (value > 0) - (value < 0)


def _clauses(sentence: Span) -> list[tuple[int, int]]:
    """Offsets (within the sentence) of its clauses: a new claim starts after ';' or 'yet', 'but'..."""
    cuts = [m.start() for m in CLAUSE_BREAK.finditer(_masked(sentence.text))]
    bounds = [0, *cuts, len(sentence.text)]
    return list(itertools.pairwise(bounds))


def _sentence_problems(sentence: Span, dataset: Dataset, where: Callable[[int], Location]) -> list[Diagnostic]:
    words = _masked(sentence.text)
    linked = _linked(sentence, dataset)
    problems = []
    for start, end in _clauses(sentence):
        backing = [item for item in linked if start <= item.start < end and _states_a_change(item, dataset)]
        for match in CHANGE_WORDS.finditer(words, start, end):
            if not backing:
                problems.append(
                    Diagnostic(
                        where(sentence.start + match.start()),
                        "unbacked-change",
                        f"'{match[0]}' asserts a change, but its clause links no {{{{change:...}}}} between two "
                        "comparable figures and no figure that states a change (a growth rate): link one, or "
                        "say only what the figures state",
                    )
                )
    signs = {_sign(item) for item in linked if _states_a_change(item, dataset)}
    for match in REVERSAL_WORDS.finditer(words):
        if not {1, -1} <= signs:
            problems.append(
                Diagnostic(
                    where(sentence.start + match.start()),
                    "unbacked-reversal",
                    f"'{match[0]}' asserts a fall and then a rise, but the sentence links no figures of both "
                    "signs that show them: link them, or say only what the figures state",
                )
            )
    measured = {year for item in linked for figure in item.figures for year in _measured_years(figure, dataset)}
    if linked:
        for match in ATTRIBUTED_YEAR.finditer(words):
            if int(match[1]) not in measured:
                shown = ", ".join(str(y) for y in sorted(measured)) or "no year the articles give"
                problems.append(
                    Diagnostic(
                        where(sentence.start + match.start(1)),
                        "year-not-measured",
                        f"'{match[0].strip()}' attributes a number to {match[1]}, but the sentence's figures "
                        f"measure {shown}",
                    )
                )
    return problems


def _measured_years(figure: Figure, dataset: Dataset) -> set[int]:
    """The years a figure measures: a stock as of a date measures that date; a share, amount or rate
    stated 'as of' the article's date measures a year the article does not give."""
    period = figure.period_info
    indicator = dataset.indicators.get(figure.indicator)
    if period.kind == "date" and (indicator is None or indicator.kind not in (Kind.LEVEL, Kind.TARGET)):
        return set()
    return set(range(period.start.year, period.end.year + 1))
