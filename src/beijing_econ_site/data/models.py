"""Models: what a valid source, indicator and figure are. pydantic checks each data file."""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from beijing_econ_site.data.periods import PERIOD_SYNTAX, Period, parse_period, parse_published

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
MAX_ABS_VALUE = 1e16

Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, max_length=80),
    Field(description="A slug: lower-case ASCII letters, digits and hyphens; it becomes part of a URL."),
]


def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("must have some text, not only spaces")  # a blank note would silence conflicting-values
    return value


PLACEHOLDER = "FILL IN"  # what add-source writes into a new source's stub


def _filled_in(value: str) -> str:
    if PLACEHOLDER in value:
        raise ValueError(f"still holds the '{PLACEHOLDER}' placeholder from add-source: write the real text")
    return value


PlainText = Annotated[
    str, StringConstraints(min_length=1, max_length=500), AfterValidator(_not_blank), AfterValidator(_filled_in)
]
Markdown = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_filled_in)]


class Unit(StrEnum):
    CNY = "CNY"
    USD = "USD"
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


class Scope(StrEnum):
    BEIJING = "beijing"
    CHINA = "china"
    WORLD = "world"


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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Omission(_Model):
    """A numeric passage of a source deliberately not curated, and why."""

    quote: Annotated[str, StringConstraints(min_length=1, max_length=2000)] = Field(
        description="Verbatim text from the archived article; covers every occurrence of it."
    )
    reason: PlainText = Field(description="Why the numbers in the quote are not figures (a date, a name, an age...).")


class Rearchive(_Model):
    """A replacement of an archived text: archives are append-only, so each change is recorded."""

    date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] = Field(
        description="When the text was archived again, YYYY-MM-DD (quote it in YAML)."
    )
    reason: PlainText = Field(description="Why: a fuller copy of the article was collected, a transcription fixed...")
    previous_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] = Field(
        description="The sha256 of the text this one replaces, as the published site's data/archives.json lists it."
    )


class Correction(_Model):
    """A published figure's value, qualifier, period or quote changed: readers see what and why."""

    date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] = Field(
        description="When the correction was published, YYYY-MM-DD (quote it in YAML)."
    )
    what: PlainText = Field(description="What changed, as readers saw it: 'value 40.5% -> 40.4%'.")
    why: Markdown = Field(description="Why, in Markdown: 'the quote says 40.4%; 40.5 was a typing slip'.")


class Source(_Model):
    """One archived article."""

    id: Slug = Field(description="The source's slug; its page is /sources/<id>/.")
    title: PlainText = Field(description="The article's headline, or a descriptive title where it has none.")
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
            "Passages with numbers that are deliberately not figures, each with a reason (the coverage record)."
        ),
    )


class Indicator(_Model):
    """What is measured, defined once and shared by the figures of every source."""

    id: Slug = Field(description="The indicator's slug.")
    label: PlainText = Field(description="A short name for readers, e.g. 'Digital economy, share of GDP'.")
    unit: Unit = Field(description="The unit of every figure of this indicator.")
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
            "For amounts of money (CNY, USD): what the amount is (value added, operating revenue, investment...). "
            "Amounts share a chart's axis only when they measure the same thing; an amount without it is charted alone."
        ),
    )


class Figure(_Model):
    """One number that one source states for one period."""

    id: Slug = Field(description="The figure's slug; the anchor of the figure on every page.")
    indicator: Slug = Field(description="The id of the indicator it measures.")
    value: Annotated[int | float, BeforeValidator(_finite_number)] = Field(
        description=(
            "The number in base units with its sign: 'fell by 3.2%' is -3.2; '1.6 trillion yuan' is 1600000000000."
        )
    )
    unit: Unit = Field(description="The unit; must equal the indicator's.")
    qualifier: Qualifier = Field(
        description="exact; at-least ('more than', 'over'); at-most ('nearly', 'almost'); approximately ('about')."
    )
    period: Annotated[str, BeforeValidator(_period_text), AfterValidator(_valid_period)] = Field(
        description=f"The period the figure measures, one of {PERIOD_SYNTAX}; its year decides the page."
    )
    scope: Scope = Field(description="beijing, unless the article speaks of china or the world.")
    source: Slug = Field(description="The id of the source that states it.")
    quote: Annotated[str, StringConstraints(min_length=3, max_length=2000)] = Field(
        description="The source's words that state the number, verbatim from the archived text."
    )
    note: Annotated[Markdown | None, AfterValidator(_not_blank)] = Field(
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
    comparability: Annotated[Markdown | None, AfterValidator(_not_blank)] = Field(
        default=None,
        description="In Markdown: how this figure's source or definition differs from the indicator's other figures; "
        "drawn on comparison charts.",
    )

    @property
    def period_info(self) -> Period:
        return parse_period(self.period)

    @property
    def year(self) -> int:
        return self.period_info.year


class DataFile(_Model):
    """One YAML file under data/: a source, indicators, figures, or any mix of them."""

    source: Source | None = Field(default=None, description="An archived article's metadata.")
    indicators: list[Indicator] = Field(default_factory=list, description="Indicators defined in this file.")
    figures: list[Figure] = Field(default_factory=list, description="Figures curated in this file.")


class Dataset(BaseModel):
    """Everything in data/, with the file each item came from."""

    model_config = ConfigDict(frozen=True)

    sources: dict[str, Source] = Field(description="Sources by id.")
    indicators: dict[str, Indicator] = Field(description="Indicators by id.")
    figures: dict[str, Figure] = Field(description="Figures by id, in the order of the files.")
