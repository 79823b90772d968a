"""Backing up the app store and restoring it, round trip, on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from assistant.cli import main
from assistant.core.audit import CitationUse
from assistant.core.learning.learner import Learner
from assistant.core.plans.model import Answer, Child, Plan
from assistant.core.reminders.model import Channel, Reminder
from assistant.core.replies import Reply
from assistant.core.transcript import ASSISTANT, TranscriptEntry
from assistant.store.backup import BackupError, backup, restore
from assistant.store.citation_log import SqlCitationLog
from assistant.store.database import create_database_engine
from assistant.store.learners import SqlLearnerRepository
from assistant.store.migrate import upgrade_to_latest
from assistant.store.models import Base
from assistant.store.plans import SqlPlanRepository
from assistant.store.reminders import SqlReminderRepository
from assistant.store.transcript import SqlTranscript

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture
def source(database_url: str) -> Iterator[Engine]:
    engine = filled_store(database_url)
    yield engine
    engine.dispose()


def filled_store(url: str) -> Engine:
    """A store with a row in every kind of table."""
    engine = create_database_engine(url)
    upgrade_to_latest(engine)
    plans = SqlPlanRepository(engine)
    plan = plans.add(
        Plan(id="0a1b2c3d4e", authority="kent", children=(Child("AB", date(2010, 5, 1)),)),
        "web",
        NOW,
    )
    plans.save(plan.with_changes(answers={"recording": Answer("On the system")}), "teams", NOW)
    SqlReminderRepository(engine).add_all(
        [Reminder("r00000000001", "web-1", Channel.WEB, "kent", "Day 10", date(2026, 11, 16),
                  date(2026, 11, 2), copy_manager=True)]
    )  # fmt: skip
    SqlCitationLog(engine).record([CitationUse("web-1", "kent/11-timescales", "abc123", NOW)])
    SqlTranscript(engine).append(
        [TranscriptEntry("web-1", ASSISTANT, Reply("Hello.").to_json(), NOW)]
    )
    SqlLearnerRepository(engine).save(Learner("learner-1").answered("q1", False, NOW))
    return engine


def _contents(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as connection:
        return {
            t.name: [
                dict(r)
                for r in connection.execute(select(t).order_by(*t.primary_key.columns)).mappings()
            ]
            for t in Base.metadata.sorted_tables
        }


def _comparable(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Timestamps compared as instants (SQLite gives them back without a zone)."""

    def value(v: Any) -> Any:
        if isinstance(v, datetime):
            return (v if v.tzinfo else v.replace(tzinfo=UTC)).astimezone(UTC)
        return v

    return {t: [{k: value(v) for k, v in r.items()} for r in rs] for t, rs in rows.items()}


def test_a_backup_restores_every_row_into_an_empty_store(source: Engine, tmp_path: Path) -> None:
    file = tmp_path / "backups" / "assistant.json.gz"
    taken = backup(source, file)
    assert taken.rows["plan_versions"] == 2 and taken.rows["reminders"] == 1
    target = create_database_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    restored = restore(target, file)
    assert restored.rows == taken.rows
    assert _comparable(_contents(target)) == _comparable(_contents(source))
    # The restored store carries on: the plan's next version, a new citation.
    plans = SqlPlanRepository(target)
    latest = plans.get("0a1b2c3d4e")
    assert plans.save(latest, "web", NOW).version == 3
    SqlCitationLog(target).record([CitationUse("web-2", "kent/x", "def", NOW)])
    target.dispose()


@pytest.mark.postgres
def test_a_restore_from_sqlite_into_postgresql_carries_on_numbering(
    tmp_path: Path, postgres_database_url: str
) -> None:
    file = tmp_path / "assistant.json.gz"
    source = filled_store(f"sqlite:///{tmp_path / 'source.db'}")
    backup(source, file)
    source.dispose()
    target = create_database_engine(postgres_database_url)
    restore(target, file)
    SqlCitationLog(target).record([CitationUse("web-2", "kent/x", "def", NOW)])
    assert len(SqlCitationLog(target).citing(["kent/11-timescales", "kent/x"])) == 2
    target.dispose()


def test_a_store_in_use_or_a_foreign_file_is_refused(source: Engine, tmp_path: Path) -> None:
    file = tmp_path / "assistant.json.gz"
    backup(source, file)
    with pytest.raises(BackupError, match="already holds"):
        restore(source, file)
    foreign = tmp_path / "other.json.gz"
    with gzip.open(foreign, "wt") as out:
        json.dump({"format": "something-else"}, out)
    target = create_database_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(BackupError, match="not a backup"):
        restore(target, foreign)
    target.dispose()


def test_the_command_backs_up_and_restores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", f"sqlite:///{tmp_path / 'live.db'}")
    live = create_database_engine(f"sqlite:///{tmp_path / 'live.db'}")
    upgrade_to_latest(live)
    SqlLearnerRepository(live).save(Learner("learner-1").answered("q1", True, NOW))
    live.dispose()
    file = tmp_path / "b.json.gz"
    assert main(["backup", str(file)]) == 0
    assert "learners 1" in capsys.readouterr().out
    assert main(["restore", str(file)]) == 1  # the live store is not empty
    assert "restore into an empty one" in capsys.readouterr().out
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    assert main(["restore", str(file)]) == 0
    assert main(["restore", str(tmp_path / "missing.json.gz")]) == 1
