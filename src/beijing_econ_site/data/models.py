"""Models: what a valid source, indicator and figure are. pydantic checks each data file."""

from __future__ import annotations

import math
import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from beijing_econ_site.data.fields import (
    MAX_ABS_VALUE,
    PLACEHOLDER,
    SLUG_PATTERN,
    Markdown,
    PlainText,
    Slug,
    StrictModel,
    not_blank,
)
from beijing_econ_site.data.periods import PERIOD_SYNTAX, Period, parse_period, parse_published
from beijing_econ_site.data.profile import SiteProfile

__all__ = ["MAX_ABS_VALUE", "PLACEHOLDER", "SLUG_PATTERN", "Markdown", "PlainText", "Slug", "StrictModel"]


class Unit(StrEnum):
    """The units every edition has; amounts of money are in the currencies its profile declares."""

    PERCENT = "percent"
    PERCENTAGE_POINTS = "percentage-points"
    COUNT = "count"
    KILOMETERS = "kilometers"
    SQUARE_METERS = "square-meters"
    SQUARE_KILOMETERS = "square-kilometers"
    RANK = "rank"
    TIMES = "times"
    YEARS = "years"


class Kind(StrEnum):
    LEVEL = "level"
    FLOW = "flow"
    GROWTH = "growth"
    SHARE = "share"
    TARGET = "target"
    RANK = "rank"


class Qualifier(StrEnum):
    EXACT = "exact"
    AT_LEAST = "at-least"
    AT_MOST = "at-most"
    APPROXIMATELY = "approximately"


CURRENCY_PATTERN = r"^[A-Z]{3}$"


def is_currency(unit: str) -> bool:
    """A unit that is an amount of money: a currency code the profile declares, such as EUR."""
    return unit not in _UNITS


_UNITS = frozenset(u.value for u in Unit)


def _known_unit(value: Any) -> Any:
    if isinstance(value, str) and value not in _UNITS and not re.match(CURRENCY_PATTERN, value):
        units = ", ".join(sorted(_UNITS))
        raise ValueError(f"must be one of {units}, or the code of a currency the site profile declares (e.g. EUR)")
    return value


UnitName = Annotated[
    str,
    AfterValidator(_known_unit),
    WithJsonSchema({"anyOf": [{"enum": sorted(_UNITS)}, {"type": "string", "pattern": CURRENCY_PATTERN}]}),
    Field(
        description="One of " + ", ".join(u.value for u in Unit) + ", or a currency code the site profile declares "
        "(data/site.yaml, currencies)."
    ),
]


def _finite_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a number written without quotes, in base units (1600000000000, not '1.6 trillion')")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number, not NaN or infinity")
    if abs(value) > MAX_ABS_VALUE:
        raise ValueError(f"is out of range (more than {MAX_ABS_VALUE:.0e} in absolute value)")
    return value


def _period_text(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # an unquoted year
    return value


def _valid_period(value: str) -> str:
    parse_period(value)
    return value


def _valid_published(value: str) -> str:
    parse_published(value)
    return value


def _safe_url(value: str | None) -> str | None:
    if value is not None and not value.startswith(("https://", "http://")):
        raise ValueError("must be an http(s) URL")
    return value


class Omission(StrictModel):
    """A numeric passage of a source deliberately not curated, and why."""

    quote: Annotated[str, StringConstraints(min_length=1, max_length=2000)] = Field(
        description="Verbatim text from the archived article; covers every occurrence of it."
    )
    reason: PlainText = Field(description="Why the numbers in the quote are not figures (a date, a name, an age...).")


class Claim(StrictModel):
    """A claim of rank or precedence ('the only', 'the first', 'leads the country') the article makes
    without a number to curate: recorded, and shown to readers on the source page."""

    quote: Annotated[str, StringConstraints(min_length=1, max_length=2000)] = Field(
        description="Verbatim text from the archived article; covers every occurrence of it."
    )
    note: PlainText | None = Field(
        default=None, description="Who makes the claim or how to read it, where the quote does not say."
    )


class Rearchive(StrictModel):
    """A replacement of an archived text: archives are append-only, so each change is recorded."""

    date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] = Field(
        description="When the text was archived again, YYYY-MM-DD (quote it in YAML)."
    )
    reason: PlainText = Field(description="Why: a fuller copy of the article was collected, a transcription fixed...")
    previous_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] = Field(
        description="The sha256 of the text this one replaces, as the published site's data/archives.json lists it."
    )


