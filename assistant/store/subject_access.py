"""One child's data in the stores, found by their reference, for a subject-access export or an
erasure: every plan that mentions the reference (every version of it, since a version is the
plan as it was), the plans' reminders, and every transcript message and tracker store event
that mentions it.

Found by reading every plan version, transcript message and tracker event: references are
matched however they are written ("A.B." is "AB"), which a database LIKE cannot do, and this is
an operator's command, run rarely, over stores that retention keeps small.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Delete,
    Engine,
    delete,
    inspect,
    select,
)
from sqlalchemy.orm import Session

from assistant.core.privacy.subject import SubjectReference
from assistant.store.database import create_database_engine
from assistant.store.models import (
    PlanRecord,
    PlanVersionRecord,
    ReminderRecord,
    TranscriptRecord,
)
from assistant.store.retention import TRACKER_EVENTS

_EVENTS = TRACKER_EVENTS  # Rasa's tracker store table, as retention declares it
_SLICE = 500  # ids per IN (...), within every database's limit on parameters


@dataclass(frozen=True)
class SubjectRecords:
    """Everything stored that mentions one child's reference, as JSON-ready values."""

    reference: str
    plans: list[dict[str, Any]]
    reminders: list[dict[str, Any]]
    transcript: list[dict[str, Any]]
    tracker_events: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "plans": self.plans,
            "reminders": self.reminders,
            "transcript": self.transcript,
            "tracker_events": self.tracker_events,
        }


@dataclass(frozen=True)
class Erasure:
    reference: str
    plans: int
    plan_versions: int
    reminders: int
    transcript_entries: int
    tracker_events: int

    def describe(self) -> str:
        return (
            f"Erased everything that mentions {self.reference}: {self.plans} plans "
            f"({self.plan_versions} versions), {self.reminders} reminders, "
            f"{self.transcript_entries} transcript messages, {self.tracker_events} tracker "
            "events."
        )


def find_subject(engine: Engine, tracker_store_url: str, reference: str) -> SubjectRecords:
    """PlanValidationError when `reference` is not initials or a case reference."""
    subject = SubjectReference(reference)
    plan_ids = _plans_mentioning(engine, subject)
    with Session(engine) as session:
        plans = []
        for plan_id in plan_ids:
            record = session.get(PlanRecord, plan_id)
            versions = session.scalars(
                select(PlanVersionRecord)
                .where(PlanVersionRecord.plan_id == plan_id)
                .order_by(PlanVersionRecord.version)
            ).all()
            plans.append(
                {
                    "id": plan_id,
                    "authority": record.authority if record else None,
                    "versions": [
                        {
                            "version": v.version,
                            "saved_at": v.saved_at.isoformat(),
                            "saved_by": v.saved_by,
                            "plan": v.body,
                        }
                        for v in versions
                    ],
                }
            )
        reminders = [
            {
                "id": r.id,
                "plan_id": r.plan_id,
                "conversation_id": r.conversation_id,
                "authority": r.authority,
                "label": r.label,
                "due": r.due.isoformat(),
                "referral_date": r.referral_date.isoformat(),
                "status": r.status,
            }
            for r in _reminders_of(session, plan_ids)
        ]
        transcript = [
            {
                "conversation_id": t.conversation_id,
                "role": t.role,
                "body": t.body,
                "created_at": t.created_at.isoformat(),
            }
            for t in _transcript_mentioning(session, subject)
        ]
    events = [
        {
            "sender_id": sender,
            "type_name": kind,
            "timestamp": when,
            "data": _json_or_text(data),
        }
        for _, sender, kind, when, data in _tracker_events_mentioning(tracker_store_url, subject)
    ]
    return SubjectRecords(subject.reference, plans, reminders, transcript, events)


