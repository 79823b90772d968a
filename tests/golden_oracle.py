"""An oracle for working-day counts that shares nothing with the product.

The bank holidays are typed in from GOV.UK's published list for England and Wales (not from
python-holidays, which the product uses), and the count is written from the words of the
rule: the date given is day 0, whatever day it is, and the deadline is the Nth working day
after it. The golden tables in tests/golden/ were generated with it, and the tests compare the
product with both.
"""

from __future__ import annotations

from datetime import date, timedelta

# https://www.gov.uk/bank-holidays, England and Wales (substitute days where the date falls
# at a weekend).
_BY_YEAR = (
    "2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 2025-12-25 2025-12-26",
    # 2026: Boxing Day is a Saturday, so Monday 28 December
    "2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 2026-12-25 2026-12-28",
    # 2027: Christmas Day and Boxing Day at the weekend, so 27 and 28 December
    "2027-01-01 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-08-30 2027-12-27 2027-12-28",
    # 2028: New Year's Day is a Saturday, so Monday 3 January
    "2028-01-03 2028-04-14 2028-04-17 2028-05-01 2028-05-29 2028-08-28 2028-12-25 2028-12-26",
    # 2029: the statutory dates (not all published yet when this was written)
    "2029-01-01 2029-03-30 2029-04-02 2029-05-07 2029-05-28 2029-08-27 2029-12-25 2029-12-26",
)
GOV_UK_BANK_HOLIDAYS = frozenset(
    date.fromisoformat(day) for year in _BY_YEAR for day in year.split(" ")
)
FIRST, LAST = date(2025, 1, 1), date(2029, 12, 31)


def is_working_day(when: date) -> bool:
    if not FIRST <= when <= LAST:
        raise ValueError(f"{when} is outside the years this oracle knows")
    return when.weekday() < 5 and when not in GOV_UK_BANK_HOLIDAYS


def nth_working_day_after(day0: date, n: int) -> date:
    """Walk forward a calendar day at a time, counting only working days, until n are counted."""
    when, counted = day0, 0
    while counted < n:
        when += timedelta(days=1)
        counted += is_working_day(when)
    return when
