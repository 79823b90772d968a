"""The procedure branches as a Rasa form: start one, take answers, say why a question is asked.

branch_form's required slots are every branch's questions; starting a branch marks the
questions it does not ask as "not_asked", so the engine asks only the current branch's, in
order, each through its `action_ask_<slot>` action.
"""

from __future__ import annotations

import abc
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.adapters import authority_or_ask, message_text, send
from actions.adapters_knowledge import branch_guide
from actions.guarded import GuardedAction
from actions.plans import explain_plan_step
from assistant.core.guidance.branch_answer import (
    BranchGuide,
    answer_branch,
    explain_question,
    question_reply,
    questions_worth_asking,
    reconcile_branch,
)
from assistant.core.guidance.branch_facts import Entity, facts_from_message, read_answer
from assistant.core.guidance.branches import Branch, FactValue, Question
from assistant.core.replies import Reply
from assistant.core.timescales.compute import InvalidTimescaleInputError
from assistant.core.timescales.dates import DateParseError
from assistant.core.timescales.working_days import OutsideCalendarError
from assistant.settings import Settings

NOT_ASKED = "not_asked"
BRANCH_OF_INTENT = {
    "homeless_16_17": "homeless-16-17",
    "trafficking": "trafficking-nrm",
    "family_abroad": "family-abroad",
    "extra_familial_harm": "extra-familial-harm",
    "pre_birth": "pre-birth",
}
# Facts kept between branches: dates the worker gave earlier in the conversation.
_REMEMBERED = ("referral_date", "date_of_birth")


def _form_slots(guide: BranchGuide) -> list[str]:
    return [slot for branch in guide.branches.values() for slot in branch.slots]


def _entities(tracker: Tracker) -> list[Entity]:
    return [
        Entity(str(e.get("entity")), str(e.get("value")))
        for e in tracker.latest_message.get("entities") or []
        if e.get("entity") and e.get("value") is not None
    ]


def _facts(tracker: Tracker, guide: BranchGuide) -> dict[str, FactValue | None]:
    """The facts in the tracker, with "not asked" read as unknown."""
    names = [*_form_slots(guide), *_REMEMBERED, "relative"]
    values = {name: tracker.get_slot(name) for name in names}
    return {k: (None if v == NOT_ASKED else v) for k, v in values.items()}


def _unset(slot: str, asked: set[str]) -> str | None:
    return None if slot in asked else NOT_ASKED


def _asked_question(tracker: Tracker, guide: BranchGuide) -> tuple[Branch, Question] | None:
    """The branch being walked through and the question branch_form asked last, if any."""
    branch = guide.branches.get(str(tracker.get_slot("branch")))
    requested = tracker.get_slot("requested_slot")
    question = branch.question(str(requested)) if branch and requested else None
    return (branch, question) if branch and question else None


def _date_again(error: Exception) -> Reply:
    return Reply(f"{error} Could you give the date again, day first?")


class ActionStartBranch(GuardedAction):
    """Answer from what the worker has said, then let branch_form ask what would change it."""

    def name(self) -> str:
        return "action_start_branch"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        guide = branch_guide()
        intent = str(tracker.latest_message.get("intent", {}).get("name"))
        branch = reconcile_branch(guide, BRANCH_OF_INTENT[intent], message_text(tracker))
        nothing_to_ask = [SlotSet(slot, NOT_ASKED) for slot in _form_slots(guide)]
        authority = authority_or_ask(dispatcher, tracker)
        if authority is None:
            return [SlotSet("branch", None), *nothing_to_ask]
        today = Settings().current_date()
        facts: dict[str, FactValue | None] = {
            k: v for k, v in _facts(tracker, guide).items() if k in _REMEMBERED
        }
        if branch.question("due_date") and tracker.get_slot("expected_delivery_date"):
            facts["due_date"] = tracker.get_slot("expected_delivery_date")
        text = message_text(tracker)
        try:
            facts.update(facts_from_message(branch, text, _entities(tracker), today))
            reply = answer_branch(guide, branch, authority, facts, today, text)
        except (DateParseError, OutsideCalendarError, InvalidTimescaleInputError) as error:
            send(dispatcher, _date_again(error))
            return [SlotSet("branch", None), *nothing_to_ask]
        send(dispatcher, reply)
        asked = {q.slot for q in questions_worth_asking(guide, branch, authority)}
        events: list[EventType] = [
            SlotSet("branch", branch.id),
            SlotSet("requested_slot", None),
            SlotSet("last_topic", branch.topics[0]),
        ]
        # A fact already given is kept even when its question would not be asked.
        events += [
            SlotSet(slot, facts[slot] if facts.get(slot) is not None else _unset(slot, asked))
            for slot in _form_slots(guide)
        ]
        events += [SlotSet(k, facts[k]) for k in ("date_of_birth", "relative") if facts.get(k)]
        if facts.get("due_date"):
            events.append(SlotSet("expected_delivery_date", facts["due_date"]))
        # Only what changes: every event is stored and replayed on each later turn.
        return [e for e in events if tracker.get_slot(e["name"]) != e["value"]]


