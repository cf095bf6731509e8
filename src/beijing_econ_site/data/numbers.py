"""Numbers as articles write them: find every number in a text, with its value after scaling.

Handles digits with or without thousands separators ("22,500", "52000"), decimals, scale
words ("1.6 trillion"), the currency marks and words of the site's profile ("€43.136 billion",
"890 billion euros"), percentages, number words ("six", "twenty-three"), fractions ("half",
"one-third"), ordinals ("first", for ranks) and multiples ("doubled", "nearly triple").
Digit runs are matched whole: "50" is never found inside "1500" or "50.5".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

SCALES = {
    "thousand": Decimal(10) ** 3,
    "million": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12,
}
UNITS_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS_WORDS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
WORD_VALUES = {word: n for n, word in enumerate(UNITS_WORDS)} | TENS_WORDS
FRACTIONS = {
    "half": Decimal(50),
    "a half": Decimal(50),
    "one half": Decimal(50),
    "a third": Decimal(100) / 3,
    "one third": Decimal(100) / 3,
    "two thirds": Decimal(200) / 3,
    "a quarter": Decimal(25),
    "one quarter": Decimal(25),
    "three quarters": Decimal(75),
    "a fifth": Decimal(20),
    "one fifth": Decimal(20),
    "two fifths": Decimal(40),
    "a tenth": Decimal(10),
    "one tenth": Decimal(10),
}
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
MULTIPLES = {
    "double": 2,
    "doubled": 2,
    "twice": 2,
    "triple": 3,
    "tripled": 3,
    "threefold": 3,
    "quadruple": 4,
    "quadrupled": 4,
}

_DIGITS = r"(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<decimals>\.\d+)?"
_SCALE = r"(?:\s(?P<scale>thousand|million|billion|trillion)\b)?"
# "2.4 percentage points", "1.5 percentage point", "0.4 of a percentage point", "3 pp", "2 ppts": points,
# read before "percent" so that "percentage" is never half read
_POINTS = r"\s(?:of\s+a\s+)?(?:percentage|percent|per\s+cent)[- ]points?\b|\s(?:pp|ppts?|p\.p\.)(?![\w.])"
_PERCENT = rf"(?:(?P<points>{_POINTS})|(?P<percent>\s?%|\s(?:percent|per cent)\b))?"


@dataclass(frozen=True)
class CurrencyWords:
    """How the articles of a site write amounts of money: marks before the digits ('€', case kept)
    and words after the number ('euros', any case), each with its currency's code."""

    before: tuple[tuple[str, str], ...] = ()
    after: tuple[tuple[str, str], ...] = ()
    shown: tuple[tuple[str, str, str | None], ...] = ()  # (code, name, symbol): how pages write each

    def name_of(self, code: str) -> tuple[str, str | None]:
        """How pages write an amount of it: its name after the number, or its symbol before."""
        return next(((name, symbol) for c, name, symbol in self.shown if c == code), (code, None))

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(code for _, code in (*self.before, *self.after)) | {c for c, _, _ in self.shown}

    def code_of(self, mark: str) -> str | None:
        found = dict(self.before).get(mark)
        if found is None:
            found = {word.casefold(): code for word, code in self.after}.get(mark.casefold())
        return found


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@functools.lru_cache(maxsize=16)
def digit_number_pattern(words: CurrencyWords) -> re.Pattern[str]:
    before = rf"(?:(?P<cur_before>{_alternatives(w for w, _ in words.before)})\s?)?" if words.before else ""
    after = rf"(?:\s(?P<cur_after>{_alternatives(w for w, _ in words.after)})(?!\w))?" if words.after else ""
    flags = f"(?i:{after})" if after else ""
    return re.compile(rf"{before}(?<![\w.,]){_DIGITS}(?![\w]|[.,]\d){_SCALE}{_PERCENT}{flags}")


_currency_words = CurrencyWords()


def use_currency_words(words: CurrencyWords) -> None:
    """The currency words of the site being checked or built: its profile's. Set once per site, before
    any text is read; every reading of a number in this process then knows them."""
    global _currency_words
    _currency_words = words


def currency_words() -> CurrencyWords:
    return _currency_words


