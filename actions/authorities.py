"""Choosing the authority whose procedure the conversation follows."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.adapters import authority_directory, conversation_authority, send
from actions.guarded import GuardedAction
from actions.guidance import answer_question
from assistant.core.authority_choice import choose_authority


class ActionChooseAuthority(GuardedAction):
    def name(self) -> str:
        return "action_choose_authority"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        requested = next(tracker.get_latest_entity_values("authority"), None)
        choice = choose_authority(
            authority_directory(), requested, current=conversation_authority(tracker)
        )
        send(dispatcher, choice.reply)
        if not choice.chosen:
            return []
        events: list[EventType] = [SlotSet("authority", choice.chosen.id)]
        pending = tracker.get_slot("pending_question")
        if isinstance(pending, str) and pending.strip():
            # The question asked before the authority was known, answered now it is.
            events += answer_question(dispatcher, tracker, choice.chosen.id, pending, False)
        return events
