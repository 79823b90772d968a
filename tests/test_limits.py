"""Limits, idempotency and faults (issue 16 part 3): a body over the limit is refused on the
stream before sign-in, a resent turn is recorded once, a locked or unwritable database is a
clear error, and malformed Teams activities are a 400."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.web.app import MAX_BODY_BYTES, create_app
from tests.conftest import FakeEngineClient
from tests.test_sign_in import make_client, signed_in_settings

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
