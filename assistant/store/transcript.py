"""The conversation transcript on SQLAlchemy (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.core.transcript import Role, TranscriptEntry
from assistant.store.database import aware
from assistant.store.models import TranscriptRecord


class SqlTranscript:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def append(self, entries: Sequence[TranscriptEntry]) -> None:
        if not entries:
            return
        with Session(self._engine) as session, session.begin():
            # One by one, flushed in order: the id is what orders a conversation's messages.
            for e in entries:
                session.add(
                    TranscriptRecord(
                        conversation_id=e.conversation_id,
                        role=e.role,
                        body=e.body,
                        created_at=e.created_at,
                    )
                )
                session.flush()

    def entries(self, conversation_id: str, limit: int | None = None) -> list[TranscriptEntry]:
        if limit is not None and limit <= 0:
            return []
        query = (
            select(TranscriptRecord)
            .where(TranscriptRecord.conversation_id == conversation_id)
            .order_by(TranscriptRecord.id.desc())
        )
        if limit is not None:
            query = query.limit(limit)
        with Session(self._engine) as session:
            rows = list(session.scalars(query).all())
        return [
            TranscriptEntry(r.conversation_id, cast(Role, r.role), r.body, aware(r.created_at))
            for r in reversed(rows)
        ]
