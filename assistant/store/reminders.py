"""Reminders on SQLAlchemy; a status change is a compare-and-set, so that two instances of
the app never both send the same reminder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from assistant.core.reminders.delivery import ReminderNotFoundError
from assistant.core.reminders.model import Channel, Reminder, ReminderOwner, ReminderStatus
from assistant.store.models import ReminderRecord

OPEN = (ReminderStatus.PENDING.value, ReminderStatus.SENT.value)


def _owner(r: ReminderRecord) -> ReminderOwner | None:
    if not r.owner_subject or not r.owner_method:
        return None
    return ReminderOwner(r.owner_subject, r.owner_authority, r.owner_method)


def _reminder(r: ReminderRecord) -> Reminder:
    return Reminder(
        id=r.id,
        conversation_id=r.conversation_id,
        channel=Channel(r.channel),
        authority=r.authority,
        label=r.label,
        due=r.due,
        referral_date=r.referral_date,
        copy_manager=r.copy_manager,
        plan_id=r.plan_id,
        status=ReminderStatus(r.status),
        sent_at=r.sent_at,
        owner=_owner(r),
    )


class SqlReminderRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add_all(self, reminders: Sequence[Reminder]) -> None:
        with Session(self._engine) as session, session.begin():
            session.add_all(
                ReminderRecord(
                    id=r.id,
                    conversation_id=r.conversation_id,
                    channel=r.channel.value,
                    authority=r.authority,
                    label=r.label,
                    due=r.due,
                    referral_date=r.referral_date,
                    copy_manager=r.copy_manager,
                    plan_id=r.plan_id,
                    status=r.status.value,
                    sent_at=r.sent_at,
                    owner_subject=r.owner.subject if r.owner else None,
                    owner_authority=r.owner.authority if r.owner else None,
                    owner_method=r.owner.method if r.owner else None,
                )
                for r in reminders
            )

    def get(self, reminder_id: str) -> Reminder:
        with Session(self._engine) as session:
            record = session.get(ReminderRecord, reminder_id)
            if record is None:
                raise ReminderNotFoundError(reminder_id)
            return _reminder(record)

    def open_due_by(self, today: date) -> list[Reminder]:
        with Session(self._engine) as session:
            records = session.scalars(
                select(ReminderRecord)
                .where(ReminderRecord.status.in_(OPEN), ReminderRecord.due <= today)
                .order_by(ReminderRecord.due, ReminderRecord.id)
            ).all()
            return [_reminder(r) for r in records]

    def move(
        self, reminder_id: str, expected: ReminderStatus, to: ReminderStatus, at: datetime
    ) -> bool:
        with Session(self._engine) as session, session.begin():
            result = session.execute(
                update(ReminderRecord)
                .where(ReminderRecord.id == reminder_id, ReminderRecord.status == expected.value)
                .values(status=to.value, sent_at=at)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def for_owner(self, owner_subject: str, conversation_id: str) -> list[Reminder]:
        with Session(self._engine) as session:
            records = session.scalars(
                select(ReminderRecord)
                .where(
                    ReminderRecord.conversation_id == conversation_id,
                    ReminderRecord.owner_subject == owner_subject,
                )
                .order_by(ReminderRecord.due, ReminderRecord.id)
            ).all()
            return [_reminder(r) for r in records]

    def for_conversation(self, conversation_id: str) -> list[Reminder]:
        """Every reminder of the conversation, whoever set it: for operators and checks, never
        for a user (they get for_owner's)."""
        with Session(self._engine) as session:
            records = session.scalars(
                select(ReminderRecord)
                .where(ReminderRecord.conversation_id == conversation_id)
                .order_by(ReminderRecord.due, ReminderRecord.id)
            ).all()
            return [_reminder(r) for r in records]
