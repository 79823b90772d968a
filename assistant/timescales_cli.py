"""`assistant due`: the deadlines for a referral, from the command line."""

from __future__ import annotations

import argparse
from datetime import date

from assistant.core.authorities import UnknownAuthorityError, possessive
from assistant.core.timescales.compute import InvalidTimescaleInputError, TimescaleInputs
from assistant.core.timescales.dates import DateParseError, Tense, parse_date
from assistant.core.timescales.formatting import long_date
from assistant.core.timescales.service import load_timescale_service
from assistant.core.timescales.working_days import CONVENTIONS, OutsideCalendarError
from assistant.settings import Settings


def run_due(args: argparse.Namespace) -> int:
    settings = Settings()
    try:
        today = parse_date(args.today, date.today()).when if args.today else settings.current_date()

        def read(text: str | None, tense: Tense = Tense.PAST) -> date | None:
            # Without a year, what has happened is the latest such day, an EDD the next one.
            return parse_date(text, today, tense).when if text else None

        referral = parse_date(args.referral_date, today, Tense.PAST)
        if referral.note:
            print(referral.note)
        inputs = TimescaleInputs(
            referral_date=referral.when,
            expected_delivery_date=read(args.edd, Tense.FUTURE),
            date_of_birth=read(args.dob),
            visit_date=read(args.visit),
            cin_plan_start_date=read(args.cin_plan_start),
        )
        service = load_timescale_service(settings.knowledge_dir)
        result = service.compute(args.authority, inputs, today)
    except (
        DateParseError,
        OutsideCalendarError,
        InvalidTimescaleInputError,
        UnknownAuthorityError,
    ) as error:
        print(f"error: {error}")
        return 2
    name = service.authorities.get(args.authority).name
    print(f"{name}: referral {long_date(inputs.referral_date)} (today {long_date(today)})\n")
    for item in result.all_dates:
        print(f"  {item.display_label}: {long_date(item.when)} ({item.status})")
        print(f"    {item.explanation}")
        if item.borrowed is not None:
            whose = possessive(item.borrowed.short_name)
            print(f"    {whose} source, not yours: {item.borrowed.section}")
    print("\n  Going past the time limit:")
    for sentence in result.extension.sentences():
        print(f"    {sentence}")
    print(f"    Source: {', '.join(result.extension.own_sections)}")
    for other in result.extension.shown_others:
        print(f"    {possessive(other.short_name)} source, not yours: {other.section}")
    for warning in result.warnings:
        print(f"\n  Warning: {warning}")
    print(f"\n{CONVENTIONS}")
    return 0
