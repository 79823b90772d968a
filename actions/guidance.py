"""Answers from the procedure, timescales, the glossary, and disclosures of harm."""

from __future__ import annotations

import abc
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.adapters import authority_directory, conversation_authority, send
from actions.adapters_knowledge import knowledge_base, timescale_service
from assistant.core.authority_choice import ask_for_authority
from assistant.core.guidance.other_answers import (
    DANGER_FIRST_LINE,
    answer_danger,
    explain_term,
    section_text_reply,
)
from assistant.core.guidance.procedure_answer import answer_from_procedure
from assistant.core.guidance.timescale_answer import RememberedDates, answer_timescales
from assistant.core.replies import Reply
from assistant.core.timescales.dates import DateParseError
from assistant.core.timescales.working_days import OutsideCalendarError
from assistant.settings import Settings


def _text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def _authority_or_ask(dispatcher: CollectingDispatcher, tracker: Tracker) -> str | None:
    """The conversation's authority; without one, ask for it rather than guess."""
    authority = conversation_authority(tracker)
    if authority is not None and authority in authority_directory().ids:
        return authority
    send(dispatcher, ask_for_authority(authority_directory()))
    return None


class _AnswersForAnAuthority(Action, abc.ABC):
    """An action that needs the worker's authority: without one it asks, and stops there.

    Abstract, so that rasa-sdk does not register it as an action of its own.
    """

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        authority = _authority_or_ask(dispatcher, tracker)
        if authority is None:
            return []
        return self.answer(dispatcher, tracker, authority)

    @abc.abstractmethod
    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, authority: str
    ) -> list[EventType]: ...


class ActionAnswerProcedure(_AnswersForAnAuthority):
    def name(self) -> str:
        return "action_answer_procedure"

    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, authority: str
    ) -> list[EventType]:
        answer = answer_from_procedure(
            _text(tracker), authority, knowledge_base(), tracker.get_slot("last_topic")
        )
        send(dispatcher, answer.reply)
        return [SlotSet("last_topic", answer.topic)] if answer.topic else []


class ActionReportDanger(Action):
    def name(self) -> str:
        return "action_report_danger"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        authority = conversation_authority(tracker)
        if authority not in authority_directory().ids:
            # Safety first, even before we know the authority.
            send(dispatcher, Reply(DANGER_FIRST_LINE))
            _authority_or_ask(dispatcher, tracker)
            return []
        assert authority is not None
        send(dispatcher, answer_danger(_text(tracker), authority, knowledge_base()))
        return [SlotSet("last_topic", "police-notification")]


class ActionExplainTerm(Action):
    def name(self) -> str:
        return "action_explain_term"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        authority = conversation_authority(tracker)
        reply = explain_term(_text(tracker), knowledge_base(), authority)
        if reply is None and authority in authority_directory().ids:
            assert authority is not None
            reply = answer_from_procedure(_text(tracker), authority, knowledge_base()).reply
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
        )
        today: date = Settings().current_date()
        try:
            answer = answer_timescales(
                _text(tracker),
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
            return []
        send(dispatcher, answer.reply)
        kept = answer.remembered
        return [
            SlotSet("referral_date", kept.referral_date),
            SlotSet("expected_delivery_date", kept.expected_delivery_date),
            SlotSet("date_of_birth", kept.date_of_birth),
            SlotSet("last_topic", "timescales"),
        ]


class ActionCheckpoints(ActionTimescales):
    checkpoints_only = True

    def name(self) -> str:
        return "action_checkpoints"


class ActionShowSection(Action):
    """The procedure text behind a citation ("show me the text")."""

    def name(self) -> str:
        return "action_show_section"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        section_id = next(tracker.get_latest_entity_values("section_id"), None)
        knowledge = knowledge_base()
        section = knowledge.sections.get(str(section_id)) if section_id else None
        if section is None:
            send(dispatcher, Reply("I couldn't find that section. Ask me the question again "
                                   "and use the sources listed with the answer."))  # fmt: skip
            return []
        send(dispatcher, section_text_reply(section, knowledge))
        return []
