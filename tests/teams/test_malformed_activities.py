"""Malformed activities with a valid token are a 400, not a 500 (issue 16)."""

from __future__ import annotations

import json

import pytest

from tests.teams.conftest import TeamsHarness


@pytest.mark.parametrize("depth", [30_000, 200])
def test_deeply_nested_json_is_a_400(teams: TeamsHarness, depth: int) -> None:
    activity = teams.activity("hi")
    body = json.dumps(activity)[:-1] + ', "value": ' + "[" * depth + "]" * depth + "}"
    token = teams.tokens.token(activity["serviceUrl"])
    response = teams.client.post(
        "/api/messages",
        content=body.encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_activity"
    teams.settle()
    assert teams.engine.sent == []


@pytest.mark.parametrize(
    "service_url",
    [
        "https://[::1",  # an unclosed IPv6 literal
        "https://smba.trafficmanager.net:99999/",  # a port out of range
        "https://smba.trafficmanager.net:port/",
        "not a url at all",
    ],
)
def test_a_malformed_service_url_with_a_valid_token_is_a_400(
    teams: TeamsHarness, service_url: str
) -> None:
    activity = teams.activity("hi")
    activity["serviceUrl"] = service_url
    response = teams.post(activity)  # a token whose serviceurl claim is the same text
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_activity"
    assert "serviceUrl" in response.json()["message"]
    teams.settle()
    assert teams.connector.snapshot() == []
    assert teams.engine.sent == []