def erase_subject(engine: Engine, tracker_store_url: str, reference: str) -> Erasure:
    """Delete what `find_subject` finds: plans whole (every version), their reminders, and the
    transcript messages and tracker events that mention the reference."""
    subject = SubjectReference(reference)
    plan_ids = _plans_mentioning(engine, subject)
    plans = versions = reminders = 0
    with Session(engine) as session, session.begin():

        def deleted(statement: Delete) -> int:
            return int(cast(CursorResult[Any], session.execute(statement)).rowcount)

        for at in range(0, len(plan_ids), _SLICE):
            ids = plan_ids[at : at + _SLICE]
            reminders += deleted(delete(ReminderRecord).where(ReminderRecord.plan_id.in_(ids)))
            versions += deleted(delete(PlanVersionRecord).where(PlanVersionRecord.plan_id.in_(ids)))
            plans += deleted(delete(PlanRecord).where(PlanRecord.id.in_(ids)))
        entries = [t.id for t in _transcript_mentioning(session, subject)]
        transcript = 0
        for at in range(0, len(entries), _SLICE):
            transcript += deleted(
                delete(TranscriptRecord).where(TranscriptRecord.id.in_(entries[at : at + _SLICE]))
            )
    events = _erase_tracker_events(tracker_store_url, subject)
    return Erasure(subject.reference, plans, versions, reminders, transcript, events)


def _plans_mentioning(engine: Engine, subject: SubjectReference) -> list[str]:
    """Plans any version of which mentions the reference, oldest first."""
    found: dict[str, None] = {}
    with Session(engine) as session:
        rows = session.execute(
            select(PlanVersionRecord.plan_id, PlanVersionRecord.body).order_by(PlanVersionRecord.id)
        )
        for plan_id, body in rows:
            if plan_id not in found and subject.in_json(body):
                found[plan_id] = None
    return list(found)


def _reminders_of(session: Session, plan_ids: list[str]) -> list[ReminderRecord]:
    found: list[ReminderRecord] = []
    for at in range(0, len(plan_ids), _SLICE):
        found += session.scalars(
            select(ReminderRecord)
            .where(ReminderRecord.plan_id.in_(plan_ids[at : at + _SLICE]))
            .order_by(ReminderRecord.due, ReminderRecord.id)
        ).all()
    return found


def _transcript_mentioning(session: Session, subject: SubjectReference) -> list[TranscriptRecord]:
    records = session.scalars(select(TranscriptRecord).order_by(TranscriptRecord.id))
    return [r for r in records if subject.in_json(r.body)]


def _json_or_text(data: str | None) -> Any:
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return data


def _tracker_events_mentioning(
    url: str, subject: SubjectReference
) -> list[tuple[int, str, str, float, str | None]]:
    """(id, sender, type, timestamp, data) of each event that mentions the reference; none when
    the engine has not created its store yet."""
    engine = create_database_engine(url)
    try:
        if not inspect(engine).has_table("events"):
            return []
        with engine.connect() as connection:
            rows = connection.execute(
                select(
                    _EVENTS.c.id,
                    _EVENTS.c.sender_id,
                    _EVENTS.c.type_name,
                    _EVENTS.c.timestamp,
                    _EVENTS.c.data,
                ).order_by(_EVENTS.c.id)
            )
            return [
                (row[0], row[1], row[2], row[3], row[4])
                for row in rows
                if row[4] is not None and subject.in_json(_json_or_text(row[4]))
            ]
    finally:
        engine.dispose()


def _erase_tracker_events(url: str, subject: SubjectReference) -> int:
    ids = [event[0] for event in _tracker_events_mentioning(url, subject)]
    if not ids:
        return 0
    engine = create_database_engine(url)
    try:
        deleted = 0
        with engine.begin() as connection:
            for at in range(0, len(ids), _SLICE):
                result = connection.execute(
                    delete(_EVENTS).where(_EVENTS.c.id.in_(ids[at : at + _SLICE]))
                )
                deleted += int(result.rowcount)
        return deleted
    finally:
        engine.dispose()
