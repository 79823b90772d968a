"""The conversation transcript: the repository (fake, SQLite, PostgreSQL) with one contract,
what a turn records (and that a failed turn records nothing), and GET /api/chat/{id}/messages."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.core.audit import InMemoryCitationLog
from assistant.core.authorities import AuthorityDirectory
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.replies import Button, Citation, Reply
from assistant.core.transcript import Transcript, TranscriptEntry, worker_body
from assistant.engine_client import EngineUnavailableError
from assistant.store.database import create_database_engine
from assistant.store.migrate import upgrade_to_latest
from assistant.store.transcript import SqlTranscript
from assistant.web.conversation import ConversationService
from tests.conftest import FakeEngineClient
from tests.transcript_fakes import FakeTranscript

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def entry(conversation: str, role: str, text: str, minutes: int = 0) -> TranscriptEntry:
    return TranscriptEntry(
        conversation,
        "worker" if role == "worker" else "assistant",
        {"text": text},
        NOW + timedelta(minutes=minutes),
    )


@pytest.fixture(
    params=["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def transcript(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Transcript]:
    """The fake and the SQL transcript on each backend: one contract for all three."""
    if request.param == "fake":
        yield FakeTranscript()
        return
    url = (
        f"sqlite:///{tmp_path / 'transcript.db'}"
        if request.param == "sqlite"
        else str(request.getfixturevalue("postgres_database_url"))
    )
    engine = create_database_engine(url)
    upgrade_to_latest(engine)
    yield SqlTranscript(engine)
    engine.dispose()


def test_entries_come_back_in_order_per_conversation(transcript: Transcript) -> None:
    transcript.append([entry("c1", "worker", "hello"), entry("c1", "assistant", "Hi.")])
    transcript.append([entry("c2", "worker", "other conversation")])
    transcript.append([entry("c1", "worker", "second", 1), entry("c1", "assistant", "Yes.", 1)])
    assert [e.body["text"] for e in transcript.entries("c1")] == ["hello", "Hi.", "second", "Yes."]
    assert [e.role for e in transcript.entries("c1")] == [
        "worker",
        "assistant",
        "worker",
        "assistant",
    ]
    assert [e.body["text"] for e in transcript.entries("c2")] == ["other conversation"]


def test_the_latest_entries_oldest_first_when_limited(transcript: Transcript) -> None:
    transcript.append([entry("c1", "worker", str(n), n) for n in range(5)])
    assert [e.body["text"] for e in transcript.entries("c1", limit=2)] == ["3", "4"]
    assert transcript.entries("c1", limit=0) == []


def test_an_unknown_conversation_has_no_entries(transcript: Transcript) -> None:
    assert transcript.entries("never-used") == []
    transcript.append([])  # nothing to add is fine
    assert transcript.entries("never-used") == []


def test_bodies_and_times_survive_the_round_trip(transcript: Transcript) -> None:
    body = {
        "text": "Dates — Kent procedure.",
        "buttons": [{"title": "Show the checkpoints", "payload": "/checkpoints"}],
        "citations": [{"section_id": "kent/11-timescales", "quote": "within 45 working days"}],
        "timescales": {"authority": "kent", "dates": [{"label": "Due", "date": "2027-02-18"}]},
        "plan": {"id": "3fa2b1c9d0", "version": 2},
    }
    transcript.append([TranscriptEntry("c1", "assistant", body, NOW)])
    (stored,) = transcript.entries("c1")
    assert stored.body == body
    assert stored.created_at == NOW and stored.created_at.tzinfo is not None
    assert stored.conversation_id == "c1"


def test_a_quick_reply_is_kept_as_its_title_with_its_payload() -> None:
    offered = [
        entry("c", "worker", "earlier"),
        TranscriptEntry(
            "c",
            "assistant",
            {
                "text": "Is she pregnant?",
                "buttons": [
                    {"title": "Yes, she is", "payload": "/affirm"},
                    {"title": "No", "payload": "/deny"},
                ],
            },
            NOW,
        ),
    ]
    assert worker_body("/affirm", offered) == {"text": "Yes, she is", "payload": "/affirm"}
    assert worker_body("/affirm please", offered) == {"text": "/affirm please"}
    # Only buttons offered since the worker last spoke count.
    assert worker_body("/affirm", [*offered, entry("c", "worker", "typed")]) == {"text": "/affirm"}


def service(
    authorities: AuthorityDirectory,
    knowledge_base: KnowledgeBase,
    engine: FakeEngineClient,
    transcript: Transcript,
) -> ConversationService:
    return ConversationService(
        authorities,
        engine,  # type: ignore[arg-type]
        knowledge_base,
        InMemoryCitationLog(),
        transcript=transcript,
        clock=lambda: NOW,
    )


def test_a_turn_records_the_message_then_the_replies(
    authorities: AuthorityDirectory, knowledge_base: KnowledgeBase
) -> None:
    engine, transcript = FakeEngineClient(), FakeTranscript()
    engine.replies = [
        Reply("Which authority?", (Button("Kent", "/choose_authority"),)),
        Reply("Sources.", citations=(Citation("kent", "kent/a", "A", "v1", quote="It must."),)),
    ]
    turns = service(authorities, knowledge_base, engine, transcript)
    asyncio.run(turns.turn("c1", "hello", "kent"))
    asyncio.run(turns.turn("c1", "/choose_authority", None))
    stored = transcript.entries("c1")
    assert [(e.role, e.body["text"]) for e in stored] == [
        ("worker", "hello"),
        ("assistant", "Which authority?"),
        ("assistant", "Sources."),
        ("worker", "Kent"),
        ("assistant", "Which authority?"),
        ("assistant", "Sources."),
    ]
    assert stored[2].body["citations"][0]["quote"] == "It must."
    assert stored[3].body["payload"] == "/choose_authority"
    assert asyncio.run(turns.history("c1")) == stored


def test_a_failed_turn_records_nothing(
    authorities: AuthorityDirectory, knowledge_base: KnowledgeBase
) -> None:
    engine, transcript = FakeEngineClient(), FakeTranscript()
    engine.down = True
    turns = service(authorities, knowledge_base, engine, transcript)
    with pytest.raises(EngineUnavailableError):
        asyncio.run(turns.turn("c1", "hello", None))
    assert transcript.entries("c1") == []


def test_without_a_transcript_nothing_is_kept(
    authorities: AuthorityDirectory, knowledge_base: KnowledgeBase
) -> None:
    turns = ConversationService(
        authorities,
        FakeEngineClient(),  # type: ignore[arg-type]
        knowledge_base,
        InMemoryCitationLog(),
    )
    asyncio.run(turns.turn("c1", "hello", None))
    assert asyncio.run(turns.history("c1")) == []


# --- GET /api/chat/{conversation_id}/messages -----------------------------------------------


def test_the_history_endpoint_returns_the_conversation_as_it_was_shown(
    client: TestClient, fake_engine: FakeEngineClient
) -> None:
    fake_engine.replies = [
        Reply(
            "Dates.",
            (Button("Yes, she is", "/affirm"),),
            (Citation("kent", "kent/11-timescales", "11. Timescales", "v", quote="45 days"),),
            extras={"timescales": {"authority": "kent", "dates": []}},
        )
    ]
    client.post("/api/chat", json={"conversation_id": "web-1", "message": "when?"})
    client.post("/api/chat", json={"conversation_id": "web-1", "message": "/affirm"})
    response = client.get("/api/chat/web-1/messages")
    assert response.status_code == 200
    body = response.json()
    assert body["conversation_id"] == "web-1"
    messages = body["messages"]
    assert [(m["role"], m["text"]) for m in messages] == [
        ("worker", "when?"),
        ("assistant", "Dates."),
        ("worker", "Yes, she is"),
        ("assistant", "Dates."),
    ]
    assert messages[1]["citations"][0]["quote"] == "45 days"
    assert messages[1]["timescales"] == {"authority": "kent", "dates": []}
    assert messages[1]["buttons"] == [{"title": "Yes, she is", "payload": "/affirm"}]
    assert messages[2]["payload"] == "/affirm" and "payload" not in messages[0]
    assert all(datetime.fromisoformat(m["created_at"]).tzinfo is not None for m in messages)


def test_the_chat_response_is_unchanged_by_the_transcript(
    client: TestClient, fake_engine: FakeEngineClient
) -> None:
    fake_engine.replies = [
        Reply("See.", citations=(Citation("kent", "kent/11-timescales", "11. Timescales", "v"),))
    ]
    response = client.post("/api/chat", json={"conversation_id": "c", "message": "hi"})
    (message,) = response.json()["messages"]
    assert set(message) == {
        "text",
        "buttons",
        "citations",
        "authority",
        "timescales",
        "plan",
        "progress",
    }
    # A citation without a quote has exactly the contract's fields.
    assert set(message["citations"][0]) == {
        "authority",
        "section_id",
        "title",
        "topics",
        "source_version",
    }


def test_an_unknown_conversation_is_not_found_as_someone_else_s_is(client: TestClient) -> None:
    response = client.get("/api/chat/never-used/messages")
    assert response.status_code == 404
    assert response.json()["error"] == "conversation_not_found"


@pytest.mark.parametrize("bad", ["has space", "semi;colon", "x" * 129, "%20"])
def test_a_bad_conversation_id_is_422_like_in_chat(client: TestClient, bad: str) -> None:
    response = client.get(f"/api/chat/{bad}/messages")
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    chat = client.post(
        "/api/chat", json={"conversation_id": bad.replace("%20", " "), "message": "x"}
    )
    assert chat.status_code == 422


def test_a_failed_turn_over_http_leaves_no_history(
    client: TestClient, fake_engine: FakeEngineClient
) -> None:
    fake_engine.down = True
    response = client.post("/api/chat", json={"conversation_id": "down", "message": "hello"})
    assert response.status_code == 503
    assert client.get("/api/chat/down/messages").json()["messages"] == []
    fake_engine.down = False
    client.post("/api/chat", json={"conversation_id": "down", "message": "again"})
    texts = [m["text"] for m in client.get("/api/chat/down/messages").json()["messages"]]
    assert texts == ["again", "Hello."]
