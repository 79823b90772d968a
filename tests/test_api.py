"""The public HTTP contract, with a fake engine: shapes, errors and what reaches the engine."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.devstack.processes import free_port
from assistant.settings import Settings
from assistant.web.app import create_app
from tests.conftest import LOCAL_CLIENT, FakeEngineClient

# The one local user of development mode, as the engine is told of them.
DEVELOPER = {"subject": "developer", "role": "manager", "authority": None, "method": "development"}


def test_chat_forwards_the_message_with_the_authority_as_metadata(
    client: TestClient, fake_engine: FakeEngineClient
) -> None:
    response = client.post(
        "/api/chat", json={"conversation_id": "c-1", "message": " hi ", "authority": "kent"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "conversation_id": "c-1",
        "messages": [
            {
                "text": "Hello.",
                "buttons": [{"title": "Help", "payload": "/help"}],
                "citations": [],
                "authority": None,
                "timescales": None,
                "plan": None,
                "progress": None,
            }
        ],
    }
    [sent] = fake_engine.sent
    assert sent["understanding"]["reading"] == "other"  # a greeting is the engine's to answer
    assert {k: v for k, v in sent.items() if k != "understanding"} == {
        "conversation_id": "c-1",
        "message": "hi",
        "metadata": {"authority": "kent", "principal": DEVELOPER},
    }


def test_chat_without_an_authority_sends_no_authority(
    client: TestClient, fake_engine: FakeEngineClient
) -> None:
    response = client.post(
        "/api/chat", json={"conversation_id": "c-2", "message": "hi", "authority": None}
    )
    assert response.status_code == 200
    assert fake_engine.sent[0]["metadata"] == {"principal": DEVELOPER}


def test_unknown_authority_is_404_listing_valid_ids(
    client: TestClient, fake_engine: FakeEngineClient
) -> None:
    response = client.post(
        "/api/chat", json={"conversation_id": "c", "message": "hi", "authority": "narnia"}
    )
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "unknown_authority"
    assert body["valid_values"] == ["gateshead", "blackpool", "kent", "lewisham", "regional"]
    assert "narnia" in body["message"]
    assert fake_engine.sent == []


@pytest.mark.parametrize(
    ("body", "expected_in_message"),
    [
        ({"message": "hi"}, "conversation_id"),
        ({"conversation_id": "c"}, "message"),
        ({"conversation_id": "c", "message": "   "}, "message"),
        ({"conversation_id": "c", "message": "x" * 2001}, "message"),
        ({"conversation_id": "", "message": "hi"}, "conversation_id"),
        ({"conversation_id": "a b/c", "message": "hi"}, "conversation_id"),
        ({"conversation_id": "c", "message": 5}, "message"),
        ({"conversation_id": "c", "message": "hi", "surprise": 1}, "surprise"),
        ([], "body"),
    ],
)
def test_bad_chat_requests_are_422_saying_what_is_wrong(
    client: TestClient, fake_engine: FakeEngineClient, body: object, expected_in_message: str
) -> None:
    response = client.post("/api/chat", json=body)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert expected_in_message in response.json()["message"]
    assert fake_engine.sent == []


def test_malformed_json_is_422(client: TestClient) -> None:
    response = client.post(
        "/api/chat",
        content=b'{"conversation_id": "c", "message": ',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["message"]


def test_a_huge_body_is_refused_before_it_is_parsed(client: TestClient) -> None:
    response = client.post(
        "/api/chat", content=b"x" * 200_000, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "request_too_large"


def test_engine_down_is_503_with_a_json_error(
    client: TestClient, fake_engine: FakeEngineClient
) -> None:
    fake_engine.down = True
    response = client.post("/api/chat", json={"conversation_id": "c", "message": "hi"})
    assert response.status_code == 503
    assert response.json()["error"] == "engine_unavailable"
    assert "not available" in response.json()["message"]


def test_authorities_lists_ids_names_and_versions(client: TestClient) -> None:
    response = client.get("/api/authorities")
    assert response.status_code == 200
    body = response.json()
    assert [a["id"] for a in body] == ["gateshead", "blackpool", "kent", "lewisham", "regional"]
    assert body[0] == {
        "id": "gateshead",
        "name": "Gateshead Council Children's Social Care",
        "source_version": "v38",
        "last_updated": "2024-05-01",
    }


def test_healthz_answers_while_the_engine_is_down(
    client: TestClient, fake_engine: FakeEngineClient
) -> None:
    fake_engine.down = True
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_ready_with_engine_and_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["database"] == {"reachable": True, "writable": True}


@pytest.mark.parametrize("problem", ["engine down", "no model"])
def test_readyz_is_503_when_the_engine_cannot_answer(
    client: TestClient, fake_engine: FakeEngineClient, problem: str
) -> None:
    fake_engine.down = problem == "engine down"
    fake_engine.model_loaded = problem != "no model"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert response.json()["engine"]["model_loaded"] is False


def test_readyz_is_503_when_the_database_is_unreachable(client: TestClient) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    app.state.database = create_engine("sqlite:////nonexistent-folder/app.db")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == {"reachable": False, "writable": False}
    assert response.json()["engine"]["model_loaded"] is True


def test_chat_page_is_served_with_its_assets(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and '<form id="composer"' in page.text
    assert client.get("/static/chat.js").status_code == 200
    assert client.get("/static/chat.css").status_code == 200


def test_with_the_real_engine_client_a_closed_engine_port_is_503(
    test_settings: Settings, knowledge_base: KnowledgeBase
) -> None:
    settings = test_settings.model_copy(update={"engine_url": f"http://127.0.0.1:{free_port()}"})
    with TestClient(
        create_app(settings, knowledge_base=knowledge_base), client=LOCAL_CLIENT
    ) as real:
        response = real.post("/api/chat", json={"conversation_id": "c", "message": "hi"})
        assert response.status_code == 503
        assert response.json()["error"] == "engine_unavailable"
        assert real.get("/readyz").status_code == 503
