"""Synthetic datasets for the benchmark: many sources, indicators and figures that pass `check`.

Every figure's quote is a sentence of its source's archived text that states the figure's
value with its qualifier ("In 2005, Beijing's urban retail output value topped 43.1 billion
yuan."), so the checker does its real work: quote in source, value in quote, sign, qualifier
and coverage. A text has no digits outside its figures' quotes, so coverage finds every
number curated.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

FIRST_YEAR, YEARS = 1994, 30
MAX_INDICATORS = 2000
FIGURES_PER_INDICATOR = 8  # below MAX_INDICATORS, so that every indicator is a series of several years
SOURCE_SIZE = (40, 100)  # figures per archived article
SENTENCES_PER_PARAGRAPH = 6
SCHEMA_LINE = "# yaml-language-server: $schema=../../schema/data-file.schema.json\n"

TOPICS = [
    "economy",
    "digital-economy",
    "industry",
    "services-trade",
    "innovation",
    "consumption",
    "finance",
    "infrastructure",
]
PROFILE = (
    "id: synthetic-site\n"
    "title: A synthetic economy in figures\n"
    "subject: The synthetic economy\n"
    "description: Generated figures for the benchmark and the tests of big sites.\n"
    "language: en\n"
    "place: {id: beijing, label: Beijing}\n"
    "scopes: [{id: china, label: China}]\n"
    "topics:\n"
    + "".join(f"  - {{id: {t}, label: {t.replace('-', ' ').capitalize()}}}\n" for t in TOPICS)
    + "currencies: [{code: CNY, name: yuan, after: [yuan]}]\n"
    "dataset: {name: synthetic-figures, licence: {id: CC0-1.0, url: 'https://creativecommons.org/publicdomain/zero/1.0/'}}\n"
)
# Words free of number words ("one", "first", "half") and of qualifier wording ("over", "about").
ADJECTIVES = [
    "urban",
    "rural",
    "coastal",
    "northern",
    "southern",
    "eastern",
    "western",
    "central",
    "municipal",
    "regional",
    "suburban",
    "industrial",
    "commercial",
    "digital",
    "private",
    "public",
    "foreign",
    "domestic",
    "green",
    "advanced",
    "modern",
    "creative",
    "cultural",
    "medical",
    "logistics",
]
NOUNS = [
    "retail",
    "software",
    "tourism",
    "construction",
    "transport",
    "banking",
    "insurance",
    "publishing",
    "farming",
    "energy",
    "robotics",
    "pharmacy",
    "education",
    "housing",
    "catering",
    "aviation",
    "telecom",
    "fashion",
    "media",
    "chemicals",
]
# kind -> (unit, the label's last words, the same in the article's sentence)
KINDS = {
    "level": ("count", "enterprises", "enterprises"),
    "flow": ("CNY", "output value", "output value"),
    "share": ("percent", "share of the city total", "share of the city total"),
    "growth": ("percent", "output growth", "output"),
}
QUALIFIERS = ["exact"] * 7 + ["at-least", "approximately", "at-most"]
# (kind, qualifier) -> the verb phrase before the number; growth's negative exact uses FALLING.
VERBS = {
    ("level", "exact"): "stood at",
    ("level", "at-least"): "exceeded",
    ("level", "approximately"): "was about",
    ("level", "at-most"): "was nearly",
    ("flow", "exact"): "reached",
    ("flow", "at-least"): "topped",
    ("flow", "approximately"): "totalled about",
    ("flow", "at-most"): "came to nearly",
    ("share", "exact"): "was",
    ("share", "at-least"): "was more than",
    ("share", "approximately"): "was about",
    ("share", "at-most"): "was nearly",
    ("growth", "exact"): "grew by",
    ("growth", "at-least"): "grew by more than",
    ("growth", "approximately"): "grew by about",
    ("growth", "at-most"): "grew by nearly",
}
FALLING = "fell by"
FILLERS = [
    "Officials said the trend reflected steady demand across the city.",
    "Analysts expect the pace to hold in the coming months.",
    "The municipal statistics bureau released the figures at a press briefing.",
    "Several districts reported similar patterns.",
]


@dataclass(frozen=True)
class Indicator:
    id: str
    stem: str  # 'urban retail'
    kind: str
    topic: str
    scope: str  # beijing | china

    @property
    def unit(self) -> str:
        return KINDS[self.kind][0]

    @property
    def label(self) -> str:
        return f"{self.stem.capitalize()} {KINDS[self.kind][1]}"

    @property
    def subject(self) -> str:
        """What the article's sentence is about: "Beijing's urban retail output"."""
        owner = "Beijing's" if self.scope == "beijing" else "China's"
        return f"{owner} {self.stem} {KINDS[self.kind][2]}"


