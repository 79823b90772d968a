"""Properties of reading dates from workers' messages (assistant.core.timescales.dates).

The contract, from the module and tests/test_timescales.py: `find_dates` returns every date in a
message, in order, read day first, and raises DateParseError for one that cannot exist;
`parse_date` wants the whole text to be exactly one date and raises DateParseError otherwise.
"""

from __future__ import annotations

import calendar
import contextlib
import itertools
import re
import string
import sys
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assistant.core.timescales.dates import DateParseError, FoundDate, find_dates, parse_date
from assistant.core.timescales.formatting import short_date

CENTURY = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
# `today` is one year either side of the dates, so that reading a date without a year can
# always consider last year, this year and next year.
TODAYS = st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31))


def ordinal(day: int) -> str:
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


# Every way of writing a date with its year that the parser claims to read.
WRITTEN_WITH_YEAR: dict[str, Callable[[date], str]] = {
    "iso": lambda d: f"{d:%Y-%m-%d}",
    "iso unpadded": lambda d: f"{d.year}-{d.month}-{d.day}",
    "dd/mm/yyyy": lambda d: f"{d:%d/%m/%Y}",
    "d/m/yyyy": lambda d: f"{d.day}/{d.month}/{d.year}",
    "dd/mm/yy": lambda d: f"{d:%d/%m/%y}",
    "dd.mm.yyyy": lambda d: f"{d:%d.%m.%Y}",
    "dd-mm-yyyy": lambda d: f"{d:%d-%m-%Y}",
    "d-m-yy": lambda d: f"{d.day}-{d.month}-{d:%y}",
    "d Month yyyy": lambda d: f"{d.day} {d:%B %Y}",
    "short_date": short_date,
    "dth Month yyyy": lambda d: f"{ordinal(d.day)} {d:%B %Y}",
    "dth of Month yyyy": lambda d: f"{ordinal(d.day)} of {d:%B %Y}",
    "d Mon yyyy": lambda d: f"{d.day} {d:%b %Y}",
    "d Mon. yyyy": lambda d: f"{d.day} {d:%b}. {d.year}",
    "d MONTH yyyy": lambda d: f"{d.day} {d:%B %Y}".upper(),
    "d month yyyy": lambda d: f"{d.day} {d:%B %Y}".lower(),
    "Month d, yyyy": lambda d: f"{d:%B} {d.day}, {d.year}",
    "Month dth, yyyy": lambda d: f"{d:%B} {ordinal(d.day)}, {d.year}",
    "Mon d yyyy": lambda d: f"{d:%b} {d.day} {d.year}",
}
WRITTEN_WITHOUT_YEAR: dict[str, Callable[[date], str]] = {
    "dd/mm": lambda d: f"{d:%d/%m}",
    "d.m": lambda d: f"{d.day}.{d.month}",
    "d Month": lambda d: f"{d.day} {d:%B}",
    "dth of Mon": lambda d: f"{ordinal(d.day)} of {d:%b}",
    "Month dth": lambda d: f"{d:%B} {ordinal(d.day)}",
}


@settings(max_examples=150, deadline=None)
@given(when=CENTURY, today=TODAYS, style=st.sampled_from(sorted(WRITTEN_WITH_YEAR)))
def test_every_date_with_a_year_reads_back(when: date, today: date, style: str) -> None:
    written = WRITTEN_WITH_YEAR[style](when)
    assert parse_date(written, today).when == when
    assert parse_date(f"  {written} ", today).when == when
    [found] = find_dates(f"the referral came in on {written}, from school", today)
    assert (found.when, found.text) == (when, written)


@settings(max_examples=150, deadline=None)
@given(
    today=TODAYS,
    days_away=st.integers(min_value=-150, max_value=150),
    style=st.sampled_from(sorted(WRITTEN_WITHOUT_YEAR)),
)
def test_a_date_without_a_year_is_the_one_nearest_today(
    today: date, days_away: int, style: str
) -> None:
    when = today + timedelta(days=days_away)
    written = WRITTEN_WITHOUT_YEAR[style](when)
    found = parse_date(written, today)
    assert found.when == when
    assert found.note is not None and short_date(when) in found.note


# Day-month pairs that exist in no year, and day-month-year triples that do not exist.
NEVER_A_DATE = [(30, 2), (31, 2), (31, 4), (31, 6), (31, 9), (31, 11)]


@st.composite
def days_past_the_end_of_the_month(draw: st.DrawFn) -> tuple[int, int, int]:
    year = draw(st.integers(2000, 2099))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(calendar.monthrange(year, month)[1] + 1, 99))
    return day, month, year


YEARS = st.integers(2000, 2099)
IMPOSSIBLE_DATES = st.one_of(
    days_past_the_end_of_the_month(),
    st.tuples(st.just(0), st.integers(1, 12), YEARS),
    st.tuples(st.integers(1, 28), st.one_of(st.just(0), st.integers(13, 99)), YEARS),
)


@settings(max_examples=150, deadline=None)
@given(day_month_year=IMPOSSIBLE_DATES, today=TODAYS, style=st.integers(0, 3))
@example(day_month_year=(31, 2, 2026), today=date(2026, 11, 23), style=0)
@example(day_month_year=(30, 13, 2026), today=date(2026, 11, 23), style=0)
def test_an_impossible_numeric_date_is_an_error(
    day_month_year: tuple[int, int, int], today: date, style: int
) -> None:
    day, month, year = day_month_year
    written = [
        f"{day:02}/{month:02}/{year}",
        f"{day}.{month}.{year}",
        f"{day}-{month}-{year % 100:02}",
        f"{year}-{month:02}-{day:02}",
    ][style]
    with pytest.raises(DateParseError):
        find_dates(f"referral on {written}", today)
    with pytest.raises(DateParseError):
        parse_date(written, today)


