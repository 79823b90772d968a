"""Sending the reminders that fall due: once each, whichever instance of the app gets there
first, to the worker's own channel, and to their manager when a date is missed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from assistant.core.reminders.model import Channel, Reminder, ReminderStatus
from assistant.core.reminders.planning import due_notice, missed_notice, what_is_due
from assistant.core.replies import Reply


class ReminderNotFoundError(LookupError):
    def __init__(self, reminder_id: str) -> None:
        super().__init__(f"There is no reminder {reminder_id!r}.")


class ReminderRepository(Protocol):
    def add_all(self, reminders: Sequence[Reminder]) -> None: ...

    def get(self, reminder_id: str) -> Reminder: ...

    def open_due_by(self, today: date) -> list[Reminder]:
        """Pending or sent reminders due on or before `today`."""
        ...

    def move(
        self, reminder_id: str, expected: ReminderStatus, to: ReminderStatus, at: datetime
    ) -> bool:
        """Compare-and-set the status; True only for the caller that made the change."""
        ...

    def for_conversation(self, conversation_id: str) -> list[Reminder]: ...


class Messenger(Protocol):
    async def send(self, conversation_id: str, replies: list[Reply]) -> bool:
        """Deliver to a conversation; False when it cannot be reached (no Teams reference)."""
        ...


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    managers_told: list[str] = field(default_factory=list)
    undelivered: list[str] = field(default_factory=list)


async def deliver_due(
    repository: ReminderRepository,
    messengers: Mapping[Channel, Messenger],
    managers: Mapping[str, Sequence[str]],
    today: date,
    now: datetime,
) -> DeliveryReport:
    """Send what is due today and what was missed. `managers` maps an authority to the
    conversations of the managers who are told of missed dates."""
    report = DeliveryReport()
    for reminder in repository.open_due_by(today):
        to = what_is_due(reminder, today)
        if to is None or not repository.move(reminder.id, reminder.status, to, now):
            continue  # nothing to do, or another instance has it
        notice = (
            due_notice(reminder) if to is ReminderStatus.SENT else missed_notice(reminder, False)
        )
        delivered = await messengers[reminder.channel].send(reminder.conversation_id, [notice])
        (report.sent if to is ReminderStatus.SENT else report.missed).append(reminder.id)
        if not delivered:
            report.undelivered.append(reminder.id)
        if to is ReminderStatus.MISSED and reminder.copy_manager:
            await _tell_managers(reminder, messengers, managers, report)
    return report


async def _tell_managers(
    reminder: Reminder,
    messengers: Mapping[Channel, Messenger],
    managers: Mapping[str, Sequence[str]],
    report: DeliveryReport,
) -> None:
    notice = missed_notice(reminder, for_manager=True)
    for conversation_id in managers.get(reminder.authority, ()):
        channel = Channel.TEAMS if conversation_id.startswith("teams:") else Channel.WEB
        if await messengers[channel].send(conversation_id, [notice]):
            report.managers_told.append(conversation_id)


def mark_done(repository: ReminderRepository, reminder_id: str, now: datetime) -> Reminder:
    """The worker says the date is met; a reminder already missed can still be marked done."""
    reminder = repository.get(reminder_id)
    if reminder.status is not ReminderStatus.DONE:
        repository.move(reminder_id, reminder.status, ReminderStatus.DONE, now)
    return repository.get(reminder_id)
