"""Conversation owners on SQLAlchemy (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.core.conversations import ConversationOwner
from assistant.store.database import aware
from assistant.store.models import ConversationRecord


def _owner(record: ConversationRecord) -> ConversationOwner:
    return ConversationOwner(
        record.id,
        record.subject,
        record.authority,
        aware(record.started_at),
        aware(record.last_active_at),
    )


class SqlConversationDirectory:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim(
        self, conversation_id: str, subject: str, authority: str | None, now: datetime
    ) -> ConversationOwner:
        with Session(self._engine) as session, session.begin():
            record = session.get(ConversationRecord, conversation_id)
            if record is not None:
                if record.subject == subject:
                    record.last_active_at = now
                return _owner(record)
        try:
            with Session(self._engine) as session, session.begin():
                record = ConversationRecord(
                    id=conversation_id,
                    subject=subject,
                    authority=authority,
                    started_at=now,
                    last_active_at=now,
                )
                session.add(record)
                return _owner(record)
        except IntegrityError:  # another request claimed it first: theirs it is
            existing = self.owner(conversation_id)
            assert existing is not None
            return existing

    def owner(self, conversation_id: str) -> ConversationOwner | None:
        with Session(self._engine) as session:
            record = session.get(ConversationRecord, conversation_id)
            return None if record is None else _owner(record)
