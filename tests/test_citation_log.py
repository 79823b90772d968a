"""The citation log: the fake, SQLite and PostgreSQL agree; a changed section flags its answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from assistant.core.audit import (
    CitationLog,
    CitationUse,
    InMemoryCitationLog,
    citation_uses,
    stale_citations,
)
from assistant.core.replies import Citation, Reply
from assistant.store.citation_log import SqlCitationLog
from assistant.store.database import create_database_engine
from assistant.store.migrate import upgrade_to_latest
from tests.conftest import FakeEngineClient

WHEN = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CitationLog]:
    if request.param == "fake":
        yield InMemoryCitationLog()
        return
    if request.param == "sqlite":  # in a folder that does not exist yet: the engine makes it
        url = f"sqlite:///{tmp_path / 'var' / 'app.db'}"
    else:
        url = request.getfixturevalue("postgres_database_url")
    engine = create_database_engine(url)
    upgrade_to_latest(engine)
    yield SqlCitationLog(engine)
    engine.dispose()


def test_records_each_known_section_once_per_answer() -> None:
    uses = citation_uses(
        "c1", ["kent/a", "kent/a", "kent/gone", "kent/b"], {"kent/a": "h1", "kent/b": "h2"}, WHEN
    )
    assert [(u.section_id, u.section_hash) for u in uses] == [("kent/a", "h1"), ("kent/b", "h2")]


def test_finds_what_cited_given_sections(log: CitationLog) -> None:
    log.record([CitationUse("c1", "kent/a", "h1", WHEN), CitationUse("c2", "kent/b", "h2", WHEN)])
    assert [u.conversation_id for u in log.citing(["kent/a"])] == ["c1"]
    assert log.citing([]) == []


def test_answers_citing_changed_or_removed_sections_are_flagged(log: CitationLog) -> None:
    log.record(
        [
            CitationUse("c1", "kent/a", "old", WHEN),
            CitationUse("c2", "kent/a", "new", WHEN),
            CitationUse("c3", "kent/removed", "x", WHEN),
            CitationUse("c4", "kent/untouched", "y", WHEN),
        ]
    )
    stale = stale_citations(log, ["kent/a", "kent/removed"], {"kent/a": "new"})
    assert sorted(u.conversation_id for u in stale) == ["c1", "c3"]


def test_migrations_create_the_table(database_url: str) -> None:
    engine = create_database_engine(database_url)
    upgrade_to_latest(engine)
    upgrade_to_latest(engine)  # idempotent
    assert "citation_log" in inspect(engine).get_table_names()
    engine.dispose()


def test_chat_answers_with_citations_are_logged(
    client: TestClient, fake_engine: FakeEngineClient
) -> None:
    fake_engine.replies = [
        Reply(
            "See the text.",
            citations=(
                Citation("kent", "kent/11-timescales", "11. Timescales", "refreshed July 2024"),
            ),
        )
    ]
    response = client.post("/api/chat", json={"conversation_id": "c9", "message": "due?"})
    assert response.status_code == 200
    assert response.json()["messages"][0]["citations"][0]["section_id"] == "kent/11-timescales"
    app = client.app
    logged = app.state.citation_log.citing(["kent/11-timescales"])  # type: ignore[attr-defined]
    assert [u.conversation_id for u in logged] == ["c9"]
