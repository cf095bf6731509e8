"""Numbers for readers: '1.6 trillion euros', '€160 billion', '40.4%', '22,500', 'over 50%'; a currency
is written as the site profile says."""

from __future__ import annotations

from decimal import Decimal

from beijing_econ_site.data.models import Qualifier, Unit, is_currency
from beijing_econ_site.data.numbers import currency_words

SCALE_WORDS = [(Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")]
QUALIFIER_WORDS = {
    Qualifier.EXACT: "",
    Qualifier.AT_LEAST: "over",
    Qualifier.AT_MOST: "nearly",
    Qualifier.APPROXIMATELY: "about",
}
QUALIFIER_SYMBOLS = {Qualifier.EXACT: "", Qualifier.AT_LEAST: ">", Qualifier.AT_MOST: "<", Qualifier.APPROXIMATELY: "~"}
UNIT_NAMES = {
    Unit.PERCENT: "%",
    Unit.PERCENTAGE_POINTS: "percentage points",
    Unit.COUNT: "",
    Unit.KILOMETERS: "kilometres",
    Unit.SQUARE_METERS: "square metres",
    Unit.SQUARE_KILOMETERS: "square kilometres",
    Unit.RANK: "rank",
    Unit.TIMES: "times",
    Unit.YEARS: "years",
}
_AREAS_AND_LENGTHS = (Unit.KILOMETERS, Unit.SQUARE_METERS, Unit.SQUARE_KILOMETERS)
ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def _decimal(value: int | float) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def plain_number(value: int | float | Decimal, max_decimals: int = 3) -> str:
    """Thousands separators, no trailing zeros: 22500 -> '22,500', 43.136 -> '43.136'."""
    number = value if isinstance(value, Decimal) else _decimal(value)
    number = round(number, max_decimals)
    text = f"{number:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def scaled(value: int | float) -> tuple[str, str]:
    """('1.6', 'trillion') for 1.6e12; ('22,500', '') below a million."""
    number = abs(_decimal(value))
    for size, word in SCALE_WORDS:
        if number >= size:
            return plain_number(number / size), word
    return plain_number(number), ""


def year_span(years: list[int] | list[str]) -> str:
    """'1998–2003' from sorted years, '2021' for one, '' for none."""
    if not years:
        return ""
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


def quoted(text: str) -> str:
    """Words in quotation marks: double, or single around words that quote someone in double marks
    themselves, so a quote within a quote is told apart and both stay verbatim."""
    text = text.strip()
    return f"‘{text}’" if any(mark in text for mark in '“”"') else f"“{text}”"


def count_of(number: int, noun: str) -> str:
    """'1 figure', '5 figures', '1,200 figures', '2 archived articles'."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def _points(number: str) -> str:
    return "percentage point" if number == "1" else "percentage points"


def unit_name(unit: str) -> str:
    """The unit as a table's header or an axis names it: 'percentage points', 'euros'."""
    if is_currency(unit):
        return currency_words().name_of(unit)[0]
    return UNIT_NAMES[Unit(unit)]


def format_value(value: int | float, unit: str, *, signed: bool = False) -> str:
    """The value with its unit, as a reader would write it."""
    sign = "−" if value < 0 else ("+" if signed and value > 0 else "")
    number, scale = scaled(value)
    amount = f"{number} {scale}".strip()
    if unit == Unit.PERCENT:
        return f"{sign}{number}%"
    if unit == Unit.PERCENTAGE_POINTS:
        return f"{sign}{number} pp" if signed else f"{sign}{number} {_points(number)}"
    if is_currency(unit):
        name, symbol = currency_words().name_of(unit)
        return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {name}"
    if unit == Unit.RANK:
        whole = int(abs(value))
        suffix = "th" if 10 <= whole % 100 <= 20 else ORDINAL_SUFFIX.get(whole % 10, "th")
        return f"{whole}{suffix}"
    if unit == Unit.TIMES:
        return f"{sign}{number}×"
    if unit == Unit.KILOMETERS:
        return f"{sign}{amount} km"
    if unit == Unit.SQUARE_METERS:
        return f"{sign}{amount} m²"
    if unit == Unit.SQUARE_KILOMETERS:
        return f"{sign}{amount} km²"
    if unit == Unit.YEARS:
        return f"{sign}{number} years"
    return f"{sign}{amount}"


def format_with_qualifier(value: int | float, unit: str, qualifier: Qualifier, *, signed: bool = False) -> str:
    """'over 50%', 'nearly 50%', 'about 20%', '40.4%'; ranks read 'top 20' for at-most."""
    text = format_value(value, unit, signed=signed and qualifier is Qualifier.EXACT)
    if unit == Unit.RANK and qualifier is Qualifier.AT_MOST:
        return f"top {int(value)}"
    word = QUALIFIER_WORDS[qualifier]
    return f"{word} {text}" if word else text


def headline_parts(value: int | float, unit: str, qualifier: Qualifier, *, signed: bool) -> tuple[str, str]:
    """A big number and the small words under it: ('>50%', ''), ('1.6', 'trillion euros')."""
    symbol = QUALIFIER_SYMBOLS[qualifier]
    sign = "−" if value < 0 else ("+" if signed and value > 0 and not symbol else "")
    number, scale = scaled(value)
    if unit == Unit.PERCENT:
        return f"{symbol}{sign}{number}%", ""
    if unit == Unit.PERCENTAGE_POINTS:
        return f"{symbol}{sign}{number}", _points(number)
    if is_currency(unit):
        name, mark = currency_words().name_of(unit)
        return (
            (f"{symbol}{sign}{mark}{number}", scale) if mark else (f"{symbol}{sign}{number}", f"{scale} {name}".strip())
        )
    if unit in (Unit.RANK, Unit.TIMES, Unit.YEARS):
        return format_with_qualifier(value, unit, qualifier), ""
    suffix = UNIT_NAMES[Unit(unit)] if unit in _AREAS_AND_LENGTHS else ""
    return f"{symbol}{sign}{number}", f"{scale} {suffix}".strip()


def axis_scale(values: list[float], unit: str) -> tuple[Decimal, str]:
    """A divisor and an axis title for a chart of these values: (1e9, 'billion euros')."""
    biggest = max((abs(_decimal(v)) for v in values), default=Decimal(0))
    unit_title = unit_name(unit)
    for size, word in SCALE_WORDS:
        if biggest >= size:
            return size, f"{word} {unit_title}".strip()
    return Decimal(1), unit_title or "number"
