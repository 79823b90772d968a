"""A turn resent with the same Idempotency-Key is answered once, by the real engine."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import httpx
import pytest

from assistant.devstack.processes import Stack

pytestmark = pytest.mark.integration


def _send(stack: Stack, conversation: str, message: str, key: str | None) -> Any:
    response = httpx.post(
        f"{stack.config.web_url}/api/chat",
        json={"conversation_id": conversation, "message": message, "authority": "kent"},
        headers={"Idempotency-Key": key} if key else {},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return [m["text"] for m in response.json()["messages"]]


def _user_events(stack: Stack, conversation: str) -> list[tuple[str, str | None]]:
    with sqlite3.connect(stack.config.tracker_db) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
            (conversation,),
        ).fetchall()
    events = [json.loads(data) for (data,) in rows]
    return [(e["text"], (e.get("metadata") or {}).get("turn_id")) for e in events]


def test_a_resent_turn_is_answered_from_the_tracker_not_handled_twice(stack: Stack) -> None:
    first = _send(stack, "idem-1", "what is a section 47 enquiry", "idem-1:0")
    again = _send(stack, "idem-1", "what is a section 47 enquiry", "idem-1:0")
    assert again == first and first
    _send(stack, "idem-1", "thanks", "idem-1:1")
    assert _user_events(stack, "idem-1") == [
        ("what is a section 47 enquiry", "idem-1:0"),
        ("thanks", "idem-1:1"),
    ]


def test_without_a_key_the_same_message_twice_is_two_turns(stack: Stack) -> None:
    _send(stack, "idem-2", "thanks", None)
    _send(stack, "idem-2", "thanks", None)
    assert [text for text, _ in _user_events(stack, "idem-2")] == ["thanks", "thanks"]