class Correction(StrictModel):
    """A published figure's value, qualifier, period or quote changed: readers see what and why."""

    date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] = Field(
        description="When the correction was published, YYYY-MM-DD (quote it in YAML)."
    )
    what: PlainText = Field(description="What changed, as readers saw it: 'value 40.5% -> 40.4%'.")
    why: Markdown = Field(description="Why, in Markdown: 'the quote says 40.4%; 40.5 was a typing slip'.")


class Acceptance(StrictModel):
    """A warning reviewed and accepted: check reports it as accepted, with the reason, not as a warning."""

    rule: Slug = Field(description="The warning's rule, as check prints it in brackets (e.g. number-not-covered).")
    reason: PlainText = Field(description="Why it is right as it is, for the next reviewer.")


ACCEPT_DESCRIPTION = (
    "Warnings of these rules on this item, reviewed and accepted with a reason; an acceptance that no "
    "warning needs is itself a warning (acceptance-unused)."
)


class Source(StrictModel):
    """One archived article."""

    id: Slug = Field(description="The source's slug; its page is /sources/<id>/.")
    title: PlainText = Field(description="The article's headline, or a descriptive title where it has none.")
    title_descriptive: bool = Field(
        default=False,
        description="The article has no headline: `title` is the site's description of it, cited in square "
        "brackets, never in quotation marks as if the article bore it.",
    )
    publisher: PlainText = Field(description="Who published the article, as the text shows.")
    published: Annotated[str, AfterValidator(_valid_published)] = Field(
        description="Publication date, YYYY-MM-DD, or YYYY-MM where the article gives no day (quote it in YAML)."
    )
    url: Annotated[str | None, AfterValidator(_safe_url)] = Field(
        default=None, description="The article's original http(s) URL, where known."
    )
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,8})?$")] = Field(
        description="Language of the archived text, a BCP 47 tag such as en."
    )
    archive: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*\.txt$")] = Field(
        description="File name of the archived text, beside this YAML file in data/sources/."
    )
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] = Field(
        description="SHA-256 of the archived text, lower-case hex; any change to the archive is caught."
    )
    collected_as: PlainText | None = Field(default=None, description="The file's name in the collection it came from.")
    dated_by: PlainText | None = Field(
        default=None,
        description="What `published` dates when it is not the article's own date, or how it is read: 'the press "
        "conference; the report's own date is not given', 'the month read from the text'. Shown beside the date.",
    )
    reviews_year: Annotated[int, Field(ge=1900, le=2100)] | None = Field(
        default=None,
        description=(
            "The year the article reviews when its text does not say (a work report of early 2024 reviews 2023); "
            "cite drafts it as the period of figures the quote does not date. Say why in notes."
        ),
    )
    notes: Markdown = Field(
        default="", description="Notes for readers in Markdown: what the article is, translation quirks."
    )
    rearchived: list[Rearchive] = Field(
        default_factory=list,
        description="Each time the archived text was replaced, with the sha256 it replaced (archives are append-only).",
    )
    omitted: list[Omission] = Field(
        default_factory=list,
        description=(
            "Passages with numbers, or with words of rank that claim nothing (an enumeration's 'First,', a name), "
            "that are deliberately not figures, each with a reason (the coverage record)."
        ),
    )
    claims: list[Claim] = Field(
        default_factory=list,
        description=(
            "Claims of rank or precedence ('the only', 'the first', 'leads') without a number, shown on the "
            "source page; with `omitted`, the coverage record of such words."
        ),
    )
    accept: list[Acceptance] = Field(default_factory=list, description=ACCEPT_DESCRIPTION)

    @property
    def cited_title(self) -> str:
        """The title as a citation gives it: a descriptive title in square brackets."""
        return f"[{self.title}]" if self.title_descriptive else self.title

    @property
    def quoted_title(self) -> str:
        """The title in a full citation: a headline in quotation marks, a descriptive title in brackets."""
        return self.cited_title if self.title_descriptive else f"“{self.title}”"


class Indicator(StrictModel):
    """What is measured, defined once and shared by the figures of every source."""

    id: Slug = Field(description="The indicator's slug.")
    label: PlainText = Field(description="A short name for readers, e.g. 'Housing, share of spending'.")
    unit: UnitName = Field(description="The unit of every figure of this indicator.")
    kind: Kind = Field(
        description="level (a stock at a time), flow (an amount over the period), growth (year-on-year), "
        "share (of a total), target (a plan or projection), rank."
    )
    topic: Slug = Field(description="The topic it is grouped under on year pages, e.g. digital-economy.")
    description: Markdown = Field(description="Definition and caveats, in Markdown.")
    counts: PlainText | None = Field(
        default=None,
        description=(
            "For unit count: what is counted (stations, enterprises, people...). Counts share a chart's axis only "
            "when they count the same thing; a count without it is charted alone."
        ),
    )
    measures: PlainText | None = Field(
        default=None,
        description=(
            "For amounts of money (a currency unit): what the amount is (value added, operating revenue, "
            "investment...); for shares (kind share): what they are a share of (GDP, the national total...). "
            "Amounts, and shares, share a chart's axis only when they measure the same thing; one without it is "
            "charted alone."
        ),
    )