@settings(max_examples=150, deadline=None)
@given(
    day_month=st.sampled_from(NEVER_A_DATE),
    year=st.one_of(st.none(), st.integers(2000, 2099)),
    today=TODAYS,
    month_first=st.booleans(),
)
def test_a_day_no_month_has_is_an_error(
    day_month: tuple[int, int], year: int | None, today: date, month_first: bool
) -> None:
    day, month = day_month
    name = calendar.month_name[month]
    written = f"{name} {day}" if month_first else f"{day} {name}"
    if year is not None:
        written += f" {year}"
    with pytest.raises(DateParseError):
        find_dates(written, today)
    with pytest.raises(DateParseError):
        parse_date(written, today)


def read_or_refuse(text: str, today: date) -> list[FoundDate] | None:
    """What the parser makes of `text`: its dates, or None when it refuses with its own error."""
    try:
        found = find_dates(text, today)
    except DateParseError:
        return None
    with contextlib.suppress(DateParseError):
        parse_date(text, today)
    return found


def assert_well_formed(text: str, found: list[FoundDate]) -> None:
    starts = [f.start for f in found]
    assert starts == sorted(starts)
    for earlier, later in itertools.pairwise(found):
        assert earlier.start + len(earlier.text) <= later.start
    for f in found:
        assert text[f.start : f.start + len(f.text)] == f.text


@settings(max_examples=200, deadline=None)
@given(text=st.text(), today=TODAYS)
def test_any_text_is_read_or_refused_but_never_crashes(text: str, today: date) -> None:
    found = read_or_refuse(text, today)
    if found is not None:
        assert_well_formed(text, found)


# fmt: off
WORDS_THE_PARSER_KNOWS = [
    "today", "yesterday", "tomorrow", "last", "this", "on", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "a", "one", "two", "three", "four", "days",
    "weeks", "ago", "of", "st", "nd", "rd", "th", "sept",
    *(month.lower() for month in calendar.month_name[1:]),
]
# fmt: on
DATE_LIKE_TEXT = st.lists(
    st.one_of(
        st.sampled_from(WORDS_THE_PARSER_KNOWS),
        st.text(alphabet=string.digits + " /.-,", max_size=5),
    ),
    max_size=10,
).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(text=DATE_LIKE_TEXT, today=TODAYS)
def test_text_made_of_date_words_is_read_or_refused_but_never_crashes(
    text: str, today: date
) -> None:
    found = read_or_refuse(text, today)
    if found is not None:
        assert_well_formed(text, found)


def letters_python_matches_case_insensitively() -> dict[str, list[str]]:
    """For each ASCII letter, every character re.IGNORECASE matches it with: 's' and 'S', and
    also the long s (U+017F); 'k' and 'K', and also the Kelvin sign (U+212A)."""
    variants: dict[str, set[str]] = {letter: set() for letter in string.ascii_lowercase}
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        for cased in {character.lower(), character.upper().lower()}:
            if cased in variants:
                variants[cased].add(character)
    return {
        letter: sorted(c for c in found if re.fullmatch(letter, c, re.IGNORECASE))
        for letter, found in variants.items()
    }


CASE_VARIANTS = letters_python_matches_case_insensitively()
LONG_S = "\u017f"
DOTLESS_I = "\u0131"
PHRASES: dict[str, Callable[[date], date]] = {
    "yesterday": lambda today: today - timedelta(days=1),
    "last tuesday": lambda today: today - timedelta(days=(today.weekday() - 1) % 7 or 7),
    "this friday": lambda today: today - timedelta(days=(today.weekday() - 4) % 7),
    "on sunday": lambda today: today - timedelta(days=(today.weekday() - 6) % 7),
    "two weeks ago": lambda today: today - timedelta(days=14),
    "3 september 2026": lambda today: date(2026, 9, 3),
    "sept 3, 2026": lambda today: date(2026, 9, 3),
    "1st of august 2027": lambda today: date(2027, 8, 1),
}


@st.composite
def phrases_in_any_letter_case(draw: st.DrawFn) -> tuple[str, str]:
    """A phrase the parser reads, and the same phrase with each letter in some case Python's
    re.IGNORECASE accepts for it."""
    phrase = draw(st.sampled_from(sorted(PHRASES)))
    written = "".join(draw(st.sampled_from(CASE_VARIANTS.get(c, [c]))) for c in phrase)
    return phrase, written


@settings(max_examples=150, deadline=None)
@given(phrase_written=phrases_in_any_letter_case(), today=TODAYS)
def test_a_date_in_any_letter_case_is_read_as_meant_or_not_at_all(
    phrase_written: tuple[str, str], today: date
) -> None:
    """ASCII letters in any case give the date meant; a Unicode look-alike of a letter (the long
    s, the dotless i) gives that date or none, never another date or an exception."""
    phrase, written = phrase_written
    read = [found.when for found in find_dates(written, today)]
    meant = PHRASES[phrase](today)
    if written.isascii():
        assert read == [meant]
    else:
        assert read in ([], [meant])


@pytest.mark.parametrize(
    "written",
    [
        f"ye{LONG_S}terday",  # raised ValueError (no weekday to unpack)
        f"la{LONG_S}t tuesday",  # on a Tuesday, read as today rather than a week ago
        f"this fr{DOTLESS_I}day",  # raised ValueError (not a weekday)
        f"3 {LONG_S}eptember 2026",  # raised KeyError (not a month)
        f"{LONG_S}ept 3",  # raised KeyError
    ],
)
def test_unicode_look_alikes_of_date_words_are_not_read(written: str) -> None:
    """Found by the property above; the parser now matches the words it looks up ASCII-only."""
    assert find_dates(written, date(2026, 11, 24)) == []
