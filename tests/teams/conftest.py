"""Teams fixtures: the fake Bot Connector (with its keys) for the session, an app set up for
Teams against it, and helpers to post activities as the Bot Connector does."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.settings import Settings
from assistant.web.app import create_app
from tests.conftest import KNOWLEDGE_DIR, LOCAL_CLIENT, FakeEngineClient
from tests.teams.fake_connector import FakeConnector, RunningConnector, TokenFactory

APP_ID = "3f6c1b0e-8a3d-4c59-9e1a-2b7d4c6e8f01"
TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
KENT_TENANT_ID = "0b9d5a2c-1e7f-4c3a-8d6b-9f2e4a1c7b35"
USER_AAD_ID = "6e2a9f1d-3b4c-4d8e-a7f6-1c2b3d4e5f60"


class FakeTokenProvider:
    """Stands in for MSAL's client-credentials call to login.microsoftonline.com."""

    def __init__(self) -> None:
        self.calls = 0

    async def token(self) -> str:
        self.calls += 1
        return "fake-outbound-token"


@pytest.fixture(scope="session")
def connector() -> Iterator[FakeConnector]:
    with RunningConnector() as running:
        yield running


@pytest.fixture
def fake_connector(connector: FakeConnector) -> FakeConnector:
    connector.clear()
    return connector


@pytest.fixture
def tokens(connector: FakeConnector) -> TokenFactory:
    return TokenFactory(connector.private_key, APP_ID)


def teams_settings(tmp_path: Path, connector: FakeConnector, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "secret_key": "x" * 40,
        "database_url": f"sqlite:///{tmp_path / 'app.db'}",
        "knowledge_dir": KNOWLEDGE_DIR,
        "public_base_url": "https://assistant.example.gov.uk",
        "teams_app_id": APP_ID,
        "teams_app_password": "a-real-looking-client-secret-value",
        "teams_tenant_id": TENANT_ID,
        "teams_authority_by_tenant": {KENT_TENANT_ID: "kent"},
        "teams_openid_metadata_url": connector.metadata_url,
        "teams_service_url_allowlist": [connector.service_url],
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class TeamsHarness:
    client: TestClient
    connector: FakeConnector
    engine: FakeEngineClient
    tokens: TokenFactory
    token_provider: FakeTokenProvider
    conversation_id: str = field(default_factory=lambda: f"a:{uuid.uuid4().hex}")

    def activity(self, text: str = "hi", **overrides: Any) -> dict[str, Any]:
        overrides.setdefault("conversation_id", self.conversation_id)
        return message_activity(text, self.connector.service_url, **overrides)

    def post(self, activity: dict[str, Any], token: str | None = "valid") -> Any:
        headers = {}
        if token == "valid":
            token = self.tokens.token(activity["serviceUrl"])
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.post("/api/messages", json=activity, headers=headers)

    def settle(self) -> None:
        """Wait until every background turn has finished (answers sent or failed)."""
        teams = self.client.app.state.teams  # type: ignore[attr-defined]
        self.client.portal.call(teams.agent.turns.wait, 10.0)  # type: ignore[union-attr]


def message_activity(
    text: str,
    service_url: str,
    *,
    conversation_id: str = "a:conversation-1",
    tenant_id: str = TENANT_ID,
    user_aad_id: str = USER_AAD_ID,
    activity_id: str | None = None,
    value: Any = None,
) -> dict[str, Any]:
    """A personal-chat message as Teams posts it (the fields the bot reads)."""
    activity: dict[str, Any] = {
        "type": "message",
        "id": activity_id or str(uuid.uuid4().int)[:13],
        "timestamp": "2026-11-23T09:30:00.000Z",
        "localTimestamp": "2026-11-23T09:30:00.000+00:00",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": "29:1user-teams-id", "name": "A Worker", "aadObjectId": user_aad_id},
        "conversation": {
            "conversationType": "personal",
            "tenantId": tenant_id,
            "id": conversation_id,
        },
        "recipient": {"id": f"28:{APP_ID}", "name": "Practice assistant"},
        "textFormat": "plain",
        "locale": "en-GB",
        "text": text,
        "channelData": {"tenant": {"id": tenant_id}},
    }
    if value is not None:
        activity["value"] = value
    return activity


@pytest.fixture(scope="module")
def _teams_app(
    tmp_path_factory: pytest.TempPathFactory,
    connector: FakeConnector,
    knowledge_base: KnowledgeBase,
) -> Iterator[tuple[TestClient, FakeEngineClient, FakeTokenProvider, Path]]:
    """One app per test module (starting one costs ~0.4 s); `teams` resets its fakes per test."""
    folder = tmp_path_factory.mktemp("teams")
    engine, provider = FakeEngineClient(), FakeTokenProvider()
    app = create_app(
        teams_settings(folder, connector),
        engine_client=engine,  # type: ignore[arg-type]
        knowledge_base=knowledge_base,
        teams_token_provider=provider,
    )
    with TestClient(app, client=LOCAL_CLIENT) as client:
        yield client, engine, provider, folder


@pytest.fixture
def teams(
    _teams_app: tuple[TestClient, FakeEngineClient, FakeTokenProvider, Path],
    fake_connector: FakeConnector,
    tokens: TokenFactory,
) -> TeamsHarness:
    client, engine, provider, _ = _teams_app
    engine.__init__()  # type: ignore[misc]
    provider.calls = 0
    return TeamsHarness(client, fake_connector, engine, tokens, provider)


@pytest.fixture
def teams_database_folder(
    _teams_app: tuple[TestClient, FakeEngineClient, FakeTokenProvider, Path],
) -> Path:
    """The folder of the `teams` app's database (another app on it is another instance)."""
    return _teams_app[3]
