"""The site profile, `data/site.yaml`: what a site is about, so the engine never names it.

The home place whose figures are the site's own, the other scopes a figure may speak of, the
topics in display order, the currencies and the words articles write them with, and the
dataset's metadata. Loaded, validated and reported like every other data file.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from beijing_econ_site.data.fields import PlainText, Slug, StrictModel
from beijing_econ_site.data.numbers import CurrencyWords


def _unique_words(words: list[str]) -> list[str]:
    lowered = [w.casefold() for w in words]
    duplicates = sorted({w for w in lowered if lowered.count(w) > 1})
    if duplicates:
        raise ValueError(f"lists {', '.join(duplicates)} more than once")
    return words


Word = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^\S(?:.*\S)?$")]


class Place(StrictModel):
    """A place a figure may speak of."""

    id: Slug = Field(description="The place's slug, as figures write it in `scope:` (e.g. lyon).")
    label: PlainText = Field(description="Its name for readers (e.g. Lyon).")
    words: Annotated[list[Word], AfterValidator(_unique_words)] = Field(
        default_factory=list,
        description="Phrases that make an article speak of this place rather than the home place "
        "('the country's', 'nationwide'): `cite` drafts a figure's scope from them.",
    )


class Topic(StrictModel):
    """A topic indicators are grouped under on year pages."""

    id: Slug = Field(description="The topic's slug, as indicators write it in `topic:`.")
    label: PlainText = Field(description="Its name for readers, as a section heading.")


class Currency(StrictModel):
    """A currency the articles state amounts in, and the words they write it with."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = Field(
        description="Its ISO 4217 code, as figures and indicators write it in `unit:` (e.g. EUR)."
    )
    name: PlainText = Field(description="How pages write it after an amount: '1.6 trillion {name}' (e.g. euros).")
    symbol: Annotated[str, StringConstraints(min_length=1, max_length=8)] | None = Field(
        default=None,
        description="When set, pages write amounts with it before the number instead: '{symbol}160 billion'.",
    )
    before: Annotated[list[Word], AfterValidator(_unique_words)] = Field(
        default_factory=list,
        description="Marks articles write right before the digits (e.g. '€', 'EUR'); case matters.",
    )
    after: Annotated[list[Word], AfterValidator(_unique_words)] = Field(
        default_factory=list,
        description="Words articles write right after the number (e.g. 'euros', 'EUR'); case does not matter.",
    )


class Licence(StrictModel):
    id: Annotated[str, StringConstraints(min_length=1, max_length=60)] = Field(
        description="Its SPDX identifier, e.g. CC-BY-4.0."
    )
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] = Field(description="Where its text is.")


class DatasetInfo(StrictModel):
    """The downloadable dataset's metadata (Frictionless Data Package and schema.org Dataset)."""

    name: Slug = Field(description="The data package's name: a slug (e.g. lyon-housing-figures).")
    licence: Licence = Field(description="The licence the figures are published under.")
    keywords: list[PlainText] = Field(default_factory=list, description="Keywords for dataset search engines.")


class SiteProfile(StrictModel):
    """What the site is about: the one file that makes an edition of the engine."""

    id: Slug = Field(
        description="The site's own slug: its feed's id, its build stamp and its cache folder name. Keep it once "
        "published (feed readers know the feed by it)."
    )
    title: PlainText = Field(description="The site's name, on every page, card, feed and metadata file.")
    subject: PlainText = Field(
        description="What the site is about, as a heading starts: '{subject} in 2021' (e.g. Lyon’s housing)."
    )
    description: PlainText = Field(
        description="One or two sentences for the home page's description and the dataset's: no numbers or years "
        "(the pages add the counts and years, computed from the data)."
    )
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = Field(
        description="The pages' language, a BCP 47 tag such as en or fr-FR."
    )
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = Field(
        default=None,
        description="The published site's address, for permalinks, the sitemap and cards; SITE_URL overrides it.",
    )
    place: Place = Field(description="The home place: figures whose scope is its id are the site's own.")
    scopes: list[Place] = Field(
        default_factory=list,
        description="The other places a figure may speak of (a country, the world), as context for the home place.",
    )
    context_heading: PlainText | None = Field(
        default=None,
        description="The heading over a year's figures about the other scopes; default: 'Beyond {place label}'.",
    )
    topics: list[Topic] = Field(min_length=1, description="The topics, in the order pages show them.")
    currencies: list[Currency] = Field(default_factory=list, description="The currencies amounts are stated in.")
    dataset: DatasetInfo = Field(description="The downloadable dataset's metadata.")

    @model_validator(mode="after")
    def _ids_unique(self) -> SiteProfile:
        for kind, ids in (
            ("scope", [self.place.id, *(s.id for s in self.scopes)]),
            ("topic", [t.id for t in self.topics]),
            ("currency", [c.code for c in self.currencies]),
        ):
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            if repeated:
                raise ValueError(f"{kind} {', '.join(repeated)} is declared more than once")
        marks = [w for c in self.currencies for w in {m.casefold() for m in (*c.before, *c.after)}]
        shared = sorted({w for w in marks if marks.count(w) > 1})
        if shared:
            raise ValueError(f"currency words {', '.join(shared)} belong to more than one currency")
        return self

    @property
    def scope_ids(self) -> list[str]:
        return [self.place.id, *(s.id for s in self.scopes)]

    def scope_label(self, scope: str) -> str:
        return next((s.label for s in (self.place, *self.scopes) if s.id == scope), scope)

    def is_home(self, scope: str) -> bool:
        """A figure about the home place: the site's own, not context."""
        return scope == self.place.id

    def topic_label(self, topic: str) -> str:
        return next((t.label for t in self.topics if t.id == topic), topic.replace("-", " ").capitalize())

    def topic_rank(self, topic: str) -> tuple[int, str]:
        ids = [t.id for t in self.topics]
        return (ids.index(topic) if topic in ids else len(ids), topic)

    def currency(self, code: str) -> Currency | None:
        return next((c for c in self.currencies if c.code == code), None)

    @property
    def context_title(self) -> str:
        return self.context_heading or f"Beyond {self.place.label}"


def currency_words_of(currencies: list[Currency]) -> CurrencyWords:
    """What the number reader needs of the currencies: each mark and word with its code."""
    return CurrencyWords(
        before=tuple((mark, c.code) for c in currencies for mark in c.before),
        after=tuple((word, c.code) for c in currencies for word in c.after),
        shown=tuple((c.code, c.name, c.symbol) for c in currencies),
    )
