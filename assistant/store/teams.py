"""Microsoft Teams state on SQLAlchemy (SQLite or PostgreSQL): activities already taken in,
and the conversation reference of every Teams conversation, so that any instance of the app,
also after a restart, catches a retried activity and can reach a conversation later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.store.models import TeamsActivityRecord, TeamsConversationRecord


@dataclass(frozen=True)
class StoredReference:
    sender_id: str
    tenant_id: str
    service_url: str
    reference: dict[str, Any]
    updated_at: datetime


class SqlTeamsStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim_activity(self, key: str, now: datetime) -> bool:
        """True the first time `key` is claimed, False ever after (on any instance)."""
        try:
            with Session(self._engine) as session, session.begin():
                session.add(TeamsActivityRecord(key=key, received_at=now))
        except IntegrityError:
            return False
        return True

    def forget_activities_before(self, cutoff: datetime) -> int:
        with Session(self._engine) as session, session.begin():
            result = session.execute(
                delete(TeamsActivityRecord).where(TeamsActivityRecord.received_at < cutoff)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    def save_reference(self, stored: StoredReference) -> None:
        def write() -> None:
            with Session(self._engine) as session, session.begin():
                session.merge(
                    TeamsConversationRecord(
                        sender_id=stored.sender_id,
                        tenant_id=stored.tenant_id,
                        service_url=stored.service_url,
                        reference=stored.reference,
                        updated_at=stored.updated_at,
                    )
                )

        try:
            write()
        except IntegrityError:  # another instance inserted it first: now it is an update
            write()

    def load_reference(self, sender_id: str) -> StoredReference | None:
        with Session(self._engine) as session:
            record = session.get(TeamsConversationRecord, sender_id)
            if record is None:
                return None
            return StoredReference(
                record.sender_id,
                record.tenant_id,
                record.service_url,
                dict(record.reference),
                record.updated_at,
            )
