"""Export: the dataset as figures.json, figures.csv and a Frictionless datapackage.json."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from beijing_econ_site.data.formatting import count_of, year_span
from beijing_econ_site.data.models import Dataset, Figure, Unit
from beijing_econ_site.data.numbers import currency_words, stating_mentions
from beijing_econ_site.data.readings import read_span
from beijing_econ_site.facts import fact_id, period_is_read
from beijing_econ_site.memo import lasting
from beijing_econ_site.site.markdown import is_plain_paragraphs
from beijing_econ_site.site.spreadsheet import safe_cell

EXPORT_COLUMNS = [
    "id",
    "indicator",
    "label",
    "value",
    "unit",
    "qualifier",
    "stated",
    "period",
    "period_inferred",
    "year",
    "scope",
    "source",
    "source_title",
    "published",
    "dated_by",
    "quote",
    "cites",
    "note",
    "comparability",
    "doubt",
    "fact",
    "corrections",
]
_FIELD_TYPES = {"value": "number", "year": "integer", "corrections": "integer", "period_inferred": "boolean"}
_FIELD_DESCRIPTIONS = {
    "id": "Figure id; the figure's anchor on the site.",
    "indicator": "Indicator id.",
    "label": "Indicator label.",
    "value": "Value in base units, with its sign.",
    "unit": "Unit: " + ", ".join(unit for unit in Unit) + ", or a currency's code.",
    "qualifier": "exact (stated without a qualifier; not a claim of precision), at-least ('more than', 'over'), "
    "at-most ('nearly', 'almost') or approximately ('about').",
    "stated": "The number as the quote words it, with the words that qualify or stress it ('one-third', "
    "'nearly half', 'exceeds 50%', 'as many as'); where only words state the number, `value` holds the site's "
    "digits for them (33.3 for 'one third').",
    "period": "Period measured (YYYY, YYYY-H1, YYYY-Q1, YYYY-MM, YYYY-MM..YYYY-MM, or YYYY-MM-DD as of a date).",
    "period_inferred": "true when the article does not state the period and the site reads it from the context "
    "(a figure's note, or its source's notes, says why); the site labels such a period 'probably'.",
    "year": "The year the period belongs to.",
    "scope": "The place the figure is about: ",  # the profile's places follow
    "source": "Source id.",
    "source_title": "Title of the source article; in square brackets, the site's description of an article "
    "that has no headline.",
    "published": "Publication date of the source (YYYY-MM-DD or YYYY-MM); `dated_by` says when it is not.",
    "dated_by": "What `published` dates when it is not the article's own date, or how the date was read (a "
    "press conference's day, a month read from the text); empty when it is the article's date.",
    "quote": "The source's verbatim words stating the value.",
    "cites": "Whom the article credits for the number, in the quote's words, when it relays another's "
    "number (a report, an office); empty when it does not.",
    "note": "Note for readers (Markdown), may be empty.",
    "comparability": "How this figure's source differs from the indicator's other figures, and why its "
    "measure may differ (Markdown); empty when the site knows of no such difference. Such a figure may not be "
    "comparable with the indicator's other figures.",
    "doubt": "Why the site doubts the number or what it measures (Markdown); empty when it does not. A "
    "doubtful figure is never drawn on a chart.",
    "fact": "The fact the figure states (indicator--period--scope): figures of one fact with equal values confirm it.",
    "corrections": "How many corrections the figure has had (listed on the site's corrections page).",
}


def field_descriptions(dataset: Dataset) -> dict[str, str]:
    """The columns' descriptions, the site's places and currencies named as its profile declares them."""
    profile = dataset.site
    places = ", ".join(f"{p.id} ({p.label})" for p in (profile.place, *profile.scopes))
    currencies = ", ".join(f"{c.code} ({c.name})" for c in profile.currencies)
    return {
        **_FIELD_DESCRIPTIONS,
        "unit": _FIELD_DESCRIPTIONS["unit"].removesuffix(", or a currency's code.")
        + (f", or a currency: {currencies}." if currencies else "."),
        "scope": _FIELD_DESCRIPTIONS["scope"] + places + ".",
    }


def years_covered(dataset: Dataset) -> str:
    """The years the home place's figures measure (the site's year pages): '1998–2003', or one year."""
    return year_span(sorted({f.year for f in dataset.figures.values() if dataset.site.is_home(f.scope)}))


def _in_years_covered(dataset: Dataset) -> int:
    """How many figures measure a year within the home place's span (a world figure of 1970 does not)."""
    home = [f.year for f in dataset.figures.values() if dataset.site.is_home(f.scope)]
    if not home:
        return 0
    first, last = min(home), max(home)
    return sum(1 for f in dataset.figures.values() if first <= f.year <= last)


