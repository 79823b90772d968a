"""The citation log on SQLAlchemy (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.core.audit import CitationUse
from assistant.store.models import CitationRecord


class SqlCitationLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, uses: Sequence[CitationUse]) -> None:
        if not uses:
            return
        with Session(self._engine) as session, session.begin():
            session.add_all(
                CitationRecord(
                    conversation_id=u.conversation_id,
                    section_id=u.section_id,
                    section_hash=u.section_hash,
                    cited_at=u.cited_at,
                )
                for u in uses
            )

    def citing(self, section_ids: Iterable[str]) -> list[CitationUse]:
        wanted = list(set(section_ids))
        if not wanted:
            return []
        with Session(self._engine) as session:
            rows = session.scalars(
                select(CitationRecord)
                .where(CitationRecord.section_id.in_(wanted))
                .order_by(CitationRecord.id)
            ).all()
        return [
            CitationUse(r.conversation_id, r.section_id, r.section_hash, r.cited_at) for r in rows
        ]
