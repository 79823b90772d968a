"""Identifying details are masked before a message reaches the engine or any store, and the
reply says so."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import FakeEngineClient

MESSAGE = (
    "Mum called Sarah Jones rang on 07700 900123 about the s47 for AB; "
    "NHS number 943 476 5919, lives at NE8 1HH"
)


def test_details_are_masked_before_the_engine_and_the_transcript(
    client: TestClient, fake_engine: FakeEngineClient
) -> None:
    response = client.post(
        "/api/chat", json={"conversation_id": "p1", "message": MESSAGE, "authority": "gateshead"}
    )
    assert response.status_code == 200
    sent = fake_engine.sent[-1]["message"]
    assert sent == (
        "Mum called [name] rang on [phone number] about the s47 for AB; "
        "NHS number [NHS number], lives at [postcode]"
    )
    notice, answer = response.json()["messages"]
    assert notice["text"].startswith("I removed identifying details from your message")
    assert "a name, a phone number, an NHS number and a postcode" in notice["text"]
    assert answer["text"] == "Hello."

    history = client.get("/api/chat/p1/messages").json()["messages"]
    stored = " ".join(str(m) for m in history)
    for detail in ("Sarah", "Jones", "07700", "900123", "943 476 5919", "NE8 1HH"):
        assert detail not in stored
    assert history[0]["text"] == sent


def test_a_message_with_nothing_identifying_gets_no_notice(
    client: TestClient, fake_engine: FakeEngineClient
) -> None:
    message = "A referral on 12/11/2026 for a 16 year old: what are the timescales?"
    response = client.post("/api/chat", json={"conversation_id": "p2", "message": message})
    assert fake_engine.sent[-1]["message"] == message
    assert [m["text"] for m in response.json()["messages"]] == ["Hello."]


def test_a_message_over_2000_characters_is_refused_and_nothing_is_sent(
    client: TestClient, fake_engine: FakeEngineClient
) -> None:
    response = client.post("/api/chat", json={"conversation_id": "p3", "message": "x" * 2001})
    assert response.status_code == 422
    assert "2000 characters" in response.json()["message"]
    assert fake_engine.sent == []


def test_the_bypasses_of_issue_16_are_masked_in_chat_and_authority_names_kept(
    client: TestClient, fake_engine: FakeEngineClient
) -> None:
    message = (
        "child: Jayden Smith, the boy is called jayden; Jayden Smith is 15. NHS 943 4765 919, "
        "jayden(at)example.com. Mum called Kent Front Door"
    )
    client.post("/api/chat", json={"conversation_id": "p4", "message": message})
    assert fake_engine.sent[-1]["message"] == (
        "child: [name], the boy is called [name]; [name] is 15. NHS [NHS number], "
        "[email address]. Mum called Kent Front Door"
    )
    stored = str(client.get("/api/chat/p4/messages").json()["messages"])
    assert "ayden" not in stored and "4765" not in stored
