"""Typed SQLAlchemy 2 models. Schema changes go through Alembic (assistant/store/migrations)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
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


class PlanRecord(Base):
    """One assessment plan: its latest version number, for listing and the conflict check."""

    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    authority: Mapped[str] = mapped_column(String(40), index=True)
    current_version: Mapped[int] = mapped_column(Integer)
    children: Mapped[str] = mapped_column(String(400))
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class PlanVersionRecord(Base):
    """Every saved version of a plan, never changed once written."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "version", name="uq_plan_versions_plan_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_by: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReminderRecord(Base):
    """A reminder of one assessment date; `status` moves pending → sent → done or missed."""

    __tablename__ = "reminders"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(200), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    authority: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    due: Mapped[date] = mapped_column(Date, index=True)
    referral_date: Mapped[date] = mapped_column(Date)
    copy_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    plan_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Who set it (assistant/core/reminders/model.py, ReminderOwner); NULL only in rows from
    # before migration 0009, which are withheld rather than delivered.
    owner_subject: Mapped[str | None] = mapped_column(String(255), nullable=True)
    owner_authority: Mapped[str | None] = mapped_column(String(40), nullable=True)
    owner_method: Mapped[str | None] = mapped_column(String(20), nullable=True)


class TeamsActivityRecord(Base):
    """A Teams activity already taken in: a retry of it (same id) is not answered again."""

    __tablename__ = "teams_activities"

    # sha256 of the conversation id and the activity id (Teams message ids are per conversation).
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class TeamsConversationRecord(Base):
    """Where to reach a Teams conversation later (answers, reminders): its reference."""

    __tablename__ = "teams_conversations"

    sender_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    service_url: Mapped[str] = mapped_column(String(500))
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TranscriptRecord(Base):
    """One message of a conversation as the worker saw it, theirs or the assistant's, so that
    the chat page can show the conversation again after a reload."""

    __tablename__ = "transcript"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Longer than the chat API's 128: other channels' conversation ids (Teams) can be.
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    role: Mapped[str] = mapped_column(String(16))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LearnerRecord(Base):
    """A learner's quiz and practice record (assistant/core/learning/learner.py), as JSON."""

    __tablename__ = "learners"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConversationRecord(Base):
    """Who owns a conversation id (assistant/core/conversations.py), and when it was last used
    (retention purges conversations idle for longer than the retention period)."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    subject: Mapped[str] = mapped_column(String(255), index=True)
    authority: Mapped[str | None] = mapped_column(String(40), nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_active_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AuditRecord(Base):
    """One answer: when, in which conversation, for whom, citing which sections (as JSON)."""

    __tablename__ = "answer_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    authority: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    sections: Mapped[list[dict[str, str]]] = mapped_column(JSON)


class TurnRecord(Base):
    """A chat turn already recorded under its Idempotency-Key (assistant/core/turns.py)."""

    __tablename__ = "turn_keys"

    # sha256 of the conversation id and the client's key.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # HMAC-SHA256 of the message under the secret key: the same text, not the text.
    fingerprint: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
