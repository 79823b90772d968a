"""Shared fixtures: the real knowledge folder, settings for tests, a fake engine, databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import make_url

from assistant.core.authorities import AuthorityDirectory, load_authorities
from assistant.core.procedures.knowledge_base import KnowledgeBase, build_knowledge_base
from assistant.core.replies import Button, Reply
from assistant.engine_client import EngineStatus, EngineUnavailableError
from assistant.settings import PROJECT_ROOT, Settings
from assistant.web.app import create_app
from tests.postgres_server import (
    create_database,
    drop_database,
    find_postgres_bin,
    running_postgres,
)

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
        # The web app's reading of the message is kept apart, so that tests about who and
        # which authority compare the metadata they are about (tests/test_card_routing_api.py
        # checks the reading).
        rest = {k: v for k, v in metadata.items() if k != "understanding"}
        self.sent.append(
            {
                "conversation_id": conversation_id,
                "message": message,
                "metadata": rest,
                "understanding": metadata.get("understanding"),
            }
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


# Development mode answers only this machine: test clients come from loopback.
LOCAL_CLIENT = ("127.0.0.1", 50000)


@pytest.fixture
def client(
    test_settings: Settings, fake_engine: FakeEngineClient, knowledge_base: KnowledgeBase
) -> Iterator[TestClient]:
    app = create_app(test_settings, engine_client=fake_engine, knowledge_base=knowledge_base)  # type: ignore[arg-type]
    with TestClient(app, client=LOCAL_CLIENT) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    """The test identity provider's RSA key (tests/test_sign_in.py signs tokens with it)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks(signing_key: rsa.RSAPrivateKey) -> dict[str, Any]:
    """Its public key as the JWKS it publishes, under the key id tokens name."""
    public: dict[str, Any] = RSAAlgorithm.to_jwk(signing_key.public_key(), as_dict=True)
    return {"keys": [{**public, "kid": "key-1", "use": "sig", "alg": "RS256"}]}


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server for the whole session (1-2 s to start): its database's URL."""
    if find_postgres_bin() is None:
        message = (
            "PostgreSQL is not installed (no initdb/pg_ctl in /usr/lib/postgresql/*/bin or "
            "on PATH); install it with `apt-get install postgresql`"
        )
        if os.environ.get("ASSISTANT_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{message}. ASSISTANT_REQUIRE_POSTGRES=1: PostgreSQL tests may not skip.")
        pytest.skip(message)
    with running_postgres() as url:
        yield url


@pytest.fixture
def postgres_database_url(postgres_url: str) -> Iterator[str]:
    """A fresh, empty database on the session's server, dropped after the test."""
    port = make_url(postgres_url).port
    assert port is not None
    name = f"test_{uuid.uuid4().hex[:16]}"
    url = create_database(port, name)
    yield url
    drop_database(port, name)  # WITH (FORCE): engines a test did not dispose do not block it


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
    ids=["sqlite", "postgresql"],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend the app supports: a SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.db'}"
    return str(request.getfixturevalue("postgres_database_url"))
