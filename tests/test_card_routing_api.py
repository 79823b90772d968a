"""Every channel's message reaches the engine with the web app's reading of it (the card
matcher, honest limits, a safety concern), which the engine's routing policy follows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import FakeEngineClient


@pytest.mark.parametrize(
    ("message", "reading", "card"),
    [
        (
            "do i have to see the kid on his own or can mum stay in the room",
            "card",
            "see-child-alone",
        ),
        ("<img src=x onerror=alert(1)>", "unclear", None),
        ("Sut mae gwneud asesiad plentyn?", "other_language", None),
        ("carry on with my plan", "other", None),
    ],
)
def test_the_reading_travels_with_the_message(
    client: TestClient, fake_engine: FakeEngineClient, message: str, reading: str, card: str | None
) -> None:
    response = client.post(
        "/api/chat", json={"conversation_id": "c-read", "message": message, "authority": "kent"}
    )
    assert response.status_code == 200
    understanding = fake_engine.sent[-1]["understanding"]
    assert (understanding["reading"], understanding["card"]) == (reading, card)


def test_a_disclosure_is_read_as_urgent(client: TestClient, fake_engine: FakeEngineClient) -> None:
    client.post(
        "/api/chat",
        json={
            "conversation_id": "c-urgent",
            "message": "the 9 year old told me his stepdad hit him with a belt last night",
            "authority": "kent",
        },
    )
    assert fake_engine.sent[-1]["understanding"]["urgent"] is True
