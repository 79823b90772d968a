"""The assessment plan in conversation: plan_form takes every reply until the plan is finished
or put aside, and the plan (in the app's store) keeps its place between conversations.

plan_form has one slot, `plan_step`: validate_plan_form hands each reply to the core, which
records it, and sets the slot to None to ask the next question, or to "finished"/"paused" to
end the form. A question to the assistant is not taken as an answer: the form rejects it and
the rules in nlu/rules_plan.yml answer it before the form asks again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.adapters import (
    NOBODY_SIGNED_IN,
    authority_or_ask,
    message_text,
    principal_or_refuse,
    send,
    slot_date,
    turn_principal,
)
from actions.adapters_knowledge import knowledge_base
from actions.adapters_plans import plan_service
from actions.guarded import GuardedAction
from assistant.core.access import Principal
from assistant.core.guidance.other_answers import answer_danger, sounds_like_danger_now
from assistant.core.plans.model import Plan
from assistant.core.plans.presenting import plan_card
from assistant.core.plans.repository import PlanNotFoundError, PlanVersionConflictError
from assistant.core.plans.walkthrough import (
    EDD,
    REFERRAL,
    ask,
    current_step,
    explain_step,
    find_plan_reference,
    looks_like_question,
    steps,
)
from assistant.core.replies import Button, Reply
from assistant.settings import Settings

PLAN_FORM = "plan_form"
# Intents answered in the middle of the plan (each has a rule in nlu/rules_plan.yml) when the
# message is a question; a danger report always is.
DIGRESSIONS = frozenset(
    {
        "why_asking",
        "ask_next_step",
        "ask_procedure",
        "ask_outcomes",
        "ask_planning",
        "ask_consent",
        "see_child_alone",
        "ask_interpreter",
        "ask_police",
        "ask_education",
        "ask_timescale",
        "ask_checkpoints",
        "explain_term",
        "show_section",
        "start_again",
        "plan_assessment",
        "resume_plan",
        "set_reminders",
    }
)
ALWAYS_DIGRESS = frozenset({"report_danger", "why_asking", "start_again"})
MIN_DIGRESSION_CONFIDENCE = 0.6
# "carry on with plan 3fa2…" is no question, but is not an answer either; an answer that
# merely mentions the plan must not end it, so these need a surer classification.
PLAN_INTENTS = frozenset({"plan_assessment", "resume_plan"})
MIN_PLAN_INTENT_CONFIDENCE = 0.85
UNFINISHED_SHOWN = 3


def _plan(tracker: Tracker, principal: Principal | None) -> Plan | None:
    """The conversation's plan, when the one asking may open it (the same rules as the API)."""
    plan_id = tracker.get_slot("plan_id")
    if not plan_id or principal is None:
        return None
    try:
        return plan_service().open(principal, str(plan_id))
    except PlanNotFoundError:
        return None


def is_digression(text: str, intent: str | None, confidence: float) -> bool:
    if intent not in DIGRESSIONS | {"report_danger"} or confidence < MIN_DIGRESSION_CONFIDENCE:
        return False
    if intent == "why_asking":
        return len(text.split()) <= 6
    if intent in PLAN_INTENTS:
        return confidence >= MIN_PLAN_INTENT_CONFIDENCE
    return intent in ALWAYS_DIGRESS or looks_like_question(text)


class ActionStartPlan(GuardedAction):
    """A new plan for the worker's authority, started from what the conversation already knows."""

    def name(self) -> str:
        return "action_start_plan"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        principal = principal_or_refuse(dispatcher, tracker)
        if principal is None:
            return [SlotSet("plan_step", "no_plan")]
        authority = authority_or_ask(dispatcher, tracker)
        if authority is None:
            return [SlotSet("plan_step", "no_plan")]
        service = plan_service()
        branch = tracker.get_slot("branch")
        plan = service.new(principal, authority, frozenset({branch}) if branch else frozenset())
        referral = slot_date(tracker, "referral_date")
        due = slot_date(tracker, "expected_delivery_date")
        known = {REFERRAL} if referral else set()
        plan = plan.with_changes(
            referral_date=referral,
            expected_delivery_date=due,
            # Dates the worker already gave are not asked again ("back" reaches them).
            settled=frozenset(known | ({EDD} if due else set())),
        )
        today = Settings().current_date()
        plan = service.create(principal, plan, datetime.now(UTC), today)
        count = len(steps(plan, service.context(authority, today)))
        name = service.timescales.authorities.get(authority).name
        send(
            dispatcher,
            Reply(
                f"Let's build the assessment plan for {name}, one question at a time "
                f"({count} questions, from your procedure's list of what to plan). Say skip, "
                "back, not sure or carry on later at any point: the plan is saved after every "
                f"answer. Its reference is {plan.id}.",
                extras={"plan": plan_card(plan)},
            ),
        )
        return [SlotSet("plan_id", plan.id), SlotSet("plan_step", None)]