@dataclass
class Figure:
    id: str
    indicator: Indicator
    period: str
    qualifier: str
    value: int | float

    @property
    def year(self) -> int:
        return int(self.period[:4])

    @property
    def quote(self) -> str:
        """The sentence of the article that states this figure."""
        when = self.period if len(self.period) == 4 else f"{self.period[5:]} {self.period[:4]}"
        verb = VERBS[(self.indicator.kind, self.qualifier)] if self.value >= 0 else FALLING
        return f"In {when}, {self.indicator.subject} {verb} {stated(self.indicator.kind, self.value)}."


@dataclass
class Source:
    id: str
    published: str
    figures: list[Figure]
    rearchived: list[str] = field(default_factory=list)  # the sha256 of each text this one replaced

    @property
    def text(self) -> str:
        """The archived article: a digit-free opening, then the figures' sentences in paragraphs."""
        paragraphs = ["Synthetic Economic Daily reports on the economy of Beijing."]
        for start in range(0, len(self.figures), SENTENCES_PER_PARAGRAPH):
            chunk = self.figures[start : start + SENTENCES_PER_PARAGRAPH]
            filler = FILLERS[(start // SENTENCES_PER_PARAGRAPH) % len(FILLERS)]
            paragraphs.append(" ".join([f.quote for f in chunk] + [filler]))
        return "\n\n".join(paragraphs) + "\n"


@dataclass
class Dataset:
    indicators: list[Indicator]
    sources: list[Source]

    @property
    def figure_count(self) -> int:
        return sum(len(s.figures) for s in self.sources)


def stated(kind: str, value: int | float) -> str:
    """How the article writes the value: '12,345', '43.1 billion yuan', '40.4%'."""
    if kind == "level":
        return f"{value:,}"
    if kind == "flow":
        return f"{value / 1e9:,.1f} billion yuan"
    return f"{abs(value)}%"


def random_value(kind: str, qualifier: str, rng: random.Random) -> int | float:
    """A value of the kind; only exact growth rates may be negative ('fell by 3.2%')."""
    if kind == "level":
        return rng.randint(100, 9_999_999)
    if kind == "flow":
        return rng.randint(10, 99_999) * 10**8  # tenths of a billion yuan
    if kind == "share":
        return rng.randint(1, 999) / 10
    magnitude = rng.randint(1, 300) / 10
    return -magnitude if qualifier == "exact" and rng.random() < 0.2 else magnitude


def make_indicators(count: int) -> list[Indicator]:
    """Indicators with distinct digit-free labels, spread over topics and kinds; every tenth is about China."""
    kinds = list(KINDS)
    indicators = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        combo = index // len(kinds)
        stem = f"{ADJECTIVES[combo % len(ADJECTIVES)]} {NOUNS[combo // len(ADJECTIVES) % len(NOUNS)]}"
        topic = TOPICS[combo % len(TOPICS)]  # each topic gets all four kinds
        scope = "china" if index % 10 == 9 else "beijing"
        indicators.append(Indicator(f"syn-{index:04d}", stem, kind, topic, scope))
    return indicators


def periods_for(count: int, rng: random.Random) -> list[str]:
    """count distinct periods: whole years first (in random order), then first halves."""
    years = [str(FIRST_YEAR + offset) for offset in range(YEARS)]
    rng.shuffle(years)
    halves = [f"{year}-H1" for year in years]
    candidates = years + halves
    if count > len(candidates):
        raise ValueError(f"an indicator can have at most {len(candidates)} figures")
    return sorted(candidates[:count])


def make_figures(indicators: list[Indicator], total: int, rng: random.Random) -> list[Figure]:
    """total figures, shared out evenly over the indicators, one per indicator and period."""
    figures = []
    for index, indicator in enumerate(indicators):
        count = total // len(indicators) + (1 if index < total % len(indicators) else 0)
        for period in periods_for(count, rng):
            qualifier = rng.choice(QUALIFIERS)
            value = random_value(indicator.kind, qualifier, rng)
            figures.append(Figure(f"{indicator.id}-{period.lower()}", indicator, period, qualifier, value))
    return figures


def make_sources(figures: list[Figure], rng: random.Random) -> list[Source]:
    """Articles of 40 to 100 figures each, covering neighbouring periods, published the year after."""
    ordered = sorted(figures, key=lambda f: (f.period, f.indicator.topic, f.id))
    sources: list[Source] = []
    start = 0
    while start < len(ordered):
        size = rng.randint(*SOURCE_SIZE)
        chunk = ordered[start : start + size]
        index = len(sources)
        published = f"{chunk[-1].year + 1}-{index % 12 + 1:02d}-{index % 28 + 1:02d}"
        sources.append(Source(f"synthetic-news-{index:05d}", published, chunk))
        start += size
    return sources


def make_dataset(figure_count: int, seed: int = 2024) -> Dataset:
    """About figure_count figures (exactly that many) over 30 years and up to 2,000 indicators."""
    rng = random.Random(seed)
    indicator_count = max(len(KINDS), min(MAX_INDICATORS, figure_count // FIGURES_PER_INDICATOR))
    indicators = make_indicators(indicator_count)
    return Dataset(indicators, make_sources(make_figures(indicators, figure_count, rng), rng))


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def indicators_yaml(indicators: list[Indicator]) -> str:
    lines = [SCHEMA_LINE, "indicators:\n"]
    for i in indicators:
        lines += [
            f"  - id: {i.id}\n",
            f"    label: {yaml_string(i.label)}\n",
            f"    unit: {i.unit}\n",
            f"    kind: {i.kind}\n",
            f"    topic: {i.topic}\n",
            *(["    measures: the city total\n"] if i.kind == "share" else []),  # shares of one total share an axis
            "    description: A synthetic indicator for the benchmark.\n",
        ]
    return "".join(lines)


def figures_yaml(source: Source) -> str:
    lines = [SCHEMA_LINE, "figures:\n"]
    for f in source.figures:
        lines += [
            f"  - id: {f.id}\n",
            f"    indicator: {f.indicator.id}\n",
            f"    value: {f.value!r}\n",
            f"    unit: {f.indicator.unit}\n",
            f"    qualifier: {f.qualifier}\n",
            f"    period: {yaml_string(f.period)}\n",
            f"    scope: {f.indicator.scope}\n",
            f"    source: {source.id}\n",
            f"    quote: {yaml_string(f.quote)}\n",
        ]
    return "".join(lines)


def source_yaml(source: Source, text: bytes) -> str:
    return (
        f"{SCHEMA_LINE}source:\n"
        f"  id: {source.id}\n"
        f"  title: {yaml_string('Synthetic economic report ' + source.id.removeprefix('synthetic-news-'))}\n"
        "  publisher: Synthetic Economic Daily\n"
        f"  published: {yaml_string(source.published)}\n"
        "  url: null\n"
        "  language: en\n"
        f"  archive: {source.id}.txt\n"
        f"  sha256: {hashlib.sha256(text).hexdigest()}\n"
    ) + "".join(
        ("  rearchived:\n" if index == 0 else "")
        + f'    - date: "2024-01-01"\n      reason: The article was corrected.\n      previous_sha256: {previous}\n'
        for index, previous in enumerate(source.rearchived)
    )


def write_source(source: Source, data_dir: Path) -> None:
    """The archived text, its metadata with the text's sha256, and its figures."""
    text = source.text.encode("utf-8")
    (data_dir / "sources" / f"{source.id}.txt").write_bytes(text)
    (data_dir / "sources" / f"{source.id}.yaml").write_text(source_yaml(source, text), encoding="utf-8")
    (data_dir / "figures" / f"{source.id}.yaml").write_text(figures_yaml(source), encoding="utf-8")


def write_dataset(dataset: Dataset, data_dir: Path) -> None:
    """data_dir/sources/*.txt + *.yaml, data_dir/indicators/<topic>.yaml, data_dir/figures/<source>.yaml."""
    for folder in ("sources", "indicators", "figures"):
        (data_dir / folder).mkdir(parents=True, exist_ok=True)
    (data_dir / "site.yaml").write_text(PROFILE, encoding="utf-8")
    for topic in TOPICS:
        members = [i for i in dataset.indicators if i.topic == topic]
        if members:
            (data_dir / "indicators" / f"{topic}.yaml").write_text(indicators_yaml(members), encoding="utf-8")
    for source in dataset.sources:
        write_source(source, data_dir)


def edit_one_value(dataset: Dataset, data_dir: Path, step: int) -> Figure:
    """Change one figure's value, with its article's sentence, sha256 and a rearchived entry, so
    that check still passes against the site built before.

    step makes each edit different from the last one; the figure is the first exact count.
    """
    for source in dataset.sources:
        for figure in source.figures:
            if figure.indicator.kind == "level" and figure.qualifier == "exact":
                # archives are append-only: the corrected article records the text it replaces
                source.rearchived.append(hashlib.sha256(source.text.encode("utf-8")).hexdigest())
                figure.value = int(figure.value) + step
                write_source(source, data_dir)
                return figure
    raise ValueError("the dataset has no exact count to edit")