def dataset_title(dataset: Dataset) -> str:
    """'Lyon’s housing, 1998–2003: 40 figures from 3 articles, each with its source quote'."""
    years = years_covered(dataset)
    counts = f"{count_of(len(dataset.figures), 'figure')} from {count_of(len(dataset.sources), 'article')}"
    inside = _in_years_covered(dataset)
    if years and inside != len(dataset.figures):
        counts += f" ({inside} of them for {years})"
        years = ""
    return f"{dataset.site.subject}{', ' + years if years else ''}: {counts}, each with its source quote"


def dataset_summary(dataset: Dataset) -> str:
    """What the dataset holds, computed from it: counts, and the years of the figures and articles."""
    published = sorted(s.published[:4] for s in dataset.sources.values())
    articles = count_of(len(dataset.sources), "archived article")
    if published:
        articles += f" (published {year_span(published)})"
    years = years_covered(dataset)
    inside = _in_years_covered(dataset)
    measured = ""
    if years:
        measured = f", measuring {years}" if inside == len(dataset.figures) else f", {inside} of them measuring {years}"
    return (
        f"{count_of(len(dataset.figures), 'figure')} from {articles}{measured}, hand-curated, "
        "each with the verbatim quote that states it and a machine-checked citation."
    )


def figure_rows(dataset: Dataset) -> list[dict[str, Any]]:
    """One row per figure, ordered by year, indicator and period so the files diff well."""
    rows = [_row(figure, dataset) for figure in dataset.figures.values()]
    rows.sort(key=lambda row: (row["year"], row["indicator"], row["period"], row["id"]))
    return rows


def _row(figure: Figure, dataset: Dataset) -> dict[str, Any]:
    source = dataset.sources[figure.source]
    indicator = dataset.indicators[figure.indicator]
    return {
        "id": figure.id,
        "indicator": figure.indicator,
        "label": indicator.label,
        "value": figure.value,
        "unit": figure.unit,
        "qualifier": figure.qualifier.value,
        "stated": stated_words(figure),
        "period": figure.period,
        "period_inferred": period_is_read(figure, source),
        "year": figure.year,
        "scope": figure.scope,
        "source": figure.source,
        "source_title": source.cited_title,
        "published": source.published,
        "dated_by": source.dated_by or "",
        "quote": figure.quote,
        "cites": figure.cites or "",
        "note": unwrapped(figure.note),
        "comparability": unwrapped(figure.comparability),
        "doubt": unwrapped(figure.doubt),
        "fact": fact_id(figure),
        "corrections": len(figure.corrections),
    }


def unwrapped(markdown: str | None) -> str:
    """Markdown with each paragraph on one line: a line break inside a paragraph is the editor's
    wrapping of the YAML, not the text's. A paragraph holding a list, a quote, a heading, code or
    a table is kept as written."""
    if not markdown:
        return ""
    paragraphs = re.split(r"\n[ \t]*\n", markdown.strip())
    return "\n\n".join(" ".join(p.split()) if is_plain_paragraphs(p) else p for p in paragraphs)


