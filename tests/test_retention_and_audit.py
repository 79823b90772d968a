"""Retention purges old conversation text from the app store and the tracker store, and plans
untouched for longer than their own period; the audit log keeps, per answer, what it cited, and
exports it; conversation owners are kept."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
)
from sqlalchemy import select as sql_select

from assistant.core.answer_audit import AuditEntry, CitedSection, audit_csv, audit_entry
from assistant.core.conversations import ConversationOwner
from assistant.core.plans.model import Plan, new_plan_id
from assistant.core.plans.repository import PlanNotFoundError
from assistant.core.reminders.model import Channel, Reminder, new_reminder_id
from assistant.core.replies import Citation, Reply
from assistant.core.transcript import ASSISTANT, WORKER, TranscriptEntry
from assistant.store.audit_log import SqlAuditLog
from assistant.store.conversations import SqlConversationDirectory
from assistant.store.database import create_database_engine
from assistant.store.migrate import upgrade_to_latest
from assistant.store.plans import SqlPlanRepository
from assistant.store.reminders import SqlReminderRepository
from assistant.store.retention import PlanPurge, purge
from assistant.store.transcript import SqlTranscript
from assistant.web.retention_job import RetentionJob

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=45)
RECENT = NOW - timedelta(days=3)
CUTOFF = NOW - timedelta(days=30)


def rasa_tracker_store(path: Path) -> str:
    """A tracker store shaped like Rasa's SQLTrackerStore (its `events` table)."""
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    events = Table(
        "events",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("sender_id", String(255), nullable=False, index=True),
        Column("type_name", String(255), nullable=False),
        Column("timestamp", Float),
        Column("intent_name", String(255)),
        Column("action_name", String(255)),
        Column("data", Text),
    )
    events.metadata.create_all(engine)
    with engine.begin() as db:
        for sender, when, text in [
            ("old", OLD, "my old question"),
            ("old", OLD + timedelta(seconds=1), None),
            ("ongoing", OLD, "asked six weeks ago"),
            ("ongoing", RECENT, "asked this week"),
        ]:
            db.execute(
                events.insert().values(
                    sender_id=sender,
                    type_name="user" if text else "bot",
                    timestamp=when.timestamp(),
                    data=json.dumps({"text": text}),
                )
            )
    engine.dispose()
    return url


def tracker_senders_and_texts(url: str) -> list[tuple[str, str | None]]:
    engine = create_engine(url)
    events = Table("events", MetaData(), autoload_with=engine)
    with engine.connect() as db:
        rows = db.execute(sql_select(events.c.sender_id, events.c.data).order_by(events.c.id))
        found = [(sender, json.loads(data)["text"]) for sender, data in rows]
    engine.dispose()
    return found


@pytest.fixture
def app_store(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url)
    upgrade_to_latest(engine)
    yield engine
    engine.dispose()


def test_purge_deletes_what_is_older_than_the_cutoff_and_keeps_the_rest(
    app_store: Engine,
    tmp_path: Path,
) -> None:
    transcript = SqlTranscript(app_store)
    transcript.append(
        [
            TranscriptEntry("old", WORKER, {"text": "my old question"}, OLD),
            TranscriptEntry("old", ASSISTANT, {"text": "an old answer"}, OLD),
            TranscriptEntry("ongoing", WORKER, {"text": "asked this week"}, RECENT),
        ]
    )
    owners = SqlConversationDirectory(app_store)
    owners.claim("old", "amy", "gateshead", OLD)
    owners.claim("ongoing", "amy", "gateshead", OLD)
    owners.claim("ongoing", "amy", "gateshead", RECENT)  # used again since: kept
    audit = SqlAuditLog(app_store)
    audit.record(AuditEntry("old", "amy", "gateshead", OLD, ()))
    tracker_url = rasa_tracker_store(tmp_path / "tracker.db")

    report = purge(app_store, tracker_url, CUTOFF)

    assert (report.tracker_events, report.transcript_entries, report.conversations) == (3, 2, 1)
    assert tracker_senders_and_texts(tracker_url) == [("ongoing", "asked this week")]
    assert transcript.entries("old") == []
    assert [e.body["text"] for e in transcript.entries("ongoing")] == ["asked this week"]
    assert owners.owner("old") is None
    assert owners.owner("ongoing") is not None
    assert len(audit.entries(None)) == 1  # the audit log holds no message text: kept
    again = purge(app_store, tracker_url, CUTOFF)
    assert (again.tracker_events, again.transcript_entries, again.conversations) == (0, 0, 0)
    assert "3 tracker events" in report.describe()


