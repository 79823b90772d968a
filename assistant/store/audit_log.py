"""The answer audit log on SQLAlchemy (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.core.answer_audit import AuditEntry, CitedSection
from assistant.store.database import aware
from assistant.store.models import AuditRecord


class SqlAuditLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, entry: AuditEntry) -> None:
        with Session(self._engine) as session, session.begin():
            session.add(
                AuditRecord(
                    conversation_id=entry.conversation_id,
                    subject=entry.subject,
                    authority=entry.authority,
                    answered_at=entry.answered_at,
                    sections=[
                        {
                            "authority": s.authority,
                            "section_id": s.section_id,
                            "title": s.title,
                            "source_version": s.source_version,
                        }
                        for s in entry.sections
                    ],
                )
            )

    def entries(
        self,
        authority: str | None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 10_000,
    ) -> list[AuditEntry]:
        query = select(AuditRecord).order_by(AuditRecord.id).limit(limit)
        if authority is not None:
            query = query.where(AuditRecord.authority == authority)
        if since is not None:
            query = query.where(AuditRecord.answered_at >= since)
        if until is not None:
            query = query.where(AuditRecord.answered_at < until)
        with Session(self._engine) as session:
            rows = session.scalars(query).all()
            return [
                AuditEntry(
                    r.conversation_id,
                    r.subject,
                    r.authority,
                    aware(r.answered_at),
                    tuple(
                        CitedSection(
                            s["authority"], s["section_id"], s["title"], s["source_version"]
                        )
                        for s in r.sections
                    ),
                )
                for r in rows
            ]
