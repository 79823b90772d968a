"""Sending the reminders that fall due: once each, whichever instance of the app gets there
first, to the worker's own channel, and to their manager when a date is missed.

A reminder is said only to its owner, the principal who set it, and only if, on the day,
they may still see what it refers to (OwnerCheck): the conversation it goes to is still
theirs, the authority is still one they work in, and its plan (if any) is one they may still
open under PlanService's rules. Otherwise it is withheld: moved to WITHHELD (so it is never
tried again) and reported, with the reason only, for the security log. A reminder with no
owner (set before owners were recorded) is withheld too: the safe choice, since nothing says
whose it is; the worker sets it again by asking for their checkpoints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from assistant.core.access import Principal
from assistant.core.conversations import ConversationDirectory
from assistant.core.plans.repository import PlanNotFoundError
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

    def for_owner(self, owner_subject: str, conversation_id: str) -> list[Reminder]:
        """The reminders `owner_subject` set in the conversation: a listing is always one
        owner's (reminders without an owner are in no one's)."""
        ...


class Messenger(Protocol):
    async def send(self, conversation_id: str, replies: list[Reply]) -> bool:
        """Deliver to a conversation; False when it cannot be reached (no Teams reference)."""
        ...


class PlanAccess(Protocol):
    def open(self, principal: Principal, plan_id: str) -> object:
        """The plan when the principal may open it; PlanNotFoundError otherwise (PlanService)."""
        ...


class WithholdReason(StrEnum):
    NO_OWNER = "no_owner"  # set before owners were recorded
    AUTHORITY = "authority"  # for an authority its owner does not work in
    CONVERSATION = "conversation"  # its conversation is not (or no longer) its owner's
    PLAN = "plan"  # its plan is gone, or one its owner may not open


@dataclass(frozen=True)
class OwnerCheck:
    """Whether a reminder may still be said to its owner, asked when it falls due."""

    conversations: ConversationDirectory
    plans: PlanAccess

    def reason_to_withhold(self, reminder: Reminder) -> WithholdReason | None:
        if reminder.owner is None:
            return WithholdReason.NO_OWNER
        owner = reminder.owner.as_principal()
        if not owner.may_work_in(reminder.authority):
            return WithholdReason.AUTHORITY
        conversation = self.conversations.owner(reminder.conversation_id)
        if conversation is None or not owner.owns(conversation.subject):
            return WithholdReason.CONVERSATION
        if reminder.plan_id is not None:
            try:
                self.plans.open(owner, reminder.plan_id)
            except PlanNotFoundError:
                return WithholdReason.PLAN
        return None


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    managers_told: list[str] = field(default_factory=list)
    undelivered: list[str] = field(default_factory=list)
    # (reminder id, reason): not said, and never will be.
    withheld: list[tuple[str, WithholdReason]] = field(default_factory=list)


async def deliver_due(
    repository: ReminderRepository,
    messengers: Mapping[Channel, Messenger],
    managers: Mapping[str, Sequence[str]],
    today: date,
    now: datetime,
    check: OwnerCheck,
) -> DeliveryReport:
    """Send what is due today and what was missed, each only if `check` finds its owner may
    still see what it refers to. `managers` maps an authority to the conversations of the
    managers who are told of missed dates."""
    report = DeliveryReport()
    for reminder in repository.open_due_by(today):
        to = what_is_due(reminder, today)
        if to is None:
            continue
        reason = check.reason_to_withhold(reminder)
        if reason is not None:
            if repository.move(reminder.id, reminder.status, ReminderStatus.WITHHELD, now):
                report.withheld.append((reminder.id, reason))
            continue
        if not repository.move(reminder.id, reminder.status, to, now):
            continue  # another instance has it
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
