"""Working days: Monday to Friday, not an England and Wales bank holiday, not a closure day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays

# The years the calendar answers for. Bank holidays far ahead are not yet announced (special
# ones are added by proclamation), so a date outside this range is refused, not guessed.
FIRST_YEAR = 2015
LAST_YEAR = 2040

CONVENTIONS = (
    "A working day is Monday to Friday and not an England and Wales bank holiday (or a "
    "closure day of your authority). The referral date is day 0, whatever day it is, and the "
    "deadline is the Nth working day after it: for a referral on a weekend or bank holiday, "
    "the next working day is working day 1."
)


class OutsideCalendarError(ValueError):
    def __init__(self, when: date) -> None:
        self.when = when
        super().__init__(
            f"{when.isoformat()} is outside the years the bank holiday calendar covers "
            f"({FIRST_YEAR} to {LAST_YEAR})."
        )


@dataclass(frozen=True)
class Counted:
    """A counted date and what the count stepped over on the way."""

    start: date  # day 0: the date given, whatever day it is
    result: date
    skipped_holidays: tuple[tuple[date, str], ...]
    first_working_day: date | None = None  # working day 1 (None when counting 0 days)


@dataclass
class WorkingCalendar:
    closure_days: frozenset[date] = frozenset()
    _holidays: holidays.HolidayBase = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._holidays = holidays.country_holidays(
            "GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1)
        )

    def check(self, when: date) -> None:
        if not FIRST_YEAR <= when.year <= LAST_YEAR:
            raise OutsideCalendarError(when)

    def holiday_name(self, when: date) -> str | None:
        if when in self.closure_days:
            return "closure day"
        name = self._holidays.get(when)
        return str(name) if name else None

    def is_working_day(self, when: date) -> bool:
        self.check(when)
        return when.weekday() < 5 and self.holiday_name(when) is None

    def next_working_day(self, when: date) -> date:
        while not self.is_working_day(when):
            when += timedelta(days=1)
        return when

    def previous_working_day(self, when: date) -> date:
        while not self.is_working_day(when):
            when -= timedelta(days=1)
        return when

    def add_working_days(self, start: date, days: int) -> Counted:
        """The `days`-th working day after `start`, which is day 0 whatever day it is.

        A referral on a Saturday is not moved to Monday first: Monday is working day 1, so
        the deadline is the same as for a referral on the Friday before, never a day later
        than one on the Monday (ARCHITECTURE.md, timescale conventions).
        """
        if days < 0:
            raise ValueError("days must not be negative")
        self.check(start)
        current, counted = start, 0
        first: date | None = None
        skipped: list[tuple[date, str]] = []
        while counted < days:
            current += timedelta(days=1)
            if self.is_working_day(current):
                counted += 1
                first = first or current
            elif current.weekday() < 5:
                skipped.append((current, self.holiday_name(current) or "holiday"))
        return Counted(start, current, tuple(skipped), first)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when end is earlier)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1
            for n in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=n))
        )


def calendar_with_closures(closure_days: Iterable[date]) -> WorkingCalendar:
    return WorkingCalendar(frozenset(closure_days))
