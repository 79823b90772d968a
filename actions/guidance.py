"""Answers from the procedure, timescales, the glossary, and disclosures of harm."""

from __future__ import annotations

import abc
from dataclasses import replace
from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.adapters import (
    EXPECTED_REPLY_SLOT,
    authority_directory,
    authority_or_ask,
    conversation_authority,
    latest_user_metadata,
    message_text,
    send,
)
from actions.adapters_knowledge import guide, knowledge_base, timescale_service
from actions.guarded import GuardedAction
from assistant.core.guidance.answering import Question
from assistant.core.guidance.card_answer import SAFETY_FIRST_LINE
from assistant.core.guidance.other_answers import explain_term, section_text_reply
from assistant.core.guidance.suggestions import CARD_OF_INTENT, TOPIC_OF_INTENT, did_you_mean
from assistant.core.guidance.timescale_answer import RememberedDates, answer_timescales
from assistant.core.guidance.understanding import METADATA_KEY as UNDERSTANDING_KEY
from assistant.core.guidance.understanding import Understanding
from assistant.core.replies import Reply
from assistant.core.timescales.dates import DateParseError
from assistant.core.timescales.working_days import OutsideCalendarError
from assistant.settings import Settings


class _AnswersForAnAuthority(GuardedAction):
    """An action that needs the worker's authority: without one it asks, and stops there.

    Abstract, so that rasa-sdk does not register it as an action of its own.
    """

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        authority = authority_or_ask(dispatcher, tracker)
        if authority is None:
            return []
        return self.answer(dispatcher, tracker, authority)

    @abc.abstractmethod
    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, authority: str
    ) -> list[EventType]: ...


def _last_stage(tracker: Tracker) -> int | None:
    value = tracker.get_slot("last_stage")
    return int(value) if isinstance(value, (int, float)) else None


def answer_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, authority: str, text: str, urgent: bool
) -> list[EventType]:
    """Ask the core guide and send its reply; remember the topic and stage it answered."""
    intent = tracker.latest_message.get("intent", {}).get("name")
    metadata = latest_user_metadata(tracker)
    question = Question(
        text=text,
        authority=authority,
        understanding=Understanding.from_metadata(metadata.get(UNDERSTANDING_KEY)),
        intent=str(intent) if intent else None,
        last_topic=TOPIC_OF_INTENT.get(str(intent)) or tracker.get_slot("last_topic"),
        last_stage=_last_stage(tracker),
        urgent=urgent,
        intent_card=CARD_OF_INTENT.get(str(intent)),
    )
    answer = guide().answer(question)
    reply = answer.reply
    if intent == "nlu_fallback" and not answer.sure:
        # Not sure what was meant: offer the engine's likeliest meanings as well.
        ranking = [
            (str(r.get("name")), float(r.get("confidence") or 0.0))
            for r in tracker.latest_message.get("intent_ranking") or []
        ]
        reply = replace(reply, buttons=reply.buttons + did_you_mean(ranking))
    send(dispatcher, reply)
    events: list[EventType] = []
    if tracker.get_slot("pending_question"):
        events.append(SlotSet("pending_question", None))
    if answer.topic:
        events.append(SlotSet("last_topic", answer.topic))
    if answer.stage is not None:
        events.append(SlotSet("last_stage", float(answer.stage)))
    return events


class _AnswersAQuestion(GuardedAction):
    """Answers the worker's question; without an authority, asks for it and keeps the
    question, which is answered once the authority is chosen (action_choose_authority)."""

    urgent = False

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        authority = conversation_authority(tracker)
        if authority not in authority_directory().ids:
            if self.urgent:  # safety first, even before we know the authority
                send(dispatcher, Reply(SAFETY_FIRST_LINE))
            authority_or_ask(dispatcher, tracker)
            return [SlotSet("pending_question", message_text(tracker))]
        assert authority is not None
        return answer_question(dispatcher, tracker, authority, message_text(tracker), self.urgent)


class ActionAnswerProcedure(_AnswersAQuestion):
    def name(self) -> str:
        return "action_answer_procedure"


class ActionReportDanger(_AnswersAQuestion):
    urgent = True

    def name(self) -> str:
        return "action_report_danger"


class ActionExplainTerm(GuardedAction):
    def name(self) -> str:
        return "action_explain_term"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        authority = conversation_authority(tracker)
        reply = explain_term(message_text(tracker), knowledge_base(), authority)
        if reply is None and authority in authority_directory().ids:
            assert authority is not None
            return answer_question(dispatcher, tracker, authority, message_text(tracker), False)
        send(
            dispatcher,
            reply
            or Reply(
                "I don't have that term in my glossary. Which word "
                "or abbreviation should I explain?"
            ),
        )
        return []


class ActionTimescales(_AnswersForAnAuthority):
    """Deadlines from the dates in the message, or remembered from earlier in the chat."""

    checkpoints_only = False

    def name(self) -> str:
        return "action_timescales"

    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, authority: str
    ) -> list[EventType]:
        remembered = RememberedDates(
            tracker.get_slot("referral_date"),
            tracker.get_slot("expected_delivery_date"),
            tracker.get_slot("date_of_birth"),
            tracker.get_slot("unconfirmed_referral_date"),
        )
        today: date = Settings().current_date()
        try:
            answer = answer_timescales(
                message_text(tracker),
                authority,
                timescale_service(),
                knowledge_base(),
                today,
                remembered,
                checkpoints_only=self.checkpoints_only,
            )
        except (DateParseError, OutsideCalendarError) as error:
            send(
                dispatcher,
                Reply(
                    f"{error} Could you give the date again, day first "
                    "(for example 14/12/2026 or 14 December 2026)?"
                ),
            )
            return [SlotSet(EXPECTED_REPLY_SLOT, self.name())]
        send(dispatcher, answer.reply)
        kept = answer.remembered
        return [
            SlotSet("referral_date", kept.referral_date),
            SlotSet("expected_delivery_date", kept.expected_delivery_date),
            SlotSet("date_of_birth", kept.date_of_birth),
            SlotSet("unconfirmed_referral_date", kept.unconfirmed_referral_date),
            SlotSet("last_topic", "timescales"),
            # The engine's ExpectedReplyPolicy sends the next message back here when it is a
            # date, whatever its intent: "the 3rd" answers "when did the referral come in?".
            SlotSet(EXPECTED_REPLY_SLOT, self.name() if answer.asks_for_referral_date else None),
        ]


class ActionCheckpoints(ActionTimescales):
    checkpoints_only = True

    def name(self) -> str:
        return "action_checkpoints"


class ActionShowSection(GuardedAction):
    """The procedure text behind a citation ("show me the text")."""

    def name(self) -> str:
        return "action_show_section"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        section_id = next(tracker.get_latest_entity_values("section_id"), None)
        if section_id is None:
            # Typed words, not a source button: "the section 47 enquiry, what next?" names the
            # Act's section, not one of ours. Answer the question from the procedure instead.
            return ActionAnswerProcedure().run(dispatcher, tracker, domain)
        knowledge = knowledge_base()
        section = knowledge.sections.get(str(section_id))
        if section is None:
            send(dispatcher, Reply("I couldn't find that section. Ask me the question again "
                                   "and use the sources listed with the answer."))  # fmt: skip
            return []
        send(dispatcher, section_text_reply(section, knowledge))
        return []