_WORD_ALTS = "|".join(sorted(WORD_VALUES, key=len, reverse=True))
WORD_NUMBER = re.compile(
    rf"\b(?P<first>{_WORD_ALTS})(?:-(?P<second>{'|'.join(UNITS_WORDS[1:10])}))?"
    rf"(?:\s(?P<scale>hundred|thousand|million|billion|trillion))?(?!-)\b{_PERCENT}",
    re.IGNORECASE,
)
FRACTION = re.compile(
    r"\b(?P<fraction>" + "|".join(k.replace(" ", "[- ]") for k in sorted(FRACTIONS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
ORDINAL = re.compile(rf"\b(?P<ordinal>{'|'.join(ORDINALS)})\b", re.IGNORECASE)
BARE_SCALE = re.compile(r"\b(?:a|the|one)\s(?P<scale>thousand|million|billion|trillion)\b", re.IGNORECASE)
MULTIPLE = re.compile(rf"\b(?P<multiple>{'|'.join(MULTIPLES)})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """A number written in a text: its span, unsigned value after scaling, and what it is."""

    start: int
    end: int
    text: str
    value: Decimal
    form: str  # digits | word | fraction | ordinal | multiple
    percent: bool = False
    currency: str | None = None
    points: bool = False  # written in percentage points: "2.4 percentage points", "3 pp"

    @property
    def is_exact(self) -> bool:
        """Fractions such as one-third stand for values an editor writes rounded (33.3)."""
        return self.form != "fraction"


_PERIOD_ORDINAL_BEFORE = re.compile(r"\b(?:first|second)[- ]$", re.IGNORECASE)


def is_year(mention: Mention) -> bool:
    """'2019' is a date, not a figure ('2019%' and 'US$2019' are figures)."""
    text = mention.text
    is_four_digits = mention.form == "digits" and text.isdigit() and len(text) == 4
    return is_four_digits and 1900 <= int(text) <= 2100 and not (mention.percent or mention.currency or mention.points)


def is_half_of_a_period(mention: Mention, before: str) -> bool:
    """The 'half' of 'the first half of 2023', given the text just before it: a period, not 50%."""
    is_half = mention.form == "fraction" and mention.text.lower() == "half"
    return is_half and bool(_PERIOD_ORDINAL_BEFORE.search(before))


MONTH_COUNTS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven")
# 'the first six months', 'the past three months': a span of time, whose count is no quantity
RUN_OF_MONTHS = re.compile(
    rf"\b(?P<from>first|last|past)\s+(?P<count>{'|'.join(MONTH_COUNTS)}|[2-9]|1[01])\s+months\b", re.IGNORECASE
)


def months_in_run(count: str) -> int:
    """The number of months 'six' or '6' names in a run of months."""
    return int(count) if count.isdigit() else MONTH_COUNTS.index(count.lower()) + 2


def is_in_a_run_of_months(before: str, mention: Mention, after: str) -> bool:
    """The 'first' and 'six' of 'in the first six months', given the text either side."""
    local = before + mention.text + after
    start, end = len(before), len(before) + len(mention.text)
    return any(m.start() <= start and end <= m.end() for m in RUN_OF_MONTHS.finditer(local))


def says_exactly(text: str, words: str) -> bool:
    """'exactly half': the text states the fraction words as exact, not as a round figure."""
    return bool(re.search(rf"\bexactly\s+{re.escape(words)}", text, re.IGNORECASE))


def find_mentions(text: str) -> list[Mention]:
    """Every number in text, left to right; where two readings overlap the longer wins."""
    found = list(_digit_mentions(text)) + list(_word_mentions(text))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


def find_digit_mentions(text: str) -> list[Mention]:
    return list(_digit_mentions(text))


MAX_DIGITS = 30  # a longer run of digits is no figure (a code, a hash, a hostile archive): not read
LONG_NUMBER = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")


def elided(digits: str) -> str:
    """A run of digits as a message shows it: '1000…0000 (5,001 digits)' when it is too long to print."""
    return digits if len(digits) <= MAX_DIGITS else f"{digits[:4]}…{digits[-4:]} ({len(digits):,} digits)"


def _digit_mentions(text: str) -> Iterator[Mention]:
    words = _currency_words
    for m in digit_number_pattern(words).finditer(text):
        if len(m["digits"]) + len(m["decimals"] or "") > MAX_DIGITS + MAX_DIGITS // 3:
            continue  # far too long to be a figure: check names it (number-too-long)
        if sum(c.isdigit() for c in m["digits"] + (m["decimals"] or "")) > MAX_DIGITS:
            continue
        value = Decimal(m["digits"].replace(",", "") + (m["decimals"] or ""))
        if m["scale"]:
            value *= SCALES[m["scale"]]
        groups = m.groupdict()
        currency_mark = groups.get("cur_before") or groups.get("cur_after")
        yield Mention(
            m.start(),
            m.end(),
            m[0],
            value,
            "digits",
            percent=bool(m["percent"]),
            currency=words.code_of(currency_mark) if currency_mark else None,
            points=bool(m["points"]),
        )


def _word_mentions(text: str) -> Iterator[Mention]:
    for m in FRACTION.finditer(text):
        key = re.sub(r"[- ]", " ", m["fraction"].lower())
        yield Mention(m.start(), m.end(), m[0], FRACTIONS[key], "fraction", percent=True)
    for m in WORD_NUMBER.finditer(text):
        value = Decimal(WORD_VALUES[m["first"].lower()])
        if m["second"]:
            if value < 20:
                continue  # "one-two" is no number
            value += WORD_VALUES[m["second"].lower()]
        if m["scale"]:
            value *= Decimal(100) if m["scale"].lower() == "hundred" else SCALES[m["scale"].lower()]
        yield Mention(m.start(), m.end(), m[0], value, "word", percent=bool(m["percent"]), points=bool(m["points"]))
    for m in ORDINAL.finditer(text):
        yield Mention(m.start(), m.end(), m[0], Decimal(ORDINALS.index(m["ordinal"].lower()) + 1), "ordinal")
    for m in BARE_SCALE.finditer(text):
        yield Mention(m.start(), m.end(), m[0], SCALES[m["scale"].lower()], "word")
    for m in MULTIPLE.finditer(text):
        yield Mention(m.start(), m.end(), m[0], Decimal(MULTIPLES[m["multiple"].lower()]), "multiple")


# Wording that comes right before a number and says what kind of claim it is.
_AT_LEAST = (
    r"more than|over|break(?:ing|s)? through|broke through|topped|exceed(?:s|ed|ing)?|above|at least"
    r"|upwards of|in excess of|no less than|surpass(?:es|ed)?"
)
_AT_MOST = r"nearly|almost|close to|up to|less than|under|below|top|no more than"
_APPROX = r"about|around|approximately|roughly|some|an estimated"
_NEGATIVE = (
    r"fell|fall|falls|falling|declined?|decreased?|dropped|drop|down|shrank|contracted|lost"
    r"|negative(?: growth)?(?: rate)?|minus|a (?:decline|decrease|drop|fall|contraction)"
)
QUALIFIER_WORDING = re.compile(
    rf"\b(?:(?P<at_least>{_AT_LEAST})|(?P<at_most>{_AT_MOST})|(?P<approximately>{_APPROX}))"
    r"(?:\s(?:a total of|by|to|of|the))?\s*$",
    re.IGNORECASE,
)
# Wording that stresses a number without bounding it: 'as many as 129' states 129.
EMPHASIS_WORDING = re.compile(
    r"\b(?:as (?:many|much|high|large|few|little|low) as|a whopping|a mere|a full)\s*$", re.IGNORECASE
)
NEGATIVE_WORDING = re.compile(rf"\b(?:{_NEGATIVE})(?:\s(?:by|of|to))?\s*$", re.IGNORECASE)


def qualifier_wording(before: str) -> tuple[str | None, str | None]:
    """The qualifier that the words just before a number state, and those words.

    Returns ('at-least' | 'at-most' | 'approximately' | None, wording or None).
    """
    tail = before[-40:]
    m = QUALIFIER_WORDING.search(tail)
    if not m:
        return None, None
    for group in ("at_least", "at_most", "approximately"):
        if m[group]:
            return group.replace("_", "-"), m[group]
    return None, None  # pragma: no cover


def emphasis_wording(before: str) -> str | None:
    """Words such as 'as many as' right before a number, which stress it and are part of what
    the article states."""
    m = EMPHASIS_WORDING.search(before[-30:])
    return m[0].strip() if m else None


def negative_wording(before: str) -> str | None:
    """Words such as 'fell by' right before a number, which make it negative."""
    m = NEGATIVE_WORDING.search(before[-30:])
    return m[0].strip() if m else None


def compatible_units(mention: Mention) -> set[str]:
    """The figure units a mention can state."""
    if mention.form == "fraction":
        return {"percent"}
    if mention.form == "ordinal":
        return {"rank"}
    if mention.form == "multiple":
        return {"times"}
    if mention.points:
        return {"percentage-points"}
    if mention.percent:  # articles write "%" for points too ("the decline narrowed by 3.4%")
        return {"percent", "percentage-points"}
    if mention.currency:
        return {mention.currency}
    return {
        *_currency_words.codes,
        "count",
        "kilometers",
        "square-meters",
        "square-kilometers",
        "rank",
        "times",
        "years",
    }


def values_equal(figure_value: int | float, mention: Mention) -> bool:
    """Equality after scaling; a fraction equals any rounding of it ('one-third' = 33.3)."""
    wanted = Decimal(repr(figure_value)) if isinstance(figure_value, float) else Decimal(figure_value)
    wanted = abs(wanted)
    if mention.is_exact:
        return wanted == mention.value
    exponent = wanted.normalize().as_tuple().exponent
    half_step = Decimal(5) * Decimal(10) ** (min(exponent, 0) - 1) if isinstance(exponent, int) else Decimal(0)
    return abs(wanted - mention.value) <= half_step


def stating_mentions(value: int | float, unit: str, text: str) -> list[Mention]:
    """The mentions in text that state value in unit, after scaling (the sign is judged apart)."""
    return [m for m in find_mentions(text) if unit in compatible_units(m) and values_equal(value, m)]


def format_decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


_OPEN_BRACKET = re.compile(
    r"(?P<head>\S+)\s*\(\s*(?:(?:about|approximately|around|roughly|nearly|some|or|equivalent to|equal to)\s+)?"
    r"[^\w\s]{0,3}\s?$",
    re.IGNORECASE,
)


def is_converted_amount(before: str) -> bool:
    """An amount in brackets right after another amount ('810 billion euros (about 870 billion
    francs)') is that amount converted, not a figure; before is the text just before the number."""
    opened = _OPEN_BRACKET.search(before)
    if opened is None:
        return False
    head = opened["head"].rstrip(",;").casefold()
    amount_words = {word.casefold() for word, _ in _currency_words.after} | set(SCALES)
    return head in amount_words or head[-1:].isdigit()
