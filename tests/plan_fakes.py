"""An in-memory plan repository with the same contract as the SQL one (cosmicpython's fake)."""

from __future__ import annotations

from datetime import datetime

from assistant.core.plans.model import Plan
from assistant.core.plans.repository import (
    PlanNotFoundError,
    PlanSummary,
    PlanVersionConflictError,
    PlanVersionInfo,
)


class FakePlanRepository:
    def __init__(self) -> None:
        self.versions: dict[str, list[tuple[Plan, PlanVersionInfo]]] = {}

    def add(self, plan: Plan, saved_by: str, now: datetime) -> Plan:
        if plan.id in self.versions:
            raise PlanVersionConflictError(plan.id, 0, len(self.versions[plan.id]))
        stored = plan.with_changes(version=1)
        self.versions[plan.id] = [(stored, PlanVersionInfo(1, now, saved_by))]
        return stored

    def get(self, plan_id: str, version: int | None = None) -> Plan:
        versions = self.versions.get(plan_id)
        if not versions or (version is not None and not 1 <= version <= len(versions)):
            raise PlanNotFoundError(plan_id, version)
        return versions[-1 if version is None else version - 1][0]

    def save(self, plan: Plan, saved_by: str, now: datetime) -> Plan:
        versions = self.versions.get(plan.id)
        if not versions:
            raise PlanNotFoundError(plan.id)
        if plan.version != len(versions):
            raise PlanVersionConflictError(plan.id, plan.version, len(versions))
        stored = plan.with_changes(version=plan.version + 1)
        versions.append((stored, PlanVersionInfo(stored.version, now, saved_by)))
        return stored

    def history(self, plan_id: str) -> list[PlanVersionInfo]:
        if plan_id not in self.versions:
            raise PlanNotFoundError(plan_id)
        return [info for _, info in self.versions[plan_id]]

    def list(
        self, authority: str, limit: int = 50, saved_by: str | None = None
    ) -> list[PlanSummary]:
        latest = [
            (v[-1][0], v[-1][1].saved_at)
            for v in self.versions.values()
            if saved_by is None or any(info.saved_by == saved_by for _, info in v)
        ]
        latest = [(p, at) for p, at in latest if p.authority == authority]
        latest.sort(key=lambda pa: pa[1], reverse=True)
        return [
            PlanSummary(
                p.id,
                p.authority,
                p.version,
                tuple(c.reference for c in p.children),
                p.finished,
                at,
            )
            for p, at in latest[:limit]
        ]
