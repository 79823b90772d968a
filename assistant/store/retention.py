"""Retention: conversation text older than the retention period is deleted, from the app store
(transcripts, conversation owners, Teams activity ids) and from Rasa's tracker store (its
`events` table). Plans untouched for longer than the plans' own retention period go too, every
version of them and their reminders: a plan is the worker's working copy of an assessment (the
record is the case management system), so it is kept while it is used, not for good. The audit
log keeps no message text and is kept; learning records hold no case text and are kept too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Column,
    CursorResult,
    Delete,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    inspect,
    select,
)
from sqlalchemy.orm import Session

from assistant.store.database import create_database_engine
from assistant.store.models import (
    ConversationRecord,
    PlanRecord,
    PlanVersionRecord,
    ReminderRecord,
    TeamsActivityRecord,
    TranscriptRecord,
    TurnRecord,
)

# Rasa's SQL tracker store table (rasa/core/tracker_store.py, SQLTrackerStore.SQLEvent): only
# the columns the purge and the subject-access export need. Rasa creates and owns it; it is
# never migrated from here.
_tracker = MetaData()
TRACKER_EVENTS = Table(
    "events",
    _tracker,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("data", Text),
)


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    transcript_entries: int
    conversations: int
    teams_activities: int
    tracker_events: int
    plans: PlanPurge | None = None

    def describe(self) -> str:
        said = (
            f"Purged everything older than {self.cutoff.isoformat(timespec='seconds')}: "
            f"{self.tracker_events} tracker events, {self.transcript_entries} transcript "
            f"messages, {self.conversations} idle conversations, {self.teams_activities} Teams "
            "activity ids."
        )
        if self.plans is not None:
            said += " " + self.plans.describe()
        return said


@dataclass(frozen=True)
class PlanPurge:
    cutoff: datetime
    plans: int
    versions: int
    reminders: int

    def describe(self) -> str:
        return (
            f"Plans untouched since {self.cutoff.isoformat(timespec='seconds')}: {self.plans} "
            f"plans ({self.versions} versions) and {self.reminders} of their reminders."
        )


def purge_plans(engine: Engine, cutoff: datetime) -> PlanPurge:
    """Plans last saved before the cutoff, with every version and their reminders."""
    with Session(engine) as session, session.begin():

        def deleted(statement: Delete) -> int:
            return int(cast(CursorResult[Any], session.execute(statement)).rowcount)

        stale = list(session.scalars(select(PlanRecord.id).where(PlanRecord.updated_at < cutoff)))
        versions = reminders = plans = 0
        # In slices, so that a long list stays within a database's limit on parameters.
        for at in range(0, len(stale), 500):
            ids = stale[at : at + 500]
            reminders += deleted(delete(ReminderRecord).where(ReminderRecord.plan_id.in_(ids)))
            versions += deleted(delete(PlanVersionRecord).where(PlanVersionRecord.plan_id.in_(ids)))
            plans += deleted(delete(PlanRecord).where(PlanRecord.id.in_(ids)))
    return PlanPurge(cutoff, plans, versions, reminders)


def purge_app_store(engine: Engine, cutoff: datetime) -> tuple[int, int, int]:
    """(transcript entries, conversations, Teams activity ids) deleted."""
    with Session(engine) as session, session.begin():

        def deleted(statement: Delete) -> int:
            return int(cast(CursorResult[Any], session.execute(statement)).rowcount)

        transcript = deleted(delete(TranscriptRecord).where(TranscriptRecord.created_at < cutoff))
        conversations = deleted(
            delete(ConversationRecord).where(ConversationRecord.last_active_at < cutoff)
        )
        teams = deleted(delete(TeamsActivityRecord).where(TeamsActivityRecord.received_at < cutoff))
        # Turn keys outlive no transcript they guard (a resend comes within seconds anyway).
        session.execute(delete(TurnRecord).where(TurnRecord.recorded_at < cutoff))
    return transcript, conversations, teams


def purge_tracker_store(url: str, cutoff: datetime) -> int:
    """Events older than the cutoff; none when the engine has not created its store yet."""
    engine = create_database_engine(url)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        with engine.begin() as connection:
            deleted = connection.execute(
                delete(TRACKER_EVENTS).where(TRACKER_EVENTS.c.timestamp < cutoff.timestamp())
            ).rowcount
        return int(deleted)
    finally:
        engine.dispose()


def purge(
    app_engine: Engine,
    tracker_store_url: str,
    cutoff: datetime,
    plan_cutoff: datetime | None = None,
) -> PurgeReport:
    """Conversation text older than `cutoff`; with `plan_cutoff`, plans untouched since then."""
    tracker = purge_tracker_store(tracker_store_url, cutoff)
    transcript, conversations, teams = purge_app_store(app_engine, cutoff)
    plans = purge_plans(app_engine, plan_cutoff) if plan_cutoff is not None else None
    return PurgeReport(cutoff, transcript, conversations, teams, tracker, plans)
