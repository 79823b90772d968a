"""Custom actions with Tracker.from_dict fixtures and a CollectingDispatcher (no engine)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.adapters import conversation_authority, latest_user_metadata
from actions.authorities import ActionChooseAuthority


def make_tracker(
    text: str,
    intent: str,
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    slots: dict[str, Any] | None = None,
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.98},
        "entities": entities or [],
    }
    return Tracker.from_dict(
        {
            "sender_id": "worker-1",
            "slots": slots or {},
            "latest_message": latest,
            "events": [
                {"event": "action", "name": "action_listen"},
                {"event": "user", "text": text, "parse_data": latest, "metadata": metadata or {}},
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def run_action(tracker: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = ActionChooseAuthority().run(dispatcher, tracker, domain={})
    return dispatcher.messages, events


def test_naming_an_authority_sets_the_slot_and_confirms() -> None:
    tracker = make_tracker(
        "I work for Kent",
        "choose_authority",
        entities=[{"entity": "authority", "value": "kent", "start": 11, "end": 15}],
    )
    messages, events = run_action(tracker)
    assert events == [SlotSet("authority", "kent")]
    assert len(messages) == 1
    custom = messages[0]["custom"]
    assert custom["authority"] == "kent"
    assert "Kent County Council Integrated Children's Services" in custom["text"]
    assert custom["buttons"] == [] and custom["citations"] == []


def test_asking_which_authorities_offers_a_button_for_each_and_sets_nothing() -> None:
    messages, events = run_action(make_tracker("which councils?", "ask_authorities"))
    assert events == []
    buttons = messages[0]["custom"]["buttons"]
    assert [b["title"] for b in buttons] == [
        "Gateshead",
        "Blackpool",
        "Kent",
        "Lewisham",
        "Regional partnership",
    ]
    assert buttons[0]["payload"] == '/choose_authority{"authority": "gateshead"}'


def test_an_unknown_authority_is_said_back_with_the_current_one_from_metadata() -> None:
    tracker = make_tracker(
        "use Narnia",
        "choose_authority",
        entities=[{"entity": "authority", "value": "Narnia"}],
        metadata={"authority": "lewisham"},
    )
    messages, events = run_action(tracker)
    assert events == []
    text = messages[0]["custom"]["text"]
    assert '"Narnia"' in text and "London Borough of Lewisham" in text


@pytest.mark.parametrize(
    ("metadata", "slots", "expected"),
    [
        ({"authority": "kent"}, {"authority": "lewisham"}, "kent"),
        ({}, {"authority": "lewisham"}, "lewisham"),
        ({"authority": ""}, {}, None),
        ({}, {}, None),
    ],
)
def test_the_channel_authority_wins_over_the_slot(
    metadata: dict[str, Any], slots: dict[str, Any], expected: str | None
) -> None:
    tracker = make_tracker("hi", "greet", metadata=metadata, slots=slots)
    assert conversation_authority(tracker) == expected


def test_metadata_comes_from_the_latest_user_event() -> None:
    tracker = make_tracker("hi", "greet", metadata={"authority": "kent"})
    assert latest_user_metadata(tracker) == {"authority": "kent"}


def test_the_action_server_registers_exactly_the_domains_actions() -> None:
    import yaml
    from rasa_sdk.executor import ActionExecutor

    from assistant.settings import PROJECT_ROOT

    executor = ActionExecutor()
    executor.register_package("actions")
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    assert sorted(executor.actions) == sorted(domain["actions"])
