"""An action that raises says sorry, answers from the procedure, and the conversation goes on."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.guarded import SORRY
from actions.guarded import _guard as guard
from actions.plans import ActionStartPlan
from assistant.core.replies import Reply
from tests.principals import KIM, turn_metadata
from tests.test_actions import make_tracker


class Breaks:
    """Fails like an action would. Not an Action subclass: rasa-sdk registers every one it
    finds, and a test's would then be served by the action server."""

    def name(self) -> str:
        return "action_that_breaks"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(json_message=Reply("half an answer").to_json())
        raise RuntimeError("the store is down")


class ActionThatBreaks:
    """`Breaks` with the safety net GuardedAction gives every action."""

    def __init__(self) -> None:
        self._breaks = Breaks()

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return guard(Breaks.run)(self._breaks, dispatcher, tracker, domain)


def test_a_failing_action_apologises_and_still_answers_from_the_procedure() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "do I have to see the child alone?", "see_child_alone", metadata={"authority": "kent"}
    )
    events = ActionThatBreaks().run(dispatcher, tracker, {})
    assert events == []
    [message] = [m["custom"] for m in dispatcher.messages]  # the half answer is gone
    assert message["text"].startswith(SORRY)
    assert "Here is what your procedure says" in message["text"]
    assert message["citations"] and message["citations"][0]["authority"] == "kent"


def test_without_an_authority_the_apology_stands_alone() -> None:
    dispatcher = CollectingDispatcher()
    ActionThatBreaks().run(dispatcher, make_tracker("hello", "greet"), {})
    assert [m["custom"]["text"] for m in dispatcher.messages] == [SORRY]


def test_every_real_action_is_guarded(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("no database")

    monkeypatch.setattr("actions.plans.plan_service", broken)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "help me plan", "plan_assessment", metadata=turn_metadata(KIM, authority="kent")
    )
    assert ActionStartPlan().run(dispatcher, tracker, {}) == []
    assert dispatcher.messages[-1]["custom"]["text"].startswith(SORRY)
    assert getattr(ActionStartPlan.run, "guarded", False)