def test_purge_before_the_engine_ever_ran_finds_no_tracker_store(
    app_store: Engine,
    tmp_path: Path,
) -> None:
    report = purge(app_store, f"sqlite:///{tmp_path / 'none' / 'tracker.db'}", CUTOFF)
    assert report.tracker_events == 0


def test_the_scheduled_job_purges_with_the_configured_period(
    app_store: Engine,
    tmp_path: Path,
) -> None:
    import asyncio

    tracker_url = rasa_tracker_store(tmp_path / "tracker.db")
    job = RetentionJob(
        app_store, tracker_url, retention_days=30, poll_seconds=3600, clock=lambda: NOW
    )
    report = asyncio.run(job.run_once())
    assert report.cutoff == CUTOFF
    assert report.tracker_events == 3
    week = RetentionJob(
        app_store, tracker_url, retention_days=1, poll_seconds=3600, clock=lambda: NOW
    )
    assert asyncio.run(week.run_once()).tracker_events == 1


def test_the_purge_command_uses_the_settings(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'app.db'}"
    tracker_url = rasa_tracker_store(tmp_path / "tracker.db")
    env = {
        "ASSISTANT_DATABASE_URL": database,
        "ASSISTANT_TRACKER_STORE_URL": tracker_url,
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "purge", "--days", "30"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    # Measured from now, so the events of 2026-11 are old or recent depending on today.
    assert result.stdout.startswith("Purged everything older than")
    assert "tracker events" in result.stdout


def test_conversation_owners_first_claim_wins(app_store: Engine) -> None:
    owners = SqlConversationDirectory(app_store)
    first = owners.claim("c1", "amy", "gateshead", OLD)
    assert first == ConversationOwner("c1", "amy", "gateshead", OLD, OLD)
    assert owners.claim("c1", "kim", "kent", RECENT).subject == "amy"
    assert owners.claim("c1", "amy", "gateshead", RECENT).last_active_at == RECENT
    assert owners.owner("c1") == ConversationOwner("c1", "amy", "gateshead", OLD, RECENT)
    assert owners.owner("nobody") is None


def test_the_audit_log_filters_by_authority_and_dates(app_store: Engine) -> None:
    audit = SqlAuditLog(app_store)
    section = CitedSection("kent", "kent/11-timescales", "11. Timescales", "v3 2025-04")
    audit.record(AuditEntry("k1", "kim", "kent", OLD, (section,)))
    audit.record(AuditEntry("k2", "kim", "kent", RECENT, ()))
    audit.record(AuditEntry("g1", "amy", "gateshead", RECENT, ()))
    assert [e.conversation_id for e in audit.entries("kent")] == ["k1", "k2"]
    assert [e.conversation_id for e in audit.entries(None, since=CUTOFF)] == ["k2", "g1"]
    assert [e.conversation_id for e in audit.entries("kent", until=CUTOFF)] == ["k1"]
    (first,) = audit.entries("kent", until=CUTOFF)
    assert first.sections == (section,) and first.answered_at == OLD


def test_an_answer_audit_entry_names_each_cited_section_once() -> None:
    kent = Citation("kent", "kent/11-timescales", "11. Timescales", "v3 2025-04", quote="45 days")
    replies = [Reply("a", citations=(kent,)), Reply("b", citations=(kent,)), Reply("c")]
    entry = audit_entry("k1", "kim", "kent", replies, RECENT)
    assert entry.sections == (
        CitedSection("kent", "kent/11-timescales", "11. Timescales", "v3 2025-04"),
    )
    rows = list(
        csv.reader(io.StringIO(audit_csv([entry, audit_entry("k2", "kim", "kent", [], RECENT)])))
    )
    assert rows[0][:3] == ["answered_at", "conversation_id", "user"]
    assert rows[1][1] == "k1" and rows[1][4] == "kent/11-timescales" and rows[1][7] == "v3 2025-04"
    assert rows[2][1] == "k2" and rows[2][4:] == ["", "", "", ""]


def test_the_audit_command_exports_csv_and_json(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'app.db'}"
    engine = create_database_engine(database)
    upgrade_to_latest(engine)
    SqlAuditLog(engine).record(
        AuditEntry("k1", "kim", "kent", RECENT, (CitedSection("kent", "kent/1", "1. Intro", "v3"),))
    )
    engine.dispose()
    env = {"ASSISTANT_DATABASE_URL": database, "PATH": "/usr/bin:/bin"}
    out = tmp_path / "audit.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant.cli",
            "audit",
            "--authority",
            "kent",
            "--format",
            "json",
            "--out",
            str(out),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    (answer,) = json.loads(out.read_text())["answers"]
    assert answer["sections"][0]["source_version"] == "v3"
    printed = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "audit", "--since", "2099-01-01"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert printed.splitlines() == [
        ",".join(
            [
                "answered_at",
                "conversation_id",
                "user",
                "authority",
                "section_id",
                "section_title",
                "section_authority",
                "source_version",
            ]
        )
    ]


# Plans are purged once untouched for longer than their own retention period ---------------


def stored_plan(engine: Engine, authority: str, saved: list[datetime]) -> str:
    """A plan saved at each of `saved` (version 1 first), with a reminder."""
    plans = SqlPlanRepository(engine)
    plan = plans.add(Plan(id=new_plan_id(), authority=authority), "amy", saved[0])
    for when in saved[1:]:
        plan = plans.save(plan.with_changes(finished=not plan.finished), "amy", when)
    SqlReminderRepository(engine).add_all(
        [
            Reminder(
                new_reminder_id(), "c1", Channel.WEB, authority, "Assessment due",
                saved[-1].date(), saved[0].date(), plan_id=plan.id,
            )
        ]
    )  # fmt: skip
    return plan.id


PLAN_CUTOFF = NOW - timedelta(days=180)


def test_plans_untouched_for_longer_than_their_retention_are_purged_with_every_version(
    app_store: Engine, tmp_path: Path
) -> None:
    old = stored_plan(app_store, "kent", [NOW - timedelta(days=300), NOW - timedelta(days=200)])
    # Started long ago but changed since: kept whole, its first version too.
    used = stored_plan(app_store, "kent", [NOW - timedelta(days=300), NOW - timedelta(days=10)])
    plans = SqlPlanRepository(app_store)

    report = purge(app_store, rasa_tracker_store(tmp_path / "t.db"), CUTOFF, PLAN_CUTOFF)

    assert report.plans == PlanPurge(PLAN_CUTOFF, plans=1, versions=2, reminders=1)
    with pytest.raises(PlanNotFoundError):
        plans.get(old)
    with pytest.raises(PlanNotFoundError):
        plans.get(old, 1)
    assert [v.version for v in plans.history(used)] == [1, 2]
    assert [r.plan_id for r in SqlReminderRepository(app_store).for_conversation("c1")] == [used]
    assert [s.id for s in plans.list("kent")] == [used]
    assert "1 plans (2 versions)" in report.describe()
    again = purge(app_store, rasa_tracker_store(tmp_path / "t2.db"), CUTOFF, PLAN_CUTOFF)
    assert again.plans == PlanPurge(PLAN_CUTOFF, 0, 0, 0)


def test_without_a_plan_cutoff_plans_are_kept(app_store: Engine, tmp_path: Path) -> None:
    old = stored_plan(app_store, "kent", [NOW - timedelta(days=900)])
    report = purge(app_store, rasa_tracker_store(tmp_path / "t.db"), CUTOFF)
    assert report.plans is None
    assert SqlPlanRepository(app_store).get(old).version == 1


def test_the_scheduled_job_purges_plans_with_their_configured_period(
    app_store: Engine, tmp_path: Path
) -> None:
    import asyncio

    stale = stored_plan(app_store, "kent", [NOW - timedelta(days=100)])
    tracker_url = rasa_tracker_store(tmp_path / "tracker.db")
    job = RetentionJob(app_store, tracker_url, 30, 3600, clock=lambda: NOW, plan_retention_days=180)
    assert asyncio.run(job.run_once()).plans == PlanPurge(PLAN_CUTOFF, 0, 0, 0)
    shorter = RetentionJob(
        app_store, tracker_url, 30, 3600, clock=lambda: NOW, plan_retention_days=90
    )
    assert asyncio.run(shorter.run_once()).plans == PlanPurge(NOW - timedelta(days=90), 1, 1, 1)
    with pytest.raises(PlanNotFoundError):
        SqlPlanRepository(app_store).get(stale)


def test_the_purge_command_purges_plans_with_the_settings(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'app.db'}"
    engine = create_database_engine(database)
    upgrade_to_latest(engine)
    now = datetime.now(UTC)
    stale = stored_plan(engine, "kent", [now - timedelta(days=40)])
    fresh = stored_plan(engine, "kent", [now - timedelta(days=5)])
    env = {
        "ASSISTANT_DATABASE_URL": database,
        "ASSISTANT_TRACKER_STORE_URL": rasa_tracker_store(tmp_path / "tracker.db"),
        "ASSISTANT_PLAN_RETENTION_DAYS": "20",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "purge"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "1 plans (1 versions) and 1 of their reminders" in result.stdout
    plans = SqlPlanRepository(engine)
    assert [s.id for s in plans.list("kent")] == [fresh]
    with pytest.raises(PlanNotFoundError):
        plans.get(stale)
    engine.dispose()
