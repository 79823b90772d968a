"""Limits, idempotency and faults (issue 16 part 3): a body over the limit is refused on the
stream before sign-in, a resent turn is recorded once, a locked or unwritable database is a
clear error, and malformed Teams activities are a 400."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.core.audit import InMemoryCitationLog
from assistant.core.authorities import AuthorityDirectory
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.replies import Citation, Reply
from assistant.settings import Settings
from assistant.store.database import DatabaseFileError, create_database_engine
from assistant.store.migrate import upgrade_to_latest
from assistant.store.models import AuditRecord, CitationRecord
from assistant.store.turns import SqlTurnLedger
from assistant.web.app import MAX_BODY_BYTES, create_app
from assistant.web.conversation import ConversationService
from tests.conftest import LOCAL_CLIENT, FakeEngineClient
from tests.test_sign_in import make_client, signed_in_settings
from tests.transcript_fakes import FakeTranscript, InMemoryTurnLedger

CHUNK = 16 * 1024


@pytest.fixture
def signed_in_api(
    tmp_path: Path,
    fake_engine: FakeEngineClient,
    knowledge_base: KnowledgeBase,
    jwks: dict[str, Any],
) -> Iterator[TestClient]:
    with make_client(signed_in_settings(tmp_path), fake_engine, knowledge_base, jwks) as client:
        yield client


def _stream_request(
    client: TestClient, path: str, total_bytes: int, headers: list[tuple[bytes, bytes]]
) -> tuple[int, dict[str, Any], int]:
    """Send `total_bytes` in chunks straight to the ASGI app (the test client would read a
    body in full first): the status, the JSON answer and how many bytes the app pulled."""
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled >= total_bytes:
            return {"type": "http.disconnect"}
        pulled += CHUNK
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": pulled < total_bytes}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), *headers],
        "client": ("203.0.113.9", 40000),
        "server": ("testserver", 80),
    }
    assert client.portal is not None
    client.portal.call(client.app, scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body), pulled


@pytest.mark.parametrize("path", ["/api/chat", "/api/plans", "/api/messages"])
def test_a_chunked_body_over_the_limit_is_refused_on_the_stream_before_sign_in(
    signed_in_api: TestClient, path: str
) -> None:
    status, body, pulled = _stream_request(
        signed_in_api, path, 20 * 1024 * 1024, [(b"transfer-encoding", b"chunked")]
    )
    assert (status, body["error"]) == (413, "request_too_large")
    # Reading stopped at the first chunk past the limit, not at the end of the 20 MB.
    assert pulled <= MAX_BODY_BYTES + CHUNK


def test_a_chunked_body_within_the_limit_reaches_the_route_intact(
    signed_in_api: TestClient,
) -> None:
    status, body, _ = _stream_request(
        signed_in_api, "/api/chat", 4 * CHUNK, [(b"transfer-encoding", b"chunked")]
    )
    # The route read all of it (x...x is not JSON), rather than a 413.
    assert status == 422 and "not valid JSON" in body["message"]


def test_a_declared_length_over_the_limit_is_refused_without_reading(
    signed_in_api: TestClient,
) -> None:
    status, body, pulled = _stream_request(
        signed_in_api, "/api/chat", 10 * MAX_BODY_BYTES, [(b"content-length", b"999999999")]
    )
    assert (status, body["error"], pulled) == (413, "request_too_large", 0)


def test_a_content_length_that_is_not_a_number_is_a_400(signed_in_api: TestClient) -> None:
    status, body, _ = _stream_request(
        signed_in_api, "/api/chat", CHUNK, [(b"content-length", b"x")]
    )
    assert status == 400 and "Content-Length" in body["message"]


def test_a_small_chunked_json_body_is_answered_normally(
    test_settings: Any, fake_engine: FakeEngineClient, knowledge_base: KnowledgeBase
) -> None:
    app = create_app(test_settings, engine_client=fake_engine, knowledge_base=knowledge_base)  # type: ignore[arg-type]
    with TestClient(app, client=("127.0.0.1", 5000)) as client:
        payload = json.dumps({"conversation_id": "c-1", "message": "hi"}).encode()
        response = client.post(
            "/api/chat",
            content=iter([payload[:10], payload[10:]]),
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 200, response.text
    assert fake_engine.sent[0]["message"] == "hi"


# --- Idempotency: a resent turn is recorded once -------------------------------------------


def _rows(client: TestClient, table: type[Any]) -> int:
    with Session(client.app.state.database) as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_a_resent_turn_is_answered_but_recorded_once(
    client: TestClient, fake_engine: FakeEngineClient, knowledge_base: KnowledgeBase
) -> None:
    section = next(s for s in knowledge_base.section_hashes if s.startswith("kent/"))
    fake_engine.replies = [
        Reply("Sources.", citations=(Citation("kent", section, "A", "v1", quote="It must."),))
    ]
    body = {"conversation_id": "c-idem", "message": "what next?", "authority": "kent"}
    for _ in range(3):
        response = client.post("/api/chat", json=body, headers={"Idempotency-Key": "turn-1"})
        assert response.status_code == 200
        assert response.json()["messages"][0]["text"] == "Sources."
    # The engine saw every send (it answers a resend from its tracker, engine/turns.py).
    assert [s["metadata"]["turn_id"] for s in fake_engine.sent] == ["turn-1"] * 3
    history = client.get("/api/chat/c-idem/messages").json()["messages"]
    assert [m["role"] for m in history] == ["worker", "assistant"]
    assert _rows(client, AuditRecord) == 1
    assert _rows(client, CitationRecord) == 1
    # Another key is another turn.
    client.post("/api/chat", json=body, headers={"Idempotency-Key": "turn-2"})
    assert len(client.get("/api/chat/c-idem/messages").json()["messages"]) == 4
    assert _rows(client, AuditRecord) == 2


def test_a_key_reused_with_other_text_is_a_409_and_reaches_nothing(
    client: TestClient, fake_engine: FakeEngineClient
) -> None:
    first = {"conversation_id": "c-409", "message": "what next?"}
    assert client.post("/api/chat", json=first, headers={"Idempotency-Key": "k"}).status_code == 200
    other = {**first, "message": "something else"}
    response = client.post("/api/chat", json=other, headers={"Idempotency-Key": "k"})
    assert response.status_code == 409
    assert response.json()["error"] == "idempotency_key_reused"
    assert len(fake_engine.sent) == 1
    assert len(client.get("/api/chat/c-409/messages").json()["messages"]) == 2
    # The same key in another conversation is a different turn.
    elsewhere = {**other, "conversation_id": "c-410"}
    assert (
        client.post("/api/chat", json=elsewhere, headers={"Idempotency-Key": "k"}).status_code
        == 200
    )


def test_a_turn_whose_records_fail_is_recorded_by_its_resend(
    authorities: AuthorityDirectory, knowledge_base: KnowledgeBase
) -> None:
    transcript, ledger = FakeTranscript(), InMemoryTurnLedger()
    failing = {"times": 1}

    def append(entries: Any) -> None:
        if failing["times"]:
            failing["times"] -= 1
            raise OSError("disk full")
        FakeTranscript.append(transcript, entries)

    transcript.append = append  # type: ignore[method-assign]
    service = ConversationService(
        authorities,
        FakeEngineClient(),  # type: ignore[arg-type]
        knowledge_base,
        InMemoryCitationLog(),
        transcript=transcript,
        turns=ledger,
        turn_secret=b"s" * 32,
    )
    with pytest.raises(OSError):
        asyncio.run(service.turn("c", "hello", None, turn_id="t"))
    assert ledger.keys == {}
    asyncio.run(service.turn("c", "hello", None, turn_id="t"))
    asyncio.run(service.turn("c", "hello", None, turn_id="t"))
    assert [e.role for e in transcript.entries("c")] == ["worker", "assistant"]
    # The ledger keeps a keyed fingerprint, not the message.
    assert "hello" not in repr(ledger.keys)


def test_the_sql_ledger_records_a_key_once(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'app.db'}")
    upgrade_to_latest(engine)
    ledger = SqlTurnLedger(engine)
    now = datetime(2026, 11, 23, tzinfo=UTC)
    assert ledger.fingerprint_of("k") is None
    assert ledger.record("k", "f" * 64, now) is True
    assert ledger.record("k", "f" * 64, now) is False
    assert ledger.fingerprint_of("k") == "f" * 64
    ledger.forget("k")
    assert ledger.fingerprint_of("k") is None
    engine.dispose()


# --- A locked or unwritable database ---------------------------------------------------------


@pytest.fixture
def quick_lock_client(
    test_settings: Settings, fake_engine: FakeEngineClient, knowledge_base: KnowledgeBase
) -> Iterator[TestClient]:
    settings = test_settings.model_copy(update={"database_busy_timeout_seconds": 0.2})
    app = create_app(settings, engine_client=fake_engine, knowledge_base=knowledge_base)  # type: ignore[arg-type]
    with TestClient(app, client=LOCAL_CLIENT) as client:
        yield client


def _hold_write_lock(settings: Settings) -> sqlite3.Connection:
    """Another process's long write: it holds SQLite's write lock until closed."""
    path = settings.database_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    return holder


def test_a_locked_database_is_a_json_503_and_not_ready(
    quick_lock_client: TestClient, test_settings: Settings, fake_engine: FakeEngineClient
) -> None:
    client = quick_lock_client
    assert client.get("/readyz").json()["database"] == {"reachable": True, "writable": True}
    holder = _hold_write_lock(test_settings)
    try:
        response = client.post("/api/chat", json={"conversation_id": "c", "message": "hi"})
        assert response.status_code == 503
        assert response.json()["error"] == "database_unavailable"
        assert "try again" in response.json()["message"]
        assert fake_engine.sent == []  # refused before the engine saw it
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["status"] == "not ready"
        assert ready.json()["database"] == {"reachable": True, "writable": False}
    finally:
        holder.close()
    assert client.get("/readyz").status_code == 200
    response = client.post("/api/chat", json={"conversation_id": "c", "message": "hi"})
    assert response.status_code == 200


@pytest.mark.parametrize("companion", ["-shm", "-wal", ""])
def test_an_unwritable_sqlite_file_stops_start_up_with_a_message(
    tmp_path: Path, companion: str
) -> None:
    database = tmp_path / "app.db"
    create_database_engine(f"sqlite:///{database}").dispose()
    database.touch()
    blocked = Path(f"{database}{companion}")
    if companion:
        blocked.mkdir()  # not a file: nobody, root included, can open it for writing
    else:
        database.unlink()
        database.mkdir()
    with pytest.raises(DatabaseFileError, match="cannot be opened for writing") as caught:
        create_database_engine(f"sqlite:///{database}")
    assert str(blocked) in str(caught.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any file whatever its mode")
def test_a_read_only_shm_file_stops_start_up(tmp_path: Path) -> None:
    database = tmp_path / "app.db"
    database.touch()
    shm = Path(f"{database}-shm")
    shm.write_bytes(b"")
    shm.chmod(0o444)
    with pytest.raises(DatabaseFileError, match="-shm"):
        create_database_engine(f"sqlite:///{database}")


def test_the_web_app_does_not_start_on_an_unwritable_shm_file(
    test_settings: Settings, fake_engine: FakeEngineClient, knowledge_base: KnowledgeBase
) -> None:
    path = Path(test_settings.database_url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    Path(f"{path}-shm").mkdir()
    app = create_app(test_settings, engine_client=fake_engine, knowledge_base=knowledge_base)  # type: ignore[arg-type]
    with pytest.raises(DatabaseFileError, match="-shm"), TestClient(app):
        pass
