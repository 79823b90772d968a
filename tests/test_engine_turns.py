"""A resent turn is answered from the tracker when the engine already handled it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

from engine.turns import earlier_answer, handle_once, turn_id_of


def _user(text: str, turn_id: str | None = None) -> Any:
    return SimpleNamespace(
        type_name="user", text=text, metadata={"turn_id": turn_id} if turn_id else {}
    )


def _bot(text: str) -> Any:
    return SimpleNamespace(
        type_name="bot", text=text, metadata={}, message=lambda: {"text": text, "buttons": []}
    )


def _action(name: str) -> Any:
    return SimpleNamespace(type_name="action", name=name, metadata={})


TRACKER = [
    _action("action_session_start"),
    _user("hello", "t1"),
    _action("utter_greet"),
    _bot("Hello."),
    _action("action_listen"),
    _user("what next", "t2"),
    _action("action_next_step"),
    _bot("First,"),
    _bot("then."),
    _action("action_listen"),
    _user("thanks"),  # a client that sends no turn id
    _bot("You're welcome."),
]


def test_a_handled_turn_is_answered_with_the_bot_messages_that_followed_it() -> None:
    assert [e.text for e in earlier_answer(TRACKER, "t1") or []] == ["Hello."]
    assert [e.text for e in earlier_answer(TRACKER, "t2") or []] == ["First,", "then."]


def test_a_turn_the_tracker_does_not_hold_is_not_handled_yet() -> None:
    assert earlier_answer(TRACKER, "t3") is None
    assert earlier_answer([], "t1") is None


def test_a_handled_turn_that_got_no_message_is_still_handled() -> None:
    silent = [_user("/restart", "t9"), _action("action_restart")]
    assert earlier_answer(silent, "t9") == []


def test_turn_ids_are_non_empty_strings_in_the_metadata() -> None:
    assert turn_id_of({"turn_id": "c1:3", "authority": "kent"}) == "c1:3"
    assert turn_id_of({"turn_id": ""}) is None
    assert turn_id_of({"turn_id": 3}) is None
    assert turn_id_of({"authority": "kent"}) is None
    assert turn_id_of(None) is None


class FakeAgent:
    """Rasa's Agent as handle_once uses it: a lock store, a tracker store, a processor."""

    def __init__(self, events: list[Any]) -> None:
        self.events = events
        self.locked: list[str] = []
        self.holding = False
        self.handled: list[tuple[str, bool]] = []  # (text, whether the lock was held)
        self.lock_store = SimpleNamespace(lock=self._lock)
        self.tracker_store = SimpleNamespace(retrieve=self._retrieve)
        self.processor = SimpleNamespace(handle_message=self._handle)

    def is_ready(self) -> bool:
        return True

    @asynccontextmanager
    async def _lock(self, sender_id: str) -> AsyncIterator[None]:
        self.locked.append(sender_id)
        self.holding = True
        try:
            yield
        finally:
            self.holding = False

    async def _retrieve(self, sender_id: str) -> Any:
        assert self.holding, "the tracker must be read inside the conversation's lock"
        return SimpleNamespace(events=self.events) if self.events else None

    async def _handle(self, message: Any) -> None:
        self.handled.append((message.text, self.holding))


class Collector:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.sent.append((recipient_id, message))


def _message(text: str, turn_id: str | None) -> Any:
    metadata = {"authority": "kent", **({"turn_id": turn_id} if turn_id else {})}
    return SimpleNamespace(text=text, sender_id="c1", metadata=metadata, output_channel=Collector())


def _run(agent: Any, message: Any) -> list[str]:
    rasa_path: list[str] = []

    async def handle(m: Any) -> None:
        rasa_path.append(m.text)

    asyncio.run(handle_once(agent, message, handle))
    return rasa_path


def test_a_resent_turn_the_tracker_holds_is_answered_from_it_and_not_handled_again() -> None:
    agent, message = FakeAgent(TRACKER), _message("what next", "t2")
    assert _run(agent, message) == []
    assert agent.handled == [] and agent.locked == ["c1"]
    assert message.output_channel.sent == [
        ("c1", {"text": "First,", "buttons": []}),
        ("c1", {"text": "then.", "buttons": []}),
    ]


def test_a_new_turn_is_handled_inside_the_conversations_lock() -> None:
    agent = FakeAgent(TRACKER)
    assert _run(agent, _message("and then?", "t3")) == []
    assert agent.handled == [("and then?", True)]
    fresh = FakeAgent([])
    _run(fresh, _message("hello", "t1"))
    assert fresh.handled == [("hello", True)]


def test_a_turn_without_an_id_takes_rasas_own_path() -> None:
    agent = FakeAgent(TRACKER)
    assert _run(agent, _message("what next", None)) == ["what next"]
    assert agent.handled == [] and agent.locked == []
    assert _run(None, _message("what next", "t2")) == ["what next"]
