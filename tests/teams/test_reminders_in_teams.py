"""Checkpoint reminders delivered in Teams, from the app's own scheduler: to the worker on the
day, and to the manager as well when the date is missed."""

from __future__ import annotations

from datetime import date

from assistant.core.reminders.model import Channel, Reminder, ReminderOwner, ReminderStatus
from assistant.teams.identity import sender_id
from assistant.web.reminder_scheduler import ReminderScheduler
from tests.teams.conftest import TENANT_ID, USER_AAD_ID, TeamsHarness

MANAGER_AAD_ID = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"


def _reminder(
    conversation: str, due: date, status: ReminderStatus, copy: bool, owner: ReminderOwner
) -> Reminder:
    return Reminder(
        id=f"r{due:%m%d}{status.value[:2]}00"[:12].ljust(12, "0"),
        conversation_id=conversation,
        channel=Channel.TEAMS,
        authority="kent",
        label="10 working day checkpoint",
        due=due,
        referral_date=date(2026, 11, 2),
        copy_manager=copy,
        status=status,
        owner=owner,
    )


def test_a_reminder_on_its_day_and_a_missed_date_reach_teams(teams: TeamsHarness) -> None:
    # The worker and the manager have each talked to the bot, so both can be reached.
    teams.post(teams.activity("hi"))
    manager_conversation = "a:manager-conversation"
    teams.post(
        teams.activity("hi", conversation_id=manager_conversation, user_aad_id=MANAGER_AAD_ID)
    )
    teams.connector.wait_for(2)
    teams.settle()
    worker = sender_id(TENANT_ID, USER_AAD_ID, teams.conversation_id)
    manager = sender_id(TENANT_ID, MANAGER_AAD_ID, manager_conversation)
    state = teams.client.app.state  # type: ignore[attr-defined]
    # Set by the worker in their Teams conversation: its owner is who the chat recorded.
    claimed = state.conversation.conversations.owner(worker)
    owner = ReminderOwner(claimed.subject, claimed.authority, "teams")
    today = _reminder(worker, date(2026, 11, 16), ReminderStatus.PENDING, False, owner)
    missed = _reminder(worker, date(2026, 11, 13), ReminderStatus.SENT, True, owner)
    state.reminders.add_all([today, missed])
    scheduler = ReminderScheduler(
        state.reminders,
        state.reminder_scheduler.messengers,
        {"kent": [manager]},
        lambda: date(2026, 11, 16),
        60,
        state.reminder_scheduler.check,
    )

    report = teams.client.portal.call(scheduler.run_once)

    assert report.sent == [today.id] and report.missed == [missed.id]
    assert report.managers_told == [manager] and report.undelivered == []
    received = teams.connector.wait_for(5)[2:]
    to_worker = [r for r in received if teams.conversation_id in r.path]
    to_manager = [r for r in received if manager_conversation in r.path]
    texts = sorted(r.activity["text"] for r in to_worker)
    assert texts[0].startswith("A date in your assessment has passed without being marked done")
    assert texts[1].startswith("Reminder: 10 working day checkpoint is today")
    assert to_manager[0].activity["text"].startswith("A date in your team's assessment")
    # The button marks it done through the conversation, like any other button.
    card = next(r for r in to_worker if "Reminder:" in r.activity["text"])
    action = card.activity["attachments"][0]["content"]["actions"][0]
    assert action["data"]["payload"] == f"mark reminder {today.id} done"
    assert teams.client.portal.call(scheduler.run_once).sent == []  # said once
