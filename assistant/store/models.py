"""Typed SQLAlchemy 2 models. Schema changes go through Alembic (assistant/store/migrations)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class CitationRecord(Base):
    """One section cited in one answer: the audit trail a procedure update is checked against."""

    __tablename__ = "citation_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    section_id: Mapped[str] = mapped_column(String(200), index=True)
    section_hash: Mapped[str] = mapped_column(String(32))
    cited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
