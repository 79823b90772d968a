"""Shared fixtures: the real knowledge folder, settings for tests, a fake engine."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.core.authorities import AuthorityDirectory, load_authorities
from assistant.core.procedures.knowledge_base import KnowledgeBase, build_knowledge_base
from assistant.core.replies import Button, Reply
from assistant.engine_client import EngineStatus, EngineUnavailableError
from assistant.settings import PROJECT_ROOT, Settings
from assistant.web.app import create_app

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"


@pytest.fixture(scope="session")
def authorities() -> AuthorityDirectory:
    return load_authorities(KNOWLEDGE_DIR)


@pytest.fixture(scope="session")
def knowledge_base() -> KnowledgeBase:
    return build_knowledge_base(KNOWLEDGE_DIR)


class FakeEngineClient:
    """Stands in for the Rasa engine: records what it was sent, answers from a script."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.replies: list[Reply] = [Reply("Hello.", (Button("Help", "/help"),))]
        self.down = False
        self.model_loaded = True

    async def send(
        self, conversation_id: str, message: str, metadata: dict[str, Any]
    ) -> list[Reply]:
        if self.down:
            raise EngineUnavailableError("engine not reachable: ConnectError")
        self.sent.append(
            {"conversation_id": conversation_id, "message": message, "metadata": metadata}
        )
        return self.replies

    async def status(self) -> EngineStatus:
        if self.down:
            return EngineStatus(False, False, "not reachable: ConnectError")
        return EngineStatus(True, self.model_loaded, "model.tar.gz")


@pytest.fixture
def fake_engine() -> FakeEngineClient:
    return FakeEngineClient()


@pytest.fixture
def test_settings(tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        secret_key="x" * 40,
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        knowledge_dir=KNOWLEDGE_DIR,
        today=date(2026, 11, 23),
    )


@pytest.fixture
def client(
    test_settings: Settings, fake_engine: FakeEngineClient, knowledge_base: KnowledgeBase
) -> Iterator[TestClient]:
    app = create_app(test_settings, engine_client=fake_engine, knowledge_base=knowledge_base)  # type: ignore[arg-type]
    with TestClient(app) as test_client:
        yield test_client