class Figure(StrictModel):
    """One number that one source states for one period."""

    id: Slug = Field(description="The figure's slug; the anchor of the figure on every page.")
    indicator: Slug = Field(description="The id of the indicator it measures.")
    value: Annotated[int | float, BeforeValidator(_finite_number)] = Field(
        description=("The number in base units with its sign: 'fell by 3.2%' is -3.2; '1.6 trillion' is 1600000000000.")
    )
    unit: UnitName = Field(description="The unit; must equal the indicator's.")
    qualifier: Qualifier = Field(
        description="exact; at-least ('more than', 'over'); at-most ('nearly', 'almost'); approximately ('about')."
    )
    period: Annotated[str, BeforeValidator(_period_text), AfterValidator(_valid_period)] = Field(
        description=f"The period the figure measures, one of {PERIOD_SYNTAX}; its year decides the page."
    )
    scope: Slug = Field(
        description="The place the figure speaks of: the site profile's place id, unless the article speaks of one "
        "of the profile's other scopes (a country, the world)."
    )
    source: Slug = Field(description="The id of the source that states it.")
    quote: Annotated[str, StringConstraints(min_length=3, max_length=2000)] = Field(
        description="The source's words that state the number, verbatim from the archived text."
    )
    note: Annotated[Markdown | None, AfterValidator(not_blank)] = Field(
        default=None, description="A note for readers, in Markdown."
    )
    headline: bool = Field(default=False, description="Show the figure among its year's headline numbers.")
    corrections: list[Correction] = Field(
        default_factory=list,
        description="Each change of a published value, qualifier, period or quote, oldest first: shown under "
        "the figure and on the corrections page and feed.",
    )
    period_inferred: bool = Field(
        default=False,
        description=(
            "The article does not state the period in so many words; it is read from the context. "
            "Pages label it '(probably)'; the note must say why."
        ),
    )
    comparability: Annotated[Markdown | None, AfterValidator(not_blank)] = Field(
        default=None,
        description="In Markdown: how this figure's source or definition differs from the indicator's other figures; "
        "drawn on comparison charts.",
    )
    doubt: Annotated[Markdown | None, AfterValidator(not_blank)] = Field(
        default=None,
        description="In Markdown: why the site doubts the number or what it measures (a likely misprint, a share "
        "of a total the article does not name, a growth rate whose basis it does not give, an ambiguous sentence). "
        "A doubtful figure is shown with this reason, marked 'doubtful', and never drawn on a chart, chosen as a "
        "headline or used in a change.",
    )
    cites: PlainText | None = Field(
        default=None,
        description="When the article relays another's number: whom it credits, in the quote's own words ('the "
        "2019 report of the statistics bureau'). Every source line of the figure adds 'citing …'.",
    )
    accept: list[Acceptance] = Field(default_factory=list, description=ACCEPT_DESCRIPTION)

    @model_validator(mode="after")
    def _doubtful_is_no_headline(self) -> Figure:
        if self.headline and self.doubt:
            raise ValueError("a number the site doubts ('doubt') cannot be a headline figure")
        return self

    @model_validator(mode="after")
    def _cites_the_quote_own_words(self) -> Figure:
        if self.cites and " ".join(self.cites.split()).casefold() not in " ".join(self.quote.split()).casefold():
            raise ValueError(f"'cites' must be the quote's own words; the quote does not say {self.cites!r}")
        return self

    @property
    def period_info(self) -> Period:
        return parse_period(self.period)

    @property
    def year(self) -> int:
        return self.period_info.year


class DataFile(StrictModel):
    """One YAML file under data/: a source, indicators, figures, or any mix of them."""

    source: Source | None = Field(default=None, description="An archived article's metadata.")
    indicators: list[Indicator] = Field(default_factory=list, description="Indicators defined in this file.")
    figures: list[Figure] = Field(default_factory=list, description="Figures curated in this file.")


class Dataset(BaseModel):
    """Everything in data/, with the file each item came from."""

    model_config = ConfigDict(frozen=True)

    site: SiteProfile = Field(description="The site profile, data/site.yaml.")
    sources: dict[str, Source] = Field(description="Sources by id.")
    indicators: dict[str, Indicator] = Field(description="Indicators by id.")
    figures: dict[str, Figure] = Field(description="Figures by id, in the order of the files.")
