"""Retention: conversation text older than the retention period is deleted, from the app store
(transcripts, conversation owners, Teams activity ids) and from Rasa's tracker store (its
`events` table). The audit log keeps no message text and is kept; plans and learning records
are the worker's records, not conversation, and are kept too.
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
    delete,
    inspect,
)
from sqlalchemy.orm import Session

from assistant.store.database import create_database_engine
from assistant.store.models import (
    ConversationRecord,
    TeamsActivityRecord,
    TranscriptRecord,
    TurnRecord,
)

# Rasa's SQL tracker store table (rasa/core/tracker_store.py, SQLTrackerStore.SQLEvent): only
# the columns the purge needs. Rasa creates and owns it; it is never migrated from here.
_tracker = MetaData()
TRACKER_EVENTS = Table(
    "events",
    _tracker,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("timestamp", Float),
)


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    transcript_entries: int
    conversations: int
    teams_activities: int
    tracker_events: int

    def describe(self) -> str:
        return (
            f"Purged everything older than {self.cutoff.isoformat(timespec='seconds')}: "
            f"{self.tracker_events} tracker events, {self.transcript_entries} transcript "
            f"messages, {self.conversations} idle conversations, {self.teams_activities} Teams "
            "activity ids."
        )


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


def purge(app_engine: Engine, tracker_store_url: str, cutoff: datetime) -> PurgeReport:
    tracker = purge_tracker_store(tracker_store_url, cutoff)
    transcript, conversations, teams = purge_app_store(app_engine, cutoff)
    return PurgeReport(cutoff, transcript, conversations, teams, tracker)
