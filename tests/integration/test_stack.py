"""The whole assistant, for real: Rasa 3.6 engine, rasa-sdk action server, web app."""

from __future__ import annotations

import json
import socket
import sqlite3
from typing import Any

import httpx
import pytest

from assistant.devstack.processes import Stack

pytestmark = pytest.mark.integration


def chat(stack: Stack, conversation: str, message: str, authority: str | None = None) -> Any:
    response = httpx.post(
        f"{stack.config.web_url}/api/chat",
        json={"conversation_id": conversation, "message": message, "authority": authority},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_readyz_sees_the_engine_with_its_model_and_the_database(stack: Stack) -> None:
    body = httpx.get(f"{stack.config.web_url}/readyz").json()
    assert body["status"] == "ready"
    assert body["engine"]["model_loaded"] is True
    assert body["engine"]["detail"] == stack.config.model.name
    assert body["database"]["reachable"] is True


def test_a_conversation_with_a_plain_response_and_a_custom_action(stack: Stack) -> None:
    greeting = chat(stack, "int-1", "hello")
    assert greeting["conversation_id"] == "int-1"
    assert "assessment procedure" in greeting["messages"][0]["text"]
    assert [b["payload"] for b in greeting["messages"][0]["buttons"]] == [
        "/help",
        "/ask_authorities",
    ]

    chosen = chat(stack, "int-1", "I work for Kent")
    [message] = chosen["messages"]
    assert message["authority"] == "kent"
    assert "Kent County Council Integrated Children's Services" in message["text"]

    # The engine applied the action's SlotSet: it is in the tracker store...
    with sqlite3.connect(stack.config.tracker_db) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'slot'", ("int-1",)
        ).fetchall()
    assert any('"name": "authority"' in r[0] and '"value": "kent"' in r[0] for r in rows)

    # ...and the engine sends it back to the next action: with no authority from the
    # channel, the action falls back to the slot.
    listing = chat(stack, "int-1", "which authorities do you cover?")
    text = listing["messages"][0]["text"]
    assert "currently working to the procedure of Kent County Council" in text
    assert len(listing["messages"][0]["buttons"]) == 5


def test_the_channel_authority_reaches_the_action_as_metadata(stack: Stack) -> None:
    listing = chat(stack, "int-2", "which authorities do you cover?", authority="lewisham")
    assert "procedure of London Borough of Lewisham" in listing["messages"][0]["text"]


def test_an_authority_button_payload_skips_nlu(stack: Stack) -> None:
    reply = chat(stack, "int-3", '/choose_authority{"authority": "blackpool"}')
    assert reply["messages"][0]["authority"] == "blackpool"


def test_unknown_authority_is_404_before_anything_reaches_the_engine(stack: Stack) -> None:
    response = httpx.post(
        f"{stack.config.web_url}/api/chat",
        json={"conversation_id": "int-4", "message": "hi", "authority": "narnia"},
    )
    assert response.status_code == 404
    with sqlite3.connect(stack.config.tracker_db) as db:
        count = db.execute("SELECT COUNT(*) FROM events WHERE sender_id = 'int-4'").fetchone()
    assert count == (0,)


def test_the_engine_http_api_is_off(stack: Stack) -> None:
    for path in ("/status", "/version", "/conversations/int-1/tracker", "/model/parse"):
        assert httpx.get(f"{stack.config.engine_url}{path}").status_code in (404, 405)


def test_the_engine_and_the_action_server_answer_only_the_holder_of_the_secret(
    stack: Stack,
) -> None:
    webhook = f"{stack.config.engine_url}/webhooks/assistant/webhook"
    turn = {"sender": "int-secret", "message": "hello", "metadata": {}}
    action = {"next_action": "action_choose_authority", "tracker": {"sender_id": "int-secret"}}
    for headers in ({}, {"X-Assistant-Internal": "a-guess"}):
        refused = httpx.post(webhook, json=turn, headers=headers, timeout=30)
        assert (refused.status_code, refused.content) == (403, b"")
        refused = httpx.post(f"{stack.config.actions_url}/webhook", json=action, headers=headers)
        assert (refused.status_code, refused.content) == (403, b"")
    assert httpx.get(f"{stack.config.actions_url}/health").status_code == 200
    secret = {"X-Assistant-Internal": stack.internal_token}
    answered = httpx.post(webhook, json=turn, headers=secret, timeout=30)
    assert answered.status_code == 200 and answered.json()
    # The engine's own calls to the action server carry it: a custom action answers.
    reply = chat(stack, "int-secret-2", "which authorities do you cover?")
    assert reply["messages"], reply


def _non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent for a UDP connect
            address: str = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


@pytest.mark.parametrize("port_name", ["engine_port", "actions_port", "web_port"])
def test_every_process_listens_on_loopback_only(stack: Stack, port_name: str) -> None:
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to try")
    port = getattr(stack.config, port_name)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        assert sock.connect_ex((address, port)) != 0


def test_timescales_in_conversation_remember_the_referral_date(stack: Stack) -> None:
    first = chat(
        stack,
        "int-ts",
        "the referral came in on 20 November, when's it due?",
        authority="blackpool",
    )
    text = first["messages"][0]["text"]
    assert "Wednesday 27 January 2027" in text
    assert "I've taken 20 November as 20 November 2026, the most recent one." in text
    assert first["messages"][0]["timescales"]["referral_date"] == "2026-11-20"
    follow_up = chat(stack, "int-ts", "what about the checkpoints?", authority="blackpool")
    text = follow_up["messages"][0]["text"]
    assert "Friday 4 December 2026" in text and "Wednesday 6 January 2027" in text


def test_a_procedure_question_is_answered_with_citations(stack: Stack) -> None:
    reply = chat(
        stack, "int-proc", "do I need the child's consent for an NRM referral", authority="kent"
    )
    message = reply["messages"][0]
    assert "Kent procedure" in message["text"]
    assert message["citations"]
    assert all(c["authority"] == "kent" and c["source_version"] for c in message["citations"])


def test_a_disclosure_starts_with_the_police_and_the_manager(stack: Stack) -> None:
    reply = chat(
        stack, "int-danger", "she told me her stepdad hit her with a belt", authority="lewisham"
    )
    assert reply["messages"][0]["text"].startswith("Tell your manager now; call the police on 999")


def test_the_engine_extracts_ages_countries_and_relationships(stack: Stack) -> None:
    chat(stack, "int-entities", "17 year old lad, his dad lives in Poland", authority="kent")
    with sqlite3.connect(stack.config.tracker_db) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", ("int-entities",)
        ).fetchall()
    entities = json.loads(rows[-1][0])["parse_data"]["entities"]
    found = {
        (e["entity"], e["value"]) for e in entities if e["extractor"] == "SpacyEntityExtractor"
    }
    assert {("age", "17"), ("relationship", "father"), ("country", "Poland")} <= found
