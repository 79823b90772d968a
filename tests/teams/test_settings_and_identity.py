"""Teams settings are refused when they could not work or would be unsafe; sender ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.settings import Settings
from assistant.teams.channel import TeamsConfigurationError
from assistant.teams.connector import ServiceUrlAllowList
from assistant.teams.identity import MAX_SENDER_ID_CHARS, authority_for, sender_id
from assistant.web.app import create_app
from tests.conftest import LOCAL_CLIENT, FakeEngineClient
from tests.teams.conftest import APP_ID, TENANT_ID, teams_settings
from tests.teams.fake_connector import FakeConnector

# Production needs sign-in configured: one service token is enough for these tests.
PRODUCTION = {
    "environment": "production",
    "secret_key": "s" * 40,
    "internal_token": "i" * 40,
    "api_tokens": [{"name": "monitoring", "sha256": "0" * 64}],
}


def test_anonymous_is_allowed_in_development_only() -> None:
    assert Settings(environment="development", teams_allow_anonymous=True).teams_enabled
    for environment in ("test", "production"):
        with pytest.raises(ValidationError, match="only allowed in development"):
            Settings(environment=environment, secret_key="s" * 40, teams_allow_anonymous=True)


def test_anonymous_from_the_environment_is_refused_outside_development(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASSISTANT_ENVIRONMENT", "production")
    monkeypatch.setenv("ASSISTANT_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("ASSISTANT_TEAMS_ALLOW_ANONYMOUS", "true")
    with pytest.raises(ValidationError, match="ASSISTANT_TEAMS_ALLOW_ANONYMOUS"):
        Settings()


@pytest.mark.parametrize("password", ["", "changethis", "secret"])
def test_a_placeholder_app_password_is_refused_outside_development(password: str) -> None:
    with pytest.raises(ValidationError, match="ASSISTANT_TEAMS_APP_PASSWORD"):
        Settings(
            **PRODUCTION,
            teams_app_id=APP_ID,
            teams_tenant_id=TENANT_ID,
            teams_app_password=password,
        )


def test_the_app_password_is_a_secret() -> None:
    settings = Settings(
        **PRODUCTION, teams_app_id=APP_ID, teams_tenant_id=TENANT_ID, teams_app_password="p" * 40
    )
    assert "p" * 40 not in repr(settings)


def test_an_app_id_needs_its_tenant() -> None:
    with pytest.raises(ValidationError, match="ASSISTANT_TEAMS_TENANT_ID"):
        Settings(teams_app_id=APP_ID)


def test_loopback_urls_are_refused_in_production() -> None:
    base = {**PRODUCTION, "teams_app_id": APP_ID, "teams_tenant_id": TENANT_ID}
    base["teams_app_password"] = "p" * 40
    with pytest.raises(ValidationError, match="must be https on a public host"):
        Settings(**base, teams_service_url_allowlist=["http://127.0.0.1:56150/"])
    with pytest.raises(ValidationError, match="must be https on a public host"):
        Settings(**base, teams_openid_metadata_url="http://localhost:1/metadata")
    assert Settings(**base).teams_service_url_allowlist == ["https://smba.trafficmanager.net/"]


def test_the_tenant_mapping_comes_from_json_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASSISTANT_TEAMS_AUTHORITY_BY_TENANT", f'{{"{TENANT_ID}": "kent"}}')
    settings = Settings()
    assert settings.teams_authority_by_tenant == {TENANT_ID: "kent"}
    assert authority_for(TENANT_ID.upper(), settings.teams_authority_by_tenant) == "kent"
    assert authority_for("another-tenant", settings.teams_authority_by_tenant) is None


def test_an_unknown_authority_in_the_mapping_stops_the_app_starting(
    tmp_path: Path, connector: FakeConnector, knowledge_base: KnowledgeBase
) -> None:
    settings = teams_settings(tmp_path, connector, teams_authority_by_tenant={TENANT_ID: "narnia"})
    app = create_app(settings, engine_client=FakeEngineClient(), knowledge_base=knowledge_base)  # type: ignore[arg-type]
    with (
        pytest.raises(TeamsConfigurationError, match="'narnia', which is not an authority"),
        TestClient(app, client=LOCAL_CLIENT),
    ):
        pass


def test_signing_keys_out_of_reach_is_503_so_teams_tries_again(
    tmp_path: Path, connector: FakeConnector, knowledge_base: KnowledgeBase
) -> None:
    settings = teams_settings(
        tmp_path, connector, teams_openid_metadata_url="http://127.0.0.1:9/metadata"
    )
    app = create_app(settings, engine_client=FakeEngineClient(), knowledge_base=knowledge_base)  # type: ignore[arg-type]
    with TestClient(app, client=LOCAL_CLIENT) as client:
        response = client.post(
            "/api/messages",
            json={"type": "message", "serviceUrl": connector.service_url, "channelId": "msteams"},
            headers={"Authorization": "Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.e30.c2ln"},
        )
    assert response.status_code == 503
    assert response.json()["error"] == "teams_keys_unavailable"


def test_sender_ids_are_readable_when_they_can_be_and_hashed_when_not() -> None:
    short = sender_id(TENANT_ID, "6e2a9f1d", "a:1")
    assert short == f"teams:{TENANT_ID}:6e2a9f1d:a:1"
    channel = "19:abc@thread.tacv2;messageid=1700000000000"
    hashed = sender_id(TENANT_ID, "6e2a9f1d", channel)
    assert hashed.startswith("teams:") and len(hashed) == 70
    long = sender_id(TENANT_ID, "6e2a9f1d", "a:" + "x" * 200)
    assert len(long) == 70 <= MAX_SENDER_ID_CHARS
    assert sender_id(TENANT_ID, "6e2a9f1d", channel) == hashed  # stable
    assert sender_id(TENANT_ID, "another-user", channel) != hashed


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://smba.trafficmanager.net/uk/", True),
        ("https://SMBA.trafficmanager.net/emea/", True),
        ("https://smba.trafficmanager.net", True),
        ("https://smba.trafficmanager.net.evil.example/uk/", False),
        ("https://smba.trafficmanager.net@evil.example/uk/", False),
        ("http://smba.trafficmanager.net/uk/", False),
        ("https://evil.example/https://smba.trafficmanager.net/", False),
        ("", False),
    ],
)
def test_the_service_url_allow_list_matches_scheme_host_and_path(url: str, allowed: bool) -> None:
    assert ServiceUrlAllowList(["https://smba.trafficmanager.net/"]).allows(url) is allowed
