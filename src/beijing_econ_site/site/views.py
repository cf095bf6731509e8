"""Views: the dataset arranged as readers meet it, a year, the comparison, a source.

Pure functions of the Dataset; nothing here knows about HTML.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from beijing_econ_site.data.formatting import QUALIFIER_WORDS, format_with_qualifier, headline_parts
from beijing_econ_site.data.models import Dataset, Figure, Indicator, Kind, Source, Unit, is_currency
from beijing_econ_site.data.numbers import Mention, currency_words, stating_mentions
from beijing_econ_site.data.periods import format_published
from beijing_econ_site.data.profile import SiteProfile
from beijing_econ_site.data.readings import read_span
from beijing_econ_site.facts import fact_id, facts_of, period_is_read
from beijing_econ_site.memo import lasting

HEADLINES_PER_YEAR = 4
MAX_BARS = 40  # a bar chart with more is not read: its facts go on in another chart
YEAR_PAGE_LIMIT = 150  # figures; a year with more has a page per topic, so no page grows past 1 MB


def stating_mentions_of(figure: Figure) -> list[Mention]:
    return list(_stating(abs(figure.value), figure.unit, figure.quote, repr(currency_words())))


# every build derives every figure's view, and a rebuild changes few quotes: the readings of a
# quote are kept for the process (serve), keyed by the profile's currency words that shape them
@functools.lru_cache(maxsize=100_000)
def _stating(value: int | float, unit: str, quote: str, currencies: str) -> tuple[Mention, ...]:
    return tuple(stating_mentions(value, unit, quote))


@lasting
def _worded(value: int | float, unit: str, quote: str, currencies: str) -> tuple[str, bool] | None:
    form = {Unit.PERCENT.value: "fraction", Unit.TIMES.value: "multiple"}.get(unit)
    if form is None:
        return None
    stating = _stating(abs(value), unit, quote, currencies)
    readings = [r for r in read_span(quote, 0, len(quote)) if r.mention in stating]
    worded = next((r for r in readings if r.mention.form == form), None)
    if worded is None or any(r.mention.form == "digits" for r in readings):
        return None
    return worded.text.lower(), worded.qualifier is not None


def published_label(source: Source) -> str:
    """'11 November 2022', or with what the date is when it is not the article's own: '11 November
    2022 (the press conference; the report's own date is not given)'."""
    label = format_published(source.published)
    return f"{label} ({source.dated_by})" if source.dated_by else label


@dataclass(frozen=True)
class FigureView:
    figure: Figure
    indicator: Indicator
    source: Source
    home: str  # site path of the page that is the figure's permalink, e.g. "2021/"
    site: SiteProfile = field(compare=False, repr=False)  # digested apart: the build keys outputs on it
    # the other figures of this fact that state the same value and qualifier (earliest source first),
    # and those that state another value: filled in once every view exists
    confirmed_with: list[FigureView] = field(default_factory=list, compare=False, repr=False)
    conflicts_with: list[FigureView] = field(default_factory=list, compare=False, repr=False)

    @property
    def id(self) -> str:
        return self.figure.id

    @cached_property
    def fact_id(self) -> str:
        return fact_id(self.figure)

    @property
    def statements(self) -> list[FigureView]:
        """This figure and the ones confirming it, the earliest-published source first."""
        return sorted([self, *self.confirmed_with], key=_statement_order)

    @property
    def is_shown_elsewhere(self) -> bool:
        """A confirming figure whose fact is shown with an earlier source's figure: drawn and listed once."""
        return self.statements[0] is not self

    @property
    def sources_text(self) -> str:
        """'Publisher, date' of every source that states this value, for charts and tooltips."""
        listed = "; ".join(f"{v.source.publisher}, {v.date_label}{v.citing}" for v in self.statements)
        return listed + (f" (confirmed by {len(self.statements)} sources)" if self.confirmed_with else "")

    @property
    def signed(self) -> bool:
        """Growth rates carry a sign: '+8.3%'; multiples ('2×') and qualified values ('over 30%') don't."""
        return self.indicator.kind is Kind.GROWTH and self.figure.unit in ("percent", "percentage-points")

    @cached_property
    def display(self) -> str:
        """The value as the article states it: '40.4%', 'over 50%', and a fraction in the article's
        words ('nearly half', 'about one-fifth', 'one third'), never as digits no article wrote."""
        f = self.figure
        if self.worded is None:
            return format_with_qualifier(f.value, f.unit, f.qualifier, signed=self.signed)
        words, hedged = self.worded
        # without the article's own 'about' or 'nearly', the qualifier only says the stored digits
        # round the words ('one third' = 33.3): the words alone are what the article states
        return f"{QUALIFIER_WORDS[f.qualifier]} {words}".strip() if hedged else words

    @cached_property
    def worded(self) -> tuple[str, bool] | None:
        """The words of the quote that state a percentage or a multiple when only words state it
        ('one third', 'doubled'), and whether the article hedges them ('about', 'nearly')."""
        f = self.figure
        return _worded(f.value, str(f.unit), f.quote, repr(currency_words()))

    @property
    def headline(self) -> tuple[str, str]:
        f = self.figure
        if self.worded is not None:
            return self.display, ""
        return headline_parts(f.value, f.unit, f.qualifier, signed=self.signed)

    @property
    def period_label(self) -> str:
        label = self.figure.period_info.label
        return f"{label} (probably)" if self.period_is_read else label

    @cached_property
    def period_is_read(self) -> bool:
        """The article does not state the period; the site reads it from the context."""
        return period_is_read(self.figure, self.source)

    @property
    def published_label(self) -> str:
        return published_label(self.source)

    @property
    def date_label(self) -> str:
        """The source's date alone, for a source line; the source page and citations say what it dates."""
        return format_published(self.source.published)

    @property
    def citing(self) -> str:
        """After a source line, whom the article credits for the number: ', citing the 2019 report of …'."""
        return f", citing {self.figure.cites}" if self.figure.cites else ""

    @property
    def permalink(self) -> str:
        return f"{self.home}#{self.figure.id}"

    @property
    def scope_label(self) -> str:
        return self.site.scope_label(self.figure.scope)

    @property
    def is_home(self) -> bool:
        """About the site's home place, not context."""
        return self.site.is_home(self.figure.scope)

    @property
    def scope_shown(self) -> bool:
        """Whether the label needs the place after it: another place than the home place, which the
        label does not name already (a label that names the region needs no '(Region)' after it)."""
        if self.is_home:
            return False
        named = re.search(rf"\b{re.escape(self.scope_label.lower())}\b", self.indicator.label.lower())
        return named is None

    @property
    def label_says_plan(self) -> bool:
        """Whether the label says already that it is a plan ('planned additions', '(target)')."""
        return (
            re.search(r"\b(?:plan|planned|plans|target|targets|estimate|expected)\b", self.indicator.label, re.I)
            is not None
        )

    @property
    def scope_note(self) -> str:
        """' (Region)' after a label for a figure about another place than the home place; else ''."""
        return f" ({self.scope_label})" if self.scope_shown else ""


@dataclass
class ChartGroup:
    """Figures one chart shows together: same topic, unit, kind and period."""

    key: str
    title: str
    figures: list[FigureView]
    period_in_title: bool = False  # the title says '(probably)': the site reads every bar's period


@dataclass
class TopicView:
    topic: str
    label: str
    figures: list[FigureView]
    charts: list[ChartGroup] = field(default_factory=list)
    path: str = ""  # its own page, when its year is split by topic; else it is a section of the year's page


@dataclass
class YearView:
    year: int
    figures: list[FigureView]
    headlines: list[FigureView]
    topics: list[TopicView]
    context: list[FigureView]  # figures about the profile's other scopes measured in this year
    split: bool = False  # each topic has its own page (YEAR_PAGE_LIMIT)

    @property
    def path(self) -> str:
        return f"{self.year}/"


@dataclass
class Series:
    """One indicator in one scope over several periods, for the comparison page."""

    indicator: Indicator
    scope: str
    figures: list[FigureView]
    length: str = ""  # the one period length of a flow's series ("year", "half"...); "" for other kinds

    @property
    def is_home(self) -> bool:
        return self.figures[0].is_home

    @property
    def scope_label(self) -> str:
        return self.figures[0].scope_label

    @property
    def scope_shown(self) -> bool:
        return self.figures[0].scope_shown

    @property
    def scope_note(self) -> str:
        return self.figures[0].scope_note

    @property
    def key(self) -> str:
        key = self.indicator.id if self.is_home else f"{self.indicator.id}-{self.scope}"
        return key if self.length in ("", "year") else f"{key}-{self.length}"

    @property
    def length_note(self) -> str:
        """For a flow over periods shorter than a year, their length: ', half-years'."""
        length = FLOW_LENGTHS.get(self.length, "")
        return f", {length}" if length else ""

    @property
    def title(self) -> str:
        return self.indicator.label + self.scope_note + self.length_note

    @property
    def breaks(self) -> list[FigureView]:
        return [f for f in self.figures[1:] if f.figure.comparability]

    @property
    def is_target(self) -> bool:
        return self.indicator.kind is Kind.TARGET


@dataclass
class SourceView:
    source: Source
    figures: list[FigureView]

    @property
    def path(self) -> str:
        return f"sources/{self.source.id}/"

    @property
    def published_label(self) -> str:
        return published_label(self.source)


@dataclass
class NotCompared(Series):
    """Figures of an indicator reported for two or more periods that no comparison chart draws, and why."""

    reasons: list[str] = field(default_factory=list)


@dataclass
class SiteView:
    years: list[YearView]
    series: list[Series]
    sources: list[SourceView]
    figures: dict[str, FigureView]
    topics: list[str]
    site: SiteProfile
    not_compared: list[NotCompared] = field(default_factory=list)

    def topic_label(self, topic: str) -> str:
        return self.site.topic_label(topic)


def derive(dataset: Dataset) -> SiteView:
    site = dataset.site
    home_years = sorted({f.year for f in dataset.figures.values() if site.is_home(f.scope)})
    year_set = set(home_years)
    split_years = set(is_split(dataset))

    def home_of(figure: Figure) -> str:
        if figure.year not in year_set:
            return f"sources/{figure.source}/"
        if figure.year in split_years and site.is_home(figure.scope):
            return f"{figure.year}/{dataset.indicators[figure.indicator].topic}/"
        return f"{figure.year}/"

    views = {
        fid: FigureView(f, dataset.indicators[f.indicator], dataset.sources[f.source], home_of(f), site)
        for fid, f in dataset.figures.items()
    }
    _link_statements(views, dataset)
    ordered = sorted(views.values(), key=lambda view: _figure_order(view, site))
    by_year: dict[int, list[FigureView]] = defaultdict(list)
    for view in ordered:
        by_year[view.figure.year].append(view)
    years = [_year_view(year, by_year[year], site, year in split_years) for year in home_years]
    by_source: dict[str, list[FigureView]] = defaultdict(list)
    for view in ordered:
        by_source[view.figure.source].append(view)
    sources = [
        SourceView(source, by_source[source.id])
        for source in sorted(dataset.sources.values(), key=lambda s: (s.published, s.id))
    ]
    topics = sorted({i.topic for i in dataset.indicators.values()}, key=site.topic_rank)
    series = comparison_series(ordered, site)
    return SiteView(years, series, sources, views, topics, site, not_compared(ordered, series))


def not_compared(figures: list[FigureView], series: list[Series]) -> list[NotCompared]:
    """Each indicator and scope reported for two or more periods with figures no series draws: a
    number the site doubts, or an amount whose period length has no other period to join."""
    charted = {view.id for s in series for view in s.figures}
    grouped: dict[tuple[str, str], list[FigureView]] = defaultdict(list)
    for view in figures:
        grouped[(view.indicator.id, view.figure.scope)].append(view)
    found = []
    for members in grouped.values():
        left = [m for m in members if m.id not in charted and not m.is_shown_elsewhere]
        if len({m.figure.period for m in members}) < 2 or not left:
            continue
        reasons = []
        doubted = [m for m in members if m.figure.doubt]
        if doubted:
            periods = " and ".join(m.period_label.removeprefix("as of ") for m in doubted)
            which = "figure" if len(doubted) == 1 else "figures"
            reasons.append(f"the site doubts the {which} for {periods} and draws no doubtful figure: see the notes")
        alone = [m for m in left if not m.figure.doubt]
        if alone and members[0].indicator.kind is Kind.FLOW and len({m.figure.period_info.kind for m in members}) > 1:
            periods = "; ".join(f"{m.period_label}, {_length_said(m)}" for m in members)
            reasons.append(f"its amounts are over periods of different lengths, which no line joins: {periods}")
        elif alone:
            reasons.append("that leaves a single value to compare")
        ordered = sorted(members, key=lambda m: (m.figure.period_info.sort_key, m.source.published))
        found.append(NotCompared(members[0].indicator, members[0].figure.scope, ordered, reasons=reasons))
    return found


def _length_said(view: FigureView) -> str:
    """How long a figure's period is, as the site knows it: 'a half-year', or, where the site
    reads the period, 'a year by the site's reading'."""
    length = PERIOD_LENGTHS[view.figure.period_info.kind]
    return f"{length} by the site's reading" if view.period_is_read else length


def is_split(dataset: Dataset) -> list[int]:
    """The years with more figures than one page should hold."""
    counts: dict[int, int] = defaultdict(int)
    for figure in dataset.figures.values():
        counts[figure.year] += 1
    return sorted(year for year, count in counts.items() if count > YEAR_PAGE_LIMIT)


def _statement_order(view: FigureView) -> tuple[str, str]:
    return (view.source.published, view.id)


def _link_statements(views: dict[str, FigureView], dataset: Dataset) -> None:
    """Tell each view which figures confirm it and which state another value of its fact."""
    facts = facts_of(dataset.figures.values(), lambda f: (dataset.sources[f.source].published, f.id))
    for fact in facts.values():
        if len(fact.figures) == 1:  # most facts: stated once, confirmed by none, in conflict with none
            continue
        for members in fact.statements.values():
            for figure in members:
                view = views[figure.id]
                view.confirmed_with.extend(views[other.id] for other in members if other is not figure)
                view.conflicts_with.extend(views[other.id] for other in fact.figures if other not in members)


def _figure_order(view: FigureView, site: SiteProfile) -> tuple[Any, ...]:
    f = view.figure
    return (
        site.topic_rank(view.indicator.topic),
        view.indicator.kind is Kind.TARGET,
        view.indicator.label,
        f.period_info.sort_key,
        f.id,
    )


def _year_view(year: int, figures: list[FigureView], site: SiteProfile, split: bool = False) -> YearView:
    home = [f for f in figures if f.is_home]
    context = [f for f in figures if not f.is_home]
    topics: dict[str, list[FigureView]] = defaultdict(list)
    for view in home:
        topics[view.indicator.topic].append(view)
    topic_views = [
        TopicView(
            topic,
            site.topic_label(topic),
            topics[topic],
            chart_groups(year, topic, topics[topic]),
            f"{year}/{topic}/" if split else "",
        )
        for topic in sorted(topics, key=site.topic_rank)
    ]
    return YearView(year, figures, pick_headlines(home), topic_views, context, split)


def pick_headlines(figures: list[FigureView]) -> list[FigureView]:
    """Figures flagged headline by editors; otherwise the first outcome of each topic."""
    # a confirmed fact is one headline; a number the site doubts is never one
    figures = [f for f in figures if not f.is_shown_elsewhere and not f.figure.doubt]
    flagged = [f for f in figures if f.figure.headline]
    if flagged:
        return flagged[:HEADLINES_PER_YEAR]
    picked, topics_seen = [], set()
    for view in figures:
        if view.indicator.kind is Kind.TARGET or view.indicator.topic in topics_seen:
            continue
        picked.append(view)
        topics_seen.add(view.indicator.topic)
    return picked[:HEADLINES_PER_YEAR]


KIND_TITLES = {
    Kind.GROWTH: "Growth",
    Kind.SHARE: "Shares",
    Kind.LEVEL: "Levels",
    Kind.FLOW: "Amounts",
    Kind.TARGET: "Plans and targets",
    Kind.RANK: "Ranks",
}


def chart_groups(year: int, topic: str, figures: list[FigureView]) -> list[ChartGroup]:
    """Two or more facts of one measure (unit, and counted thing or kind of amount), kind and
    period make a bar chart; ranks are not charted, nor numbers the site doubts as printed."""
    groups: dict[tuple[str, str, str, str], list[FigureView]] = defaultdict(list)
    for view in figures:
        if view.indicator.kind is Kind.RANK or view.figure.doubt:
            continue
        measure = measure_of(view.indicator)
        groups[(view.figure.unit, view.indicator.kind.value, view.figure.period, measure)].append(view)
    charts = []
    for (unit, kind, period, measure), members in groups.items():
        if sum(not m.is_shown_elsewhere for m in members) < 2:
            continue
        first = members[0]
        thing = measure.removeprefix("count of ")
        named = "" if not measure or measure.startswith("indicator:") else thing
        # the period is '(probably)' in the title when the site reads it for every bar; a bar
        # whose period is read beside bars whose period is stated is marked on the chart instead
        all_read = all(m.period_is_read for m in members if not m.is_shown_elsewhere)
        said = first.figure.period_info.label + (" (probably)" if all_read else "")
        # a chart of one measure is titled by it ('Value added, 2021'), the others by their kind
        title = f"{named[:1].upper()}{named[1:]}, {said}" if named else f"{KIND_TITLES[first.indicator.kind]}, {said}"
        if measure.startswith("share of "):
            title = f"Shares of {first.indicator.measures}, {said}"
        key = f"{year}-{topic}-{kind}-{unit}-{period}" + (f"-{_slug(thing)}" if measure else "")
        key = key.replace(".", "-").lower()
        parts = _at_most_bars(members, MAX_BARS)
        for number, part in enumerate(parts, start=1):
            if len(parts) == 1:
                charts.append(ChartGroup(key, title, part, all_read))
            else:
                part_title = f"{title} ({number} of {len(parts)})"
                charts.append(ChartGroup(f"{key}-part-{number}", part_title, part, all_read))
    return charts


def _at_most_bars(members: list[FigureView], most: int) -> list[list[FigureView]]:
    """The figures in runs of at most `most` bars, a fact's figures always in one run (a conflict
    is read side by side; a confirming figure goes with the bar that names it)."""
    facts: dict[str, list[FigureView]] = defaultdict(list)
    for view in members:
        facts[view.fact_id].append(view)
    parts: list[list[FigureView]] = [[]]
    bars = 0
    for fact in facts.values():
        drawn = sum(not v.is_shown_elsewhere for v in fact)
        if parts[-1] and bars + drawn > most:
            parts.append([])
            bars = 0
        parts[-1].extend(fact)
        bars += drawn
    return parts


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def measure_of(indicator: Indicator) -> str:
    """What one axis may hold besides its unit: for counts the thing counted (people and inquiries
    never share an axis), for money what the amount is (operating revenue is not value added), for
    shares what they are shares of (GDP is not a national total). One that does not say stands alone."""
    if indicator.unit == Unit.COUNT:
        return f"count of {indicator.counts}" if indicator.counts else f"indicator:{indicator.id}"
    if indicator.kind is Kind.SHARE:  # a share of GDP is not a share of a national total
        return f"share of {indicator.measures}" if indicator.measures else f"indicator:{indicator.id}"
    if is_currency(indicator.unit):
        return indicator.measures or f"indicator:{indicator.id}"
    return ""


PERIOD_LENGTHS = {
    "year": "a year",
    "half": "a half-year",
    "quarter": "a quarter",
    "month": "a month",
    "months": "a run of months",
    "date": "a day",
}
FLOW_LENGTHS = {"half": "half-years", "quarter": "quarters", "month": "months", "months": "runs of months"}


def comparison_series(figures: list[FigureView], site: SiteProfile) -> list[Series]:
    """Every indicator and scope with figures for two or more periods, periods in order: the home
    place's first. A flow's periods of one length make a series of their own (a half-year's
    amount beside years' would read as a fall); rates, shares and levels of different lengths
    share a time axis, never a line."""
    grouped: dict[tuple[str, str, str], list[FigureView]] = defaultdict(list)
    for view in figures:
        if view.figure.doubt:  # a doubtful number is shown in its table, never drawn
            continue
        length = view.figure.period_info.kind if view.indicator.kind is Kind.FLOW else ""
        grouped[(view.indicator.id, view.figure.scope, length)].append(view)
    series = []
    for (_, scope, length), members in grouped.items():
        if len({m.figure.period for m in members}) < 2:
            continue
        members = sorted(members, key=lambda v: (v.figure.period_info.sort_key, v.source.published))
        series.append(Series(members[0].indicator, scope, members, length))
    series.sort(
        key=lambda s: (
            s.is_target,
            not s.is_home,
            site.topic_rank(s.indicator.topic),
            s.indicator.label,
        )
    )
    return series
