"""“Remind me of my checkpoints”: the assessment's dates, said on the day in this channel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.adapters import (
    EXPECTED_REPLY_SLOT,
    authority_or_ask,
    message_text,
    principal_or_refuse,
    send,
    slot_date,
)
from actions.adapters_knowledge import timescale_service
from actions.adapters_plans import plan_service, reminder_repository
from actions.guarded import GuardedAction
from assistant.core.plans.repository import PlanNotFoundError
from assistant.core.reminders.delivery import mark_done
from assistant.core.reminders.model import ReminderOwner
from assistant.core.reminders.planning import (
    NOTHING_TO_MARK,
    choose_reminder,
    confirmation,
    done_reply,
    find_reminder_reference,
    reminders_for,
)
from assistant.core.replies import Reply
from assistant.core.timescales.compute import InvalidTimescaleInputError, TimescaleInputs
from assistant.core.timescales.dates import DateParseError, Tense, find_dates
from assistant.core.timescales.working_days import OutsideCalendarError
from assistant.settings import Settings

ASK_FOR_REFERRAL = (
    "Which referral? Tell me the date it came in, for example “remind me of the checkpoints "
    "for the referral on 2/11/2026”."
)


class ActionSetReminders(GuardedAction):
    def name(self) -> str:
        return "action_set_reminders"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        principal = principal_or_refuse(dispatcher, tracker)
        if principal is None:
            return []
        authority = authority_or_ask(dispatcher, tracker)
        if authority is None:
            return []
        today = Settings().current_date()
        text = message_text(tracker)
        try:
            said = find_dates(text, today, Tense.PAST)  # a referral has come in
        except DateParseError as error:
            send(dispatcher, Reply(f"{error} {ASK_FOR_REFERRAL}"))
            return [SlotSet(EXPECTED_REPLY_SLOT, self.name())]
        plan = None
        if tracker.get_slot("plan_id"):
            try:  # only a plan the one asking may open lends its referral date
                plan = plan_service().open(principal, str(tracker.get_slot("plan_id")))
            except PlanNotFoundError:
                plan = None
        referral = (
            said[0].when
            if said
            else slot_date(tracker, "referral_date") or (plan.referral_date if plan else None)
        )
        if referral is None:
            send(dispatcher, Reply(ASK_FOR_REFERRAL))
            # The next message, if it is a date, comes back here (engine/expected_reply.py).
            return [SlotSet(EXPECTED_REPLY_SLOT, self.name())]
        inputs = TimescaleInputs(
            referral_date=referral,
            expected_delivery_date=slot_date(tracker, "expected_delivery_date"),
            date_of_birth=slot_date(tracker, "date_of_birth"),
        )
        try:
            result = timescale_service().compute(authority, inputs, today)
        except (OutsideCalendarError, InvalidTimescaleInputError) as error:
            send(dispatcher, Reply(str(error)))
            return []
        repository = reminder_repository()
        already = {
            (r.label, r.due, r.referral_date)
            for r in repository.for_owner(principal.subject, tracker.sender_id)
        }
        wanted = reminders_for(
            result,
            tracker.sender_id,
            today,
            owner=ReminderOwner.of(principal),
            copy_manager="manager" in text.lower(),
            plan_id=plan.id if plan else None,
        )
        repository.add_all([r for r in wanted if (r.label, r.due, r.referral_date) not in already])
        name = timescale_service().authorities.get(authority).name
        send(dispatcher, confirmation(wanted, name))
        return [SlotSet("referral_date", referral.isoformat())]


class ActionMarkReminderDone(GuardedAction):
    """“Mark reminder 3fa2… done” (the reminder's button) or “that checkpoint is done”: only
    a reminder the worker set in this conversation (the web app and Teams let nobody else
    continue it)."""

    def name(self) -> str:
        return "action_mark_reminder_done"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        principal = principal_or_refuse(dispatcher, tracker)
        if principal is None:
            return []
        repository = reminder_repository()
        mine = repository.for_owner(principal.subject, tracker.sender_id)
        reference = find_reminder_reference(message_text(tracker))
        target = choose_reminder(mine, reference, Settings().current_date())
        if target is None:
            send(dispatcher, Reply(NOTHING_TO_MARK))
            return []
        done = mark_done(repository, target.id, datetime.now(UTC))
        send(dispatcher, done_reply(done))
        return []