class ValidateBranchForm(GuardedAction):
    """Reads the answer to the question asked; anything else is left to the rules (digressions).

    Returning no slot makes the engine reject the form for this turn, so that a question
    asked in the middle of the form is answered and the form then asks again.
    """

    def name(self) -> str:
        return "validate_branch_form"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        guide = branch_guide()
        asked = _asked_question(tracker, guide)
        if asked is None:
            return []
        branch, question = asked
        intent = tracker.latest_message.get("intent", {}).get("name")
        today = Settings().current_date()
        try:
            answer = read_answer(question, message_text(tracker), intent, _entities(tracker), today)
        except DateParseError as error:
            send(dispatcher, _date_again(error))
            return [SlotSet(question.slot, None)]
        if not answer:
            return []
        events: list[EventType] = [SlotSet(k, v) for k, v in answer.items()]
        if question.slot == "due_date":
            events.append(SlotSet("expected_delivery_date", answer["due_date"]))
        facts = {**_facts(tracker, guide), **answer}
        if all(tracker.get_slot(s) is not None or s in answer for s in _form_slots(guide)):
            # The last question: the steps again, now for everything the worker has said.
            authority = authority_or_ask(dispatcher, tracker)
            if authority is not None:
                try:
                    send(dispatcher, answer_branch(guide, branch, authority, facts, today))
                except (OutsideCalendarError, InvalidTimescaleInputError) as error:
                    send(dispatcher, Reply(str(error)))
        return events


class ActionExplainQuestion(GuardedAction):
    """ "Why are you asking?": the reason for the question and the procedure text behind it."""

    def name(self) -> str:
        return "action_explain_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        plan_reason = explain_plan_step(tracker)
        if plan_reason is not None:
            send(dispatcher, plan_reason)
            return []
        guide = branch_guide()
        asked = _asked_question(tracker, guide)
        if asked is None:
            send(
                dispatcher,
                Reply(
                    "I ask only for facts that change the steps in your procedure, "
                    "and I haven't asked you anything just now."
                ),
            )
            return []
        authority = authority_or_ask(dispatcher, tracker)
        if authority is not None:
            send(dispatcher, explain_question(guide, *asked, authority))
        return []


class _AskQuestion(GuardedAction):
    """Asks one of branch_form's questions, in the words of knowledge/branches.yml.

    Abstract, so that rasa-sdk registers only the one subclass per question.
    """

    @property
    @abc.abstractmethod
    def slot(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        send(dispatcher, question_reply(branch_guide().question(self.slot)))
        return []


class ActionAskYoungPersonAge(_AskQuestion):
    slot = "young_person_age"  # type: ignore[assignment]


class ActionAskHomelessNow(_AskQuestion):
    slot = "homeless_now"  # type: ignore[assignment]


class ActionAskPregnantOrCaring(_AskQuestion):
    slot = "pregnant_or_caring"  # type: ignore[assignment]


class ActionAskSignificantHarm(_AskQuestion):
    slot = "significant_harm"  # type: ignore[assignment]


class ActionAskInterpreterNeeded(_AskQuestion):
    slot = "interpreter_needed"  # type: ignore[assignment]


class ActionAskCountry(_AskQuestion):
    slot = "country"  # type: ignore[assignment]


class ActionAskSiblings(_AskQuestion):
    slot = "siblings"  # type: ignore[assignment]


class ActionAskTraffickingConcern(_AskQuestion):
    slot = "trafficking_concern"  # type: ignore[assignment]


class ActionAskDueDate(_AskQuestion):
    slot = "due_date"  # type: ignore[assignment]


class ActionAskParentLookedAfter(_AskQuestion):
    slot = "parent_looked_after"  # type: ignore[assignment]
