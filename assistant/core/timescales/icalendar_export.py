"""The dates as an iCalendar file, so they can go straight into Outlook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from assistant.core.timescales.compute import TimescaleResult
from assistant.core.timescales.formatting import long_date


def timescales_calendar(result: TimescaleResult, authority_name: str, now: datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Practice assistant//Assessment timescales//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Assessment timescales ({authority_name})")
    referral = result.inputs.referral_date
    for item in result.all_dates:
        event = Event()
        event.add("uid", f"{result.authority}-{referral.isoformat()}-{item.key}@practice-assistant")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", item.when)
        event.add("dtend", item.when + timedelta(days=1))
        event.add("summary", f"{item.display_label} (referral {long_date(referral)})")
        event.add(
            "description",
            f"{item.explanation} Rule: {item.section or 'none cited'}. {authority_name}.",
        )
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return bytes(cal.to_ical())
