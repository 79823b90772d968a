"""Learners' records on SQLAlchemy: one row each, written whole (one learner answers one
question at a time)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from assistant.core.learning.learner import Learner, learner_from_json, learner_to_json
from assistant.store.models import LearnerRecord


class SqlLearnerRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, learner_id: str) -> Learner:
        with Session(self._engine) as session:
            record = session.get(LearnerRecord, learner_id)
            if record is None:
                return Learner(learner_id)
            return learner_from_json(record.body, record.updated_at)

    def save(self, learner: Learner) -> None:
        now = learner.updated_at or datetime.now(UTC)
        with Session(self._engine) as session, session.begin():
            record = session.get(LearnerRecord, learner.id)
            if record is None:
                session.add(
                    LearnerRecord(id=learner.id, body=learner_to_json(learner), updated_at=now)
                )
            else:
                record.body = learner_to_json(learner)
                record.updated_at = now
