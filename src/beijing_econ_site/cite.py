"""cite: turn a quote from an archived article into a figure block ready to paste into YAML.

The editor gives a source id and the words; the tool finds them in the archive (or shows the
nearest passage), reads every number in them with its unit, scale, sign and qualifier, and
prints one figure block per number. The indicator, id and period are left for the editor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from beijing_econ_site.checks.citations import nearest_passage
from beijing_econ_site.data.archive import normalize
from beijing_econ_site.data.numbers import Mention
from beijing_econ_site.data.readings import read_span

WORDING_QUALIFIERS = {"at-least": "at-least", "at-most": "at-most", "approximately": "approximately", None: "exact"}


@dataclass(frozen=True)
class Reading:
    """One number as the quote states it, in the terms of a figure."""

    mention: Mention
    value: int | float
    unit: str
    qualifier: str
    wording: str


class QuoteNotFound(Exception):
    def __init__(self, nearest: str | None):
        super().__init__("quote not found")
        self.nearest = nearest


def read_quote(quote: str, archive_text: str) -> list[Reading]:
    """Every number in a quote that occurs in the (normalised) archive text, read whole from the
    archive as the checker reads it: its sign, its qualifier before or after it."""
    wanted = normalize(quote)
    position = archive_text.find(wanted)
    if position < 0 or not wanted:
        raise QuoteNotFound(nearest_passage(wanted, archive_text))
    readings = []
    for found in read_span(archive_text, position, position + len(wanted)):
        mention = found.mention
        value = _plain_number(-mention.value if found.negative else mention.value, mention)
        wording = " ".join(w for w in (found.negative, found.qualifier_wording) if w)
        readings.append(Reading(mention, value, _unit_of(mention), WORDING_QUALIFIERS[found.qualifier], wording))
    return readings


def _plain_number(value: Decimal, mention: Mention) -> int | float:
    if mention.form == "fraction":
        return float(round(value, 1))
    return int(value) if value == value.to_integral() else float(value)


def _unit_of(mention: Mention) -> str:
    if mention.form == "fraction" or mention.percent:
        return "percent"
    if mention.form == "ordinal":
        return "rank"
    if mention.form == "multiple":
        return "times"
    return mention.currency or "count"


def figure_block(reading: Reading, source_id: str, quote: str) -> str:
    """A YAML list item for data/figures/<source>.yaml; JSON strings are valid YAML scalars."""
    lines = [
        f"  # '{reading.mention.text}'" + (f" (the quote says '{reading.wording}')" if reading.wording else ""),
        "  - id: INDICATOR-PERIOD          # e.g. digital-share-gdp-2021",
        "    indicator: CHOOSE-AN-INDICATOR # see data/indicators/",
        f"    value: {reading.value}",
        f"    unit: {reading.unit}",
        f"    qualifier: {reading.qualifier}",
        "    period: YEAR                   # 2021, 2021-H1, 2021-01..2021-02 or 2022-11-11",
        "    scope: beijing",
        f"    source: {source_id}",
        f"    quote: {json.dumps(normalize(quote), ensure_ascii=False)}",
    ]
    return "\n".join(lines)
