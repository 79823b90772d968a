"""Dates as practitioners type them, read in UK day-month order against an injectable today.

A date written without its year ("14 December", "14/12", "the 3rd", "Tuesday") is read in the
tense of what it dates: a referral, a visit or a birth has happened, so it is the latest such
day on or before today; an expected delivery date is the next one. Where nothing says which,
the nearest is taken. The note said back always names the date taken, with its year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from assistant.core.timescales.formatting import long_date, short_date

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# Short forms workers type ("tues just gone", "weds"), mapped to the weekday's index.
WEEKDAY_NAMES = {
    name: index
    for index, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed", "weds"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}


class Tense(Enum):
    """Which way a date without a year (or a bare weekday) points from today."""

    PAST = "past"  # a referral, a visit, a date of birth: it has happened
    FUTURE = "future"  # an expected delivery date
    NEAREST = "nearest"  # nothing says which


_TENSE_WORDS = {
    Tense.PAST: "the most recent",
    Tense.FUTURE: "the next",
    Tense.NEAREST: "the nearest",
}

# Words that are looked up once matched are matched ASCII-only, (?a:...): under IGNORECASE
# alone "sept" with a long s (U+017F) or "friday" with a dotless i (U+0131) would match, and
# then not be found in the tables.
_MONTH = r"(?P<month>(?a:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r"))\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
_WEEKDAY = "|".join(sorted(WEEKDAY_NAMES, key=len, reverse=True))

PATTERNS = [
    ("iso", re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b")),
    (
        "numeric",
        re.compile(r"\b(?P<day>\d{1,2})[/.](?P<month>\d{1,2})(?:[/.](?P<year>\d{4}|\d{2}))?\b"),
    ),
    ("numeric", re.compile(r"\b(?P<day>\d{1,2})-(?P<month>\d{1,2})-(?P<year>\d{4}|\d{2})\b")),
    ("day_month", re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MONTH}{_YEAR}\b", re.IGNORECASE)),
    ("month_day", re.compile(rf"\b{_MONTH}\s+{_DAY}{_YEAR}\b", re.IGNORECASE)),
    (
        "relative",
        re.compile(
            r"\b(?P<word>(?a:today|yesterday|tomorrow)|"
            r"(?P<count>\d{1,3}|(?a:a|one|two|three|four))\s+(?P<unit>(?a:days?|weeks?))\s+ago|"
            r"(?a:a\s+fortnight\s+ago))\b",
            re.IGNORECASE,
        ),
    ),
    (
        # "a week last Monday", "last tues", "tues just gone", "on Friday", "next Wed"
        "weekday",
        re.compile(
            r"\b(?P<offset>(?a:a\s+week|a\s+fortnight)\s+)?"
            r"(?P<which>(?a:last|this\s+coming|this|on|next)\s+)?"
            rf"(?P<weekday>(?a:{_WEEKDAY}))\b\.?"
            # "Thursday 18 February 2027": the weekday of a date, not a date of its own
            r"(?!,?\s*\d)"
            r"(?P<gone>\s+(?a:just\s+gone|just\s+past|gone))?",
            re.IGNORECASE,
        ),
    ),
    (
        # "the 3rd", "on the 21st": a day of the month alone. Only as an ordinal after "the"
        # (or as the whole reply), so that "the 15 year old" and "2nd visit" are not dates.
        "day_only",
        re.compile(r"\b(?P<the>the\s+)?(?P<day>\d{1,2})(?a:st|nd|rd|th)\b", re.IGNORECASE),
    ),
]
_COUNT_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4}


class DateParseError(ValueError):
    """A date that cannot be read, or does not exist (31 February)."""


@dataclass(frozen=True)
class FoundDate:
    when: date
    text: str  # as the worker wrote it
    start: int
    note: str | None  # how an ambiguous date was read, to say back


def _make(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateParseError(f"{text!r} is not a real date.") from None


def _pick(candidates: list[date], today: date, tense: Tense) -> date:
    if tense is Tense.PAST:
        return max(d for d in candidates if d <= today)
    if tense is Tense.FUTURE:
        return min(d for d in candidates if d >= today)
    return min(candidates, key=lambda d: (abs((d - today).days), d > today))


def _year_in_tense(month: int, day: int, today: date, tense: Tense, text: str) -> date:
    _make(2000, month, day, text)  # 31 February is never a date (2000 had a 29 February)
    candidates = []
    # Five years either side: 29 February needs up to four to come round again.
    for year in range(today.year - 5, today.year + 6):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue  # 29 February in a year without one
    return _pick(candidates, today, tense)


def _day_in_tense(day: int, today: date, tense: Tense, text: str) -> date:
    """ "The 3rd": that day of this month or a month either side, as the tense wants."""
    if not 1 <= day <= 31:
        raise DateParseError(f"{text!r} is not a real date: no month has a day {day}.")
    candidates = []
    for months in range(-3, 4):
        index = today.year * 12 + today.month - 1 + months
        try:
            candidates.append(date(index // 12, index % 12 + 1, day))
        except ValueError:
            continue  # the 31st in a 30-day month
    return _pick(candidates, today, tense)


def _weekday(match: re.Match[str], today: date, tense: Tense) -> date:
    target = WEEKDAY_NAMES[match.group("weekday").lower()]
    which = " ".join((match.group("which") or "").lower().split())
    back = (today.weekday() - target) % 7
    forward = (target - today.weekday()) % 7
    if which in ("next", "this coming"):
        when = today + timedelta(days=forward or 7)
    elif which == "last" or match.group("gone"):
        when = today - timedelta(days=back or 7)  # "last Monday" said on a Monday: a week ago
    elif tense is Tense.FUTURE:
        when = today + timedelta(days=forward)
    else:
        when = today - timedelta(days=back)  # "on Monday", "Monday": the one just gone
    offset = " ".join((match.group("offset") or "").lower().split())
    if offset:
        # "A week last Monday" is the Monday a week before last Monday.
        weeks = 2 if offset.endswith("fortnight") else 1
        when += timedelta(weeks=-weeks if when <= today else weeks)
    return when


def _relative(match: re.Match[str], today: date) -> date:
    word = " ".join(match.group("word").lower().split())
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    if word == "tomorrow":
        return today + timedelta(days=1)
    if word == "a fortnight ago":
        return today - timedelta(days=14)
    raw = match.group("count").lower()
    count = _COUNT_WORDS.get(raw) or int(raw)
    days = count * (7 if match.group("unit").lower().startswith("week") else 1)
    return today - timedelta(days=days)


def _read(kind: str, match: re.Match[str], today: date, tense: Tense) -> tuple[date, str | None]:
    text = match.group(0)
    if kind == "relative":
        when = _relative(match, today)
        return when, f"I've taken {text} as {long_date(when)}."
    if kind == "weekday":
        when = _weekday(match, today, tense)
        return when, f"I've taken {text} as {long_date(when)}."
    if kind == "day_only":
        when = _day_in_tense(int(match.group("day")), today, tense, text)
        return when, f"I've taken {text} as {long_date(when)}, {_TENSE_WORDS[tense]} one."
    month_text = match.group("month")
    month = int(month_text) if month_text.isdigit() else MONTHS[month_text.lower().rstrip(".")]
    day = int(match.group("day"))
    if not 1 <= month <= 12:
        raise DateParseError(f"{text!r} has no month {month}: dates are read day first.")
    year_text = match.group("year")
    if year_text:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        when = _make(year, month, day, text)
        note = f"I've read {text} as {short_date(when)} (day first)." if kind == "numeric" else None
        return when, note
    when = _year_in_tense(month, day, today, tense, text)
    return when, f"I've taken {text} as {short_date(when)}, {_TENSE_WORDS[tense]} one."


def _is_a_date(kind: str, match: re.Match[str], text: str) -> bool:
    """A weekday needs a cue ("last", "on", "just gone") and a lone ordinal needs "the", unless
    it is the whole reply: "she works Monday to Friday", "sat with mum" and "his 2nd visit"
    date nothing."""
    if kind == "weekday":
        cued = match.group("which") or match.group("gone") or match.group("offset")
    elif kind == "day_only":
        cued = match.group("the")
    else:
        return True
    return bool(cued) or match.group(0).strip(" .") == text.strip(" .?!").strip()


def find_dates(text: str, today: date, tense: Tense = Tense.NEAREST) -> list[FoundDate]:
    """Every date in a message, in order; raises DateParseError for one that cannot exist.

    `tense` says which way a date without a year points; `in_tense` reads one found date again
    once its role (a referral, an expected delivery) is known.
    """
    found: list[FoundDate] = []
    taken: list[range] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            span = range(match.start(), match.end())
            if any(span.start < t.stop and t.start < span.stop for t in taken):
                continue
            if not _is_a_date(kind, match, text):
                continue
            when, note = _read(kind, match, today, tense)
            taken.append(span)
            found.append(FoundDate(when, match.group(0), match.start(), note))
    return sorted(found, key=lambda f: f.start)


def in_tense(found: FoundDate, today: date, tense: Tense) -> FoundDate:
    """The same words read again in `tense`, keeping where they were in the message."""
    again = find_dates(found.text, today, tense)
    if len(again) != 1:  # cannot happen for words find_dates matched; keep the first reading
        return found
    return FoundDate(again[0].when, found.text, found.start, again[0].note)


def parse_date(text: str, today: date, tense: Tense = Tense.NEAREST) -> FoundDate:
    """Exactly one date, the whole of `text` (for forms and the command line)."""
    found = find_dates(text.strip(), today, tense)
    if len(found) != 1 or found[0].text != text.strip():
        raise DateParseError(
            f"Could not read {text!r} as a date. Try 14 December 2026, 14/12/2026 or 2026-12-14."
        )
    return found[0]
