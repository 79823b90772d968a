"""Plans on SQLAlchemy: one row per plan, one immutable row per version.

A save is a compare-and-set on the plan's current version inside one transaction, so two
people saving from the same version cannot both win: the second gets a conflict, and the
unique (plan, version) constraint backs that up even between processes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.core.plans.model import Plan, plan_from_json, plan_to_json
from assistant.core.plans.repository import (
    PlanNotFoundError,
    PlanSummary,
    PlanVersionConflictError,
    PlanVersionInfo,
)
from assistant.store.models import PlanRecord, PlanVersionRecord


def _children(plan: Plan) -> str:
    return ",".join(c.reference for c in plan.children)[:400]


class SqlPlanRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, plan: Plan, saved_by: str, now: datetime) -> Plan:
        stored = plan.with_changes(version=1)
        try:
            with Session(self._engine) as session, session.begin():
                session.add(
                    PlanRecord(
                        id=plan.id,
                        authority=plan.authority,
                        current_version=1,
                        children=_children(plan),
                        finished=plan.finished,
                        created_at=now,
                        updated_at=now,
                    )
                )
                session.flush()
                session.add(self._version(stored, saved_by, now))
        except IntegrityError:
            raise PlanVersionConflictError(plan.id, 0, self._current(plan.id)) from None
        return stored

    def get(self, plan_id: str, version: int | None = None) -> Plan:
        with Session(self._engine) as session:
            query = select(PlanVersionRecord).where(PlanVersionRecord.plan_id == plan_id)
            if version is None:
                query = query.order_by(PlanVersionRecord.version.desc()).limit(1)
            else:
                query = query.where(PlanVersionRecord.version == version)
            record = session.scalars(query).first()
            if record is None:
                raise PlanNotFoundError(plan_id, version)
            return plan_from_json(record.body)

    def save(self, plan: Plan, saved_by: str, now: datetime) -> Plan:
        stored = plan.with_changes(version=plan.version + 1)
        try:
            with Session(self._engine) as session, session.begin():
                claimed = session.execute(
                    update(PlanRecord)
                    .where(PlanRecord.id == plan.id, PlanRecord.current_version == plan.version)
                    .values(
                        current_version=stored.version,
                        children=_children(plan),
                        finished=plan.finished,
                        updated_at=now,
                    )
                )
                if claimed.rowcount != 1:  # type: ignore[attr-defined]
                    raise PlanVersionConflictError(plan.id, plan.version, self._current(plan.id))
                session.add(self._version(stored, saved_by, now))
        except IntegrityError:
            raise PlanVersionConflictError(plan.id, plan.version, self._current(plan.id)) from None
        return stored

    def history(self, plan_id: str) -> list[PlanVersionInfo]:
        with Session(self._engine) as session:
            rows = session.execute(
                select(
                    PlanVersionRecord.version,
                    PlanVersionRecord.saved_at,
                    PlanVersionRecord.saved_by,
                )
                .where(PlanVersionRecord.plan_id == plan_id)
                .order_by(PlanVersionRecord.version)
            ).all()
        if not rows:
            raise PlanNotFoundError(plan_id)
        return [PlanVersionInfo(v, at, by) for v, at, by in rows]

    def list(
        self, authority: str, limit: int = 50, saved_by: str | None = None
    ) -> list[PlanSummary]:
        query = select(PlanRecord).where(PlanRecord.authority == authority)
        if saved_by is not None:
            query = query.where(
                PlanRecord.id.in_(
                    select(PlanVersionRecord.plan_id).where(PlanVersionRecord.saved_by == saved_by)
                )
            )
        with Session(self._engine) as session:
            records = session.scalars(
                query.order_by(PlanRecord.updated_at.desc(), PlanRecord.id).limit(limit)
            ).all()
            return [
                PlanSummary(
                    r.id,
                    r.authority,
                    r.current_version,
                    tuple(c for c in r.children.split(",") if c),
                    r.finished,
                    r.updated_at,
                )
                for r in records
            ]

    def _current(self, plan_id: str) -> int:
        with Session(self._engine) as session:
            current = session.scalar(
                select(PlanRecord.current_version).where(PlanRecord.id == plan_id)
            )
        if current is None:
            raise PlanNotFoundError(plan_id)
        return current

    @staticmethod
    def _version(plan: Plan, saved_by: str, now: datetime) -> PlanVersionRecord:
        return PlanVersionRecord(
            plan_id=plan.id,
            version=plan.version,
            body=plan_to_json(plan),
            saved_by=saved_by[:200],
            saved_at=now,
        )
