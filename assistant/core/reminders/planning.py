"""Which reminders a worker gets for an assessment, and what is said when each falls due."""

from __future__ import annotations

import re
from datetime import date

from assistant.core.reminders.model import (
    Reminder,
    ReminderOwner,
    ReminderStatus,
    channel_of,
    new_reminder_id,
)
from assistant.core.replies import Button, Reply
from assistant.core.timescales.compute import TimescaleResult
from assistant.core.timescales.formatting import long_date

DONE_PAYLOAD = "mark reminder {id} done"
NOTHING_TO_MARK = (
    "I can't find a reminder of yours to mark done. Use the “Mark as done” button on the "
    "reminder itself."
)
_REFERENCE = re.compile(r"\b(?=[0-9a-f]*\d)[0-9a-f]{12}\b")


def reminders_for(
    result: TimescaleResult,
    conversation_id: str,
    today: date,
    *,
    owner: ReminderOwner,
    copy_manager: bool = False,
    plan_id: str | None = None,
) -> list[Reminder]:
    """One reminder per date still to come (today included): checkpoints, the due date, the
    pre-birth completion date; each is `owner`'s."""
    return [
        Reminder(
            id=new_reminder_id(),
            conversation_id=conversation_id,
            channel=channel_of(conversation_id),
            authority=result.authority,
            label=item.display_label,
            due=item.when,
            referral_date=result.inputs.referral_date,
            copy_manager=copy_manager,
            plan_id=plan_id,
            owner=owner,
        )
        for item in result.all_dates
        if item.when >= today
    ]


def confirmation(reminders: list[Reminder], authority_name: str) -> Reply:
    """What the worker is told when reminders are set."""
    if not reminders:
        return Reply(
            "Every date for that referral has already passed, so there is nothing to remind "
            "you of. If the assessment is not finished, talk to your manager about an extension."
        )
    first = reminders[0]
    lines = [
        f"I'll remind you on the day of each date for the referral of "
        f"{long_date(first.referral_date)} ({authority_name}):"
    ]
    lines += [f"• {r.label}: {long_date(r.due)}" for r in reminders]
    where = "here in Teams" if first.channel.value == "teams" else "in this chat"
    lines.append(f"The reminders arrive {where}. Mark each one done when it is.")
    if first.copy_manager:
        lines.append("If a date passes without being marked done, your manager is told too.")
    return Reply("\n".join(lines), extras={"reminders": [r.to_json() for r in reminders]})


def due_notice(reminder: Reminder) -> Reply:
    """Said on the day."""
    return Reply(
        f"Reminder: {reminder.label} is today, {long_date(reminder.due)} (referral of "
        f"{long_date(reminder.referral_date)}). This supports, and does not replace, your "
        "manager's oversight of the timescales.",
        (Button("Mark as done", DONE_PAYLOAD.format(id=reminder.id)),),
        extras={"reminder": reminder.to_json()},
    )


def missed_notice(reminder: Reminder, for_manager: bool) -> Reply:
    """Said the working day after a date that was not marked done."""
    whose = "A date in your team's assessment" if for_manager else "A date in your assessment"
    text = (
        f"{whose} has passed without being marked done: {reminder.label} was due on "
        f"{long_date(reminder.due)} (referral of {long_date(reminder.referral_date)})."
    )
    if not for_manager:
        text += " If it is done, mark it done; if not, talk to your manager now."
        return Reply(text, (Button("Mark as done", DONE_PAYLOAD.format(id=reminder.id)),))
    return Reply(text + f" Conversation: {reminder.conversation_id}.")


def what_is_due(reminder: Reminder, today: date) -> ReminderStatus | None:
    """The status the reminder moves to today (the notice that goes with it), or None."""
    if reminder.status is ReminderStatus.PENDING and reminder.due == today:
        return ReminderStatus.SENT
    # Past and not done; a reminder never sent (the service was down on the day) is missed too.
    if reminder.status in (ReminderStatus.PENDING, ReminderStatus.SENT) and reminder.due < today:
        return ReminderStatus.MISSED
    return None


def find_reminder_reference(text: str) -> str | None:
    match = _REFERENCE.search(text.lower())
    return match.group(0) if match else None


def choose_reminder(mine: list[Reminder], reference: str | None, today: date) -> Reminder | None:
    """The reminder named, or else the latest one already said and not yet done."""
    if reference:
        return next((r for r in mine if r.id == reference), None)
    said = [r for r in mine if r.status in (ReminderStatus.SENT, ReminderStatus.MISSED)]
    said = [r for r in said if r.due <= today]
    return max(said, key=lambda r: (r.due, r.id)) if said else None


def done_reply(reminder: Reminder) -> Reply:
    return Reply(f"Marked done: {reminder.label} ({long_date(reminder.due)}).")