class ActionResumePlan(GuardedAction):
    """Carry on with a plan by its reference, or this conversation's, or pick from recent ones:
    only plans the one asking may open (someone else's is answered as unknown)."""

    def name(self) -> str:
        return "action_resume_plan"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        principal = principal_or_refuse(dispatcher, tracker)
        if principal is None:
            return [SlotSet("plan_step", "no_plan")]
        service = plan_service()
        reference = find_plan_reference(message_text(tracker)) or tracker.get_slot("plan_id")
        if not reference:
            return self._choose(dispatcher, tracker, principal)
        try:
            plan = service.open(principal, str(reference))
        except PlanNotFoundError:
            send(dispatcher, Reply(f"I can't find a plan with the reference {reference}."))
            return [SlotSet("plan_step", "no_plan")]
        today = Settings().current_date()
        ctx = service.context(plan.authority, today)
        if plan.finished:
            open_questions = service.view(plan, today).open_questions
            if not open_questions:
                send(
                    dispatcher,
                    Reply(
                        f"Plan {plan.id} is complete (version {plan.version}). Download it from "
                        "the plan panel, or say “help me plan my assessment” to start another.",
                        extras={"plan": plan_card(plan)},
                    ),
                )
                return [SlotSet("plan_id", plan.id), SlotSet("plan_step", "finished")]
            plan = service.reopen(principal, plan, datetime.now(UTC), today)
            send(
                dispatcher,
                Reply(
                    f"Plan {plan.id} has {len(open_questions)} open questions. Let's go "
                    "through them; skip any you still can't answer.",
                    extras={"plan": plan_card(plan)},
                ),
            )
            return [SlotSet("plan_id", plan.id), SlotSet("plan_step", None)]
        order = steps(plan, ctx)
        at = order.index(current_step(plan, ctx)) + 1
        children = ", ".join(c.reference for c in plan.children) or "no children named yet"
        send(
            dispatcher,
            Reply(
                f"Carrying on with plan {plan.id} ({children}), at question {at} of {len(order)}.",
                extras={"plan": plan_card(plan)},
            ),
        )
        return [SlotSet("plan_id", plan.id), SlotSet("plan_step", None)]

    def _choose(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, principal: Principal
    ) -> list[EventType]:
        authority = authority_or_ask(dispatcher, tracker)
        if authority is None:
            return [SlotSet("plan_step", "no_plan")]
        # A practitioner's own plans; a manager's, every plan of their authority (as the API).
        listed = plan_service().listed(principal, authority)
        unfinished = [s for s in listed if not s.finished]
        if not unfinished:
            send(
                dispatcher,
                Reply(
                    "I can't find an unfinished plan. Give me its reference (ten letters and "
                    "digits), or say “help me plan my assessment” to start one.",
                ),
            )
        else:
            send(
                dispatcher,
                Reply(
                    "Which plan? Give its reference, or pick one of the latest unfinished plans:",
                    tuple(
                        Button(
                            f"{', '.join(s.children) or 'No children yet'} ({s.id})",
                            f"carry on with plan {s.id}",
                        )
                        for s in unfinished[:UNFINISHED_SHOWN]
                    ),
                ),
            )
        return [SlotSet("plan_step", "no_plan")]


class ValidatePlanForm(GuardedAction):
    """Each reply goes to the plan; a question to the assistant is left to the rules."""

    def name(self) -> str:
        return "validate_plan_form"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("requested_slot") != "plan_step":
            return []
        principal = principal_or_refuse(dispatcher, tracker)
        plan = _plan(tracker, principal)
        if principal is None or plan is None:
            return [SlotSet("plan_step", "no_plan")]
        text = message_text(tracker)
        intent = tracker.latest_message.get("intent", {})
        if is_digression(text, intent.get("name"), float(intent.get("confidence") or 0.0)):
            return []
        if sounds_like_danger_now(text):
            # Not classified as a danger report, but the words say so: answer that first,
            # record nothing, and ask the question again.
            send(dispatcher, answer_danger(text, plan.authority, knowledge_base()))
            return [SlotSet("plan_step", None)]
        service = plan_service()
        today, now = Settings().current_date(), datetime.now(UTC)
        try:
            turn = service.walk(principal, plan, text, now, today)
        except PlanVersionConflictError:
            # Changed elsewhere (another tab or Teams) since it was read: take this reply
            # against the latest version.
            latest = service.open(principal, plan.id)
            turn = service.walk(principal, latest, text, now, today)
        for reply in turn.replies:
            send(dispatcher, reply)
        state = "finished" if turn.finished else "paused" if turn.paused else None
        # The plan's dates are the conversation's too ("what are my checkpoints?").
        dates = {
            "referral_date": turn.plan.referral_date,
            "expected_delivery_date": turn.plan.expected_delivery_date,
            "date_of_birth": turn.plan.date_of_birth,
        }
        remembered = [
            SlotSet(slot, when.isoformat())
            for slot, when in dates.items()
            if when is not None and tracker.get_slot(slot) != when.isoformat()
        ]
        return [SlotSet("plan_step", state), *remembered]


class ActionAskPlanStep(GuardedAction):
    def name(self) -> str:
        return "action_ask_plan_step"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        principal = turn_principal(tracker)
        plan = _plan(tracker, principal)
        if plan is None:
            lost = "I've lost track of the plan: say “carry on with my plan”."
            send(dispatcher, Reply(NOBODY_SIGNED_IN if principal is None else lost))
            return []
        send(
            dispatcher, ask(plan, plan_service().context(plan.authority, Settings().current_date()))
        )
        return []


def explain_plan_step(tracker: Tracker) -> Reply | None:
    """“Why are you asking?” while the plan form is asking; None outside it."""
    if (tracker.active_loop or {}).get("name") != PLAN_FORM:
        return None
    plan = _plan(tracker, turn_principal(tracker))
    if plan is None:
        return None
    return explain_step(plan, plan_service().context(plan.authority, Settings().current_date()))
