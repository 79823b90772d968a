"""The plan's dates as an iCalendar file: one all-day event per statutory date, per dated
action and per review point.

Each event's UID is made from the plan id and the item (its label, or the action's wording),
never from its position or date, so that importing a later version of the plan updates the
events already in Outlook instead of adding copies; SEQUENCE is the plan's version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

from assistant.core.plans.exports.common import children_text, unique_dates
from assistant.core.plans.presenting import PlanView

DOMAIN = "practice-assistant"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _event(
    uid: str, when: date, summary: str, description: str, view: PlanView, now: datetime
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("sequence", view.plan.version)
    event.add("dtstart", when)
    event.add("dtend", when + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    return event


def _events(view: PlanView, now: datetime) -> Iterator[Event]:
    plan = view.plan
    about = f"Assessment plan {plan.id} (version {plan.version}), {view.authority_name}."
    children = children_text(view)
    seen: dict[str, int] = {}

    def uid(kind: str, *item: str) -> str:
        key = f"{kind}-{_digest(*item)}"
        seen[key] = seen.get(key, 0) + 1
        suffix = f"-{seen[key]}" if seen[key] > 1 else ""  # the same item twice
        return f"{plan.id}-{key}{suffix}@{DOMAIN}"

    for item in unique_dates(view):
        rule = f" Rule: {item.section_id}." if item.section_id else ""
        yield _event(
            uid("date", item.label),
            item.when,
            f"{item.label} ({children})",
            f"{item.how}{rule} {about}",
            view,
            now,
        )
    for action in view.actions:
        if action.due is None:
            continue
        done = " Done." if action.done else ""
        rule = f" Procedure: {action.section_id}." if action.section_id else ""
        yield _event(
            uid("action", action.branch or "", action.what),
            action.due,
            f"{action.who}: {action.what}",
            f"For {children}. Due: {action.how}.{done}{rule} {about}",
            view,
            now,
        )


def plan_calendar(view: PlanView, now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Practice assistant//Assessment plan//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Assessment plan {children_text(view)} ({view.authority_name})")
    for event in _events(view, now):
        calendar.add_component(event)
    return bytes(calendar.to_ical())
