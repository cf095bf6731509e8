"""The number matcher: any way an article writes a number matches it; neighbours and digit runs don't."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from beijing_econ_site.data.numbers import (
    compatible_units,
    find_mentions,
    negative_wording,
    qualifier_wording,
    values_equal,
)


def values(text: str) -> list[Decimal]:
    return [m.value for m in find_mentions(text)]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("increasing the total number to 22,500.", 22500, "count"),
        ("52000 5g base stations have been built", 52000, "count"),
        ("accounting for 40.4% of Beijing’s GDP", 40.4, "percent"),
        ("an added value of 1.6 trillion yuan", 1_600_000_000_000, "CNY"),
        ("a financing amount of RMB 43.136 billion.", 43_136_000_000, "CNY"),
        ("exceeded US$160 billion, accounting", 160_000_000_000, "USD"),
        ("more than 100 million people", 100_000_000, "count"),
        ("nearly half of the national total", 50, "percent"),
        ("one-third of the country's major infrastructure", 33.3, "percent"),
        ("about one-fifth of the country’s total trade", 20, "percent"),
        ("ranking first in the world for six consecutive years", 1, "rank"),
        ("ranking first in the world for six consecutive years", 6, "years"),
        ("another twenty-three items", 23, "count"),
        ("the number of companies listed on it nearly triple", 3, "times"),
        ("After breaking through the trillion scale for the first time", 1_000_000_000_000, "CNY"),
        ("2.4 million square meters", 2_400_000, "square-meters"),
    ],
)
def test_numbers_as_articles_write_them(text, value, unit):
    assert any(unit in compatible_units(m) and values_equal(value, m) for m in find_mentions(text))


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("the total was 1500", 50),
        ("the total was 1500", 150),
        ("a share of 50.5%", 50),
        ("stock code Co.Ltd(300832)", 832),
        ("5G and 8K and L4", 5),
        ("22,500 stations", 500),
        ("22,500 stations", 22),
    ],
)
def test_digits_are_matched_whole(text, absent):
    assert Decimal(absent) not in values(text)


def test_currency_and_percent_decide_which_units_a_number_can_state():
    [yuan] = find_mentions("890 billion yuan")
    [dollars] = find_mentions("US$6.61 billion")
    [share] = find_mentions("40.4%")
    assert compatible_units(yuan) == {"CNY"}
    assert compatible_units(dollars) == {"USD"}
    assert compatible_units(share) == {"percent", "percentage-points"}


@pytest.mark.parametrize(
    ("text", "value", "read"),
    [
        ("growth was 2.4 percentage points faster", 2.4, "2.4 percentage points"),
        ("up 1.5 percentage point on the year", 1.5, "1.5 percentage point"),
        ("it rose by 0.4 of a percentage point", 0.4, "0.4 of a percentage point"),
        ("a share 3 pp higher", 3, "3 pp"),
        ("2 ppts above the national rate", 2, "2 ppts"),
        ("1.2 per cent points lower", 1.2, "1.2 per cent points"),
        ("three percentage points higher", 3, "three percentage points"),
        ("the share rose 5 percentage-points", 5, "5 percentage-points"),
    ],
)
def test_percentage_points_in_words_are_points_and_nothing_else(text, value, read):
    [mention] = find_mentions(text)
    assert (mention.text, mention.value, compatible_units(mention)) == (
        read,
        Decimal(str(value)),
        {"percentage-points"},
    )


def test_a_percent_sign_may_state_points_but_points_never_state_a_percentage():
    [sign] = find_mentions("the decline narrowed by 3.4% from Q1")
    [points] = find_mentions("the decline narrowed by 3.4 percentage points from Q1")
    assert compatible_units(sign) == {"percent", "percentage-points"}
    assert compatible_units(points) == {"percentage-points"}
    assert [m.text for m in find_mentions("a percentage of 5 and 40 percent")] == ["5", "40 percent"]


def test_wording_before_a_number():
    assert qualifier_wording("accounted for more than ") == ("at-least", "more than")
    assert qualifier_wording("The proportion exceeds ") == ("at-least", "exceeds")
    assert qualifier_wording("Almost ") == ("at-most", "Almost")
    assert qualifier_wording("accounting for about ") == ("approximately", "about")
    assert qualifier_wording("as many as ") == (None, None)
    assert negative_wording("Beijing’s GDP fell by ") == "fell by"
    assert negative_wording("the decline narrowed by ") is None


# ---- properties -------------------------------------------------------------------------

SCALE_WORDS = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}


def with_separators(n: int) -> str:
    return f"{n:,}"


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=10**12),
    separators=st.booleans(),
    prefix=st.sampled_from(["", "a total of ", "reached "]),
)
def test_any_integer_written_with_or_without_separators_matches(n, separators, prefix):
    written = with_separators(n) if separators else str(n)
    text = f"The city {prefix}{written} units."
    assert any(values_equal(n, m) for m in find_mentions(text))


@settings(max_examples=300, deadline=None)
@given(
    whole=st.integers(min_value=1, max_value=999),
    decimals=st.integers(min_value=0, max_value=999),
    scale=st.sampled_from(list(SCALE_WORDS)),
    currency=st.sampled_from(["", "RMB ", "US$"]),
)
def test_scaled_decimals_match_after_scaling(whole, decimals, scale, currency):
    number = f"{whole}.{decimals}" if decimals else str(whole)
    text = f"with investment of {currency}{number} {scale}{' yuan' if not currency else ''} in total"
    expected = Decimal(number) * SCALE_WORDS[scale]
    value = int(expected) if expected == int(expected) else float(expected)
    assert any(values_equal(value, m) for m in find_mentions(text))


@settings(max_examples=300, deadline=None)
@given(n=st.integers(min_value=1, max_value=10**9), delta=st.sampled_from([1, -1, 10, -10]))
def test_neighbours_do_not_match(n, delta):
    assume(n + delta > 0)  # the sign is judged apart from the magnitude (value-sign)
    mentions = find_mentions(f"The count stood at {n:,} in 2021.")
    assert not any(values_equal(n + delta, m) for m in mentions if m.text != "2021")


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=99_999),
    before=st.text(alphabet="0123456789", min_size=1, max_size=3),
    after=st.text(alphabet="0123456789", min_size=0, max_size=3),
)
def test_a_number_inside_a_longer_digit_run_does_not_match(n, before, after):
    run = f"{before}{n}{after}"
    if int(run) == n:  # leading zeros make the run equal to n itself
        return
    assert not any(values_equal(n, m) for m in find_mentions(f"a total of {run} firms"))


@settings(max_examples=200, deadline=None)
@given(x=st.decimals(min_value=Decimal("0.1"), max_value=Decimal("999.9"), places=1))
def test_percentages_match_their_value_and_not_its_neighbours(x):
    [mention] = find_mentions(f"grew by {x}% year on year")
    assert values_equal(float(x), mention)
    assert not values_equal(float(x + Decimal("0.1")), mention)


def test_points_are_written_as_points_one_of_them_singular():
    from beijing_econ_site.data.formatting import format_value, headline_parts
    from beijing_econ_site.data.models import Qualifier

    assert format_value(2.4, "percentage-points") == "2.4 percentage points"
    assert format_value(1, "percentage-points") == "1 percentage point"
    assert format_value(-0.4, "percentage-points", signed=True) == "−0.4 pp"
    assert headline_parts(1, "percentage-points", Qualifier.EXACT, signed=False) == ("1", "percentage point")