def stated_words(figure: Figure) -> str:
    """The words of the quote that state the figure's value, with the words that qualify it:
    'one-third', 'nearly half', 'exceeds 50%', '83% or more'."""
    return _stated_words(figure.value, figure.unit, figure.quote, repr(currency_words()))


@lasting  # every build exports every figure; a rebuild changes few
def _stated_words(value: int | float, unit: str, quote: str, currencies: str) -> str:
    """currencies: the profile's currency words, which shape what a number is (part of the key)."""
    found = stating_mentions(abs(value), unit, quote)
    if not found:
        return ""
    reading = next((r for r in read_span(quote, 0, len(quote)) if r.mention == found[0]), None)
    if reading is None:
        return found[0].text
    if not reading.qualifier_wording:  # 'as many as 129' says 129, stressed
        return f"{reading.emphasis} {found[0].text}" if reading.emphasis else found[0].text
    if reading.qualifier_after:
        return f"{found[0].text} {reading.qualifier_wording}"
    return f"{reading.qualifier_wording} {found[0].text}"


def figures_json(rows: list[dict[str, Any]]) -> bytes:
    return (json.dumps(rows, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def figures_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _csv_cell(value) for key, value in row.items()})
    return buffer.getvalue().encode("utf-8")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return safe_cell(value)


def datapackage(dataset: Dataset) -> bytes:
    descriptions = field_descriptions(dataset)
    info = dataset.site.dataset
    sources = [
        {"title": f"{s.publisher}: {s.cited_title} ({s.published})", **({"path": s.url} if s.url else {})}
        for s in sorted(dataset.sources.values(), key=lambda s: (s.published, s.id))
    ]
    fields = [
        {"name": name, "type": _FIELD_TYPES.get(name, "string"), "description": descriptions[name]}
        for name in EXPORT_COLUMNS
    ]
    package = {
        "name": info.name,
        "title": dataset_title(dataset),
        "description": f"{dataset.site.description} {dataset_summary(dataset)}",
        "keywords": list(info.keywords),
        "licenses": [{"name": info.licence.id, "path": info.licence.url}],
        "sources": sources,
        "resources": [
            {
                "name": "figures",
                "path": "figures.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": fields, "primaryKey": ["id"]},
            }
        ],
    }
    return (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


EncodedRows = dict[str, tuple[str, str]]  # repr of a row -> its JSON and CSV text


def export_files(
    dataset: Dataset, previous: EncodedRows | None = None, encoded: EncodedRows | None = None
) -> dict[str, bytes]:
    """The data/ folder of the site: path -> content. previous holds the rows an earlier build
    encoded, and encoded receives this build's, so a rebuild encodes only the rows that changed."""
    rows = figure_rows(dataset)
    if encoded is None:
        json_text, csv_text = figures_json(rows), figures_csv(rows)
    else:
        json_text, csv_text = _joined(rows, previous or {}, encoded)
    return {
        "data/figures.json": json_text,
        "data/figures.csv": csv_text,
        "data/datapackage.json": datapackage(dataset),
    }


def _joined(rows: list[dict[str, Any]], previous: EncodedRows, encoded: EncodedRows) -> tuple[bytes, bytes]:
    """figures.json and figures.csv, byte for byte as figures_json and figures_csv write them,
    from each row's own text."""
    json_rows, csv_rows = [], []
    for row in rows:
        key = repr(sorted(row.items()))
        found = previous.get(key)
        if found is None:
            one_json = "  " + json.dumps(row, indent=2, ensure_ascii=False).replace("\n", "\n  ")
            found = (one_json, figures_csv([row]).decode("utf-8").split("\n", 1)[1])
        encoded[key] = found
        json_rows.append(found[0])
        csv_rows.append(found[1])
    json_text = "[\n" + ",\n".join(json_rows) + "\n]\n" if rows else "[]\n"
    header = figures_csv([]).decode("utf-8")
    return json_text.encode("utf-8"), (header + "".join(csv_rows)).encode("utf-8")
