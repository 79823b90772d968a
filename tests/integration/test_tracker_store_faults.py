"""When the tracker store fails, the engine refuses the turn (503) instead of Rasa's fail-safe
carrying on with a fresh conversation or one kept only in memory; once the database is back,
the conversation goes on with its history, and the refused turn left no event behind."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from assistant.devstack.processes import Stack

pytestmark = pytest.mark.integration


@contextmanager
def tracker_store_down(tracker_db: Path) -> Iterator[None]:
    """Rasa opens the SQLite file for each session (SQLAlchemy 1.4 uses no pool for files),
    so a directory where the file was makes every read and write fail until it is put back."""
    aside = tracker_db.with_suffix(".aside")
    tracker_db.rename(aside)
    tracker_db.mkdir()
    try:
        yield
    finally:
        tracker_db.rmdir()
        aside.rename(tracker_db)


def user_texts(tracker_db: Path, sender: str) -> list[str]:
    with sqlite3.connect(tracker_db) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
            (sender,),
        ).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


def test_a_failing_tracker_store_is_a_503_and_the_conversation_survives(stack: Stack) -> None:
    base = stack.config.web_url
    conversation = f"fault-{uuid.uuid4().hex[:8]}"

    def say(text: str) -> httpx.Response:
        body = {"conversation_id": conversation, "message": text, "authority": "kent"}
        return httpx.post(f"{base}/api/chat", json=body, timeout=60)

    first = say("what is a section 47 enquiry")
    assert first.status_code == 200 and first.json()["messages"]

    with tracker_store_down(stack.config.tracker_db):
        refused = say("what are the timescales")
        assert refused.status_code == 503
        assert refused.json()["error"] == "engine_unavailable"
        ready = httpx.get(f"{base}/readyz", timeout=30)
        assert ready.status_code == 503
        assert ready.json()["engine"]["detail"] == "tracker store unavailable: turns are refused"

    assert httpx.get(f"{base}/readyz", timeout=30).status_code == 200
    again = say("what are the timescales")
    assert again.status_code == 200 and again.json()["messages"]
    # Both answered turns are in the store once each; the refused one is not there at all,
    # and the conversation was not started afresh (its first turn is still its first).
    assert user_texts(stack.config.tracker_db, conversation) == [
        "what is a section 47 enquiry",
        "what are the timescales",
    ]
