"""The turn-key ledger (assistant/core/turns.py) on SQLAlchemy (SQLite or PostgreSQL): shared
by every web app instance, so a resend that reaches another instance is still recorded once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.store.models import TurnRecord


class SqlTurnLedger:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def fingerprint_of(self, key: str) -> str | None:
        with Session(self._engine) as session:
            record = session.get(TurnRecord, key)
            return None if record is None else record.fingerprint

    def record(self, key: str, fingerprint: str, now: datetime) -> bool:
        try:
            with Session(self._engine) as session, session.begin():
                session.add(TurnRecord(key=key, fingerprint=fingerprint, recorded_at=now))
        except IntegrityError:  # recorded already, here or by another instance
            return False
        return True

    def forget(self, key: str) -> None:
        with Session(self._engine) as session, session.begin():
            session.execute(delete(TurnRecord).where(TurnRecord.key == key))
