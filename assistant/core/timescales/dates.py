"""Dates as practitioners type them, read in UK day-month order against an injectable today."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

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
# Words that are looked up once matched are matched ASCII-only, (?a:...): under IGNORECASE
# alone "sept" with a long s (U+017F) or "friday" with a dotless i (U+0131) would match, and
# then not be found in the tables.
_MONTH = r"(?P<month>(?a:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r"))\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"

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
            r"(?a:last|this|on)\s+(?a:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
            r"(?P<count>\d{1,3}|(?a:a|one|two|three|four))\s+(?P<unit>(?a:days?|weeks?))\s+ago)\b",
            re.IGNORECASE,
        ),
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


def _nearest_year(month: int, day: int, today: date, text: str) -> date:
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue  # 29 February in a year without one
    if not candidates:
        raise DateParseError(f"{text!r} is not a real date.")
    return min(candidates, key=lambda d: (abs((d - today).days), d > today))


def _relative(match: re.Match[str], today: date) -> date:
    word = match.group("word").lower()
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    if word == "tomorrow":
        return today + timedelta(days=1)
    if match.group("unit"):
        raw = match.group("count").lower()
        count = _COUNT_WORDS.get(raw) or int(raw)
        days = count * (7 if match.group("unit").lower().startswith("week") else 1)
        return today - timedelta(days=days)
    which, weekday = word.split()
    back = (today.weekday() - WEEKDAYS.index(weekday)) % 7
    if which == "last" and back == 0:
        back = 7  # "last Monday" said on a Monday is a week ago
    return today - timedelta(days=back)


def _read(kind: str, match: re.Match[str], today: date) -> tuple[date, str | None]:
    text = match.group(0)
    if kind == "relative":
        when = _relative(match, today)
        return when, f"I've taken {text} as {long_date(when)}."
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
    when = _nearest_year(month, day, today, text)
    return when, f"I've read {text} as {short_date(when)}."


def find_dates(text: str, today: date) -> list[FoundDate]:
    """Every date in a message, in order; raises DateParseError for one that cannot exist."""
    found: list[FoundDate] = []
    taken: list[range] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            span = range(match.start(), match.end())
            if any(span.start < t.stop and t.start < span.stop for t in taken):
                continue
            when, note = _read(kind, match, today)
            taken.append(span)
            found.append(FoundDate(when, match.group(0), match.start(), note))
    return sorted(found, key=lambda f: f.start)


def parse_date(text: str, today: date) -> FoundDate:
    """Exactly one date, the whole of `text` (for forms and the command line)."""
    found = find_dates(text.strip(), today)
    if len(found) != 1 or found[0].text != text.strip():
        raise DateParseError(
            f"Could not read {text!r} as a date. Try 14 December 2026, 14/12/2026 or 2026-12-14."
        )
    return found[0]
