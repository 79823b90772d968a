"""Where plans are kept: every change is a new version, nothing is overwritten, and a change
made from an older version than the latest is refused rather than lost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from assistant.core.plans.model import Plan


class PlanNotFoundError(LookupError):
    def __init__(self, plan_id: str, version: int | None = None) -> None:
        which = f"version {version} of plan" if version is not None else "plan"
        super().__init__(f"There is no {which} {plan_id!r}.")
        self.plan_id = plan_id


class PlanVersionConflictError(RuntimeError):
    """Someone saved the plan since this version was read (another tab, channel or person)."""

    def __init__(self, plan_id: str, expected: int, current: int) -> None:
        super().__init__(
            f"Plan {plan_id!r} has changed since version {expected}: it is now at version "
            f"{current}. Reload it and make the change again."
        )
        self.plan_id = plan_id
        self.expected = expected
        self.current = current


@dataclass(frozen=True)
class PlanVersionInfo:
    version: int
    saved_at: datetime
    saved_by: str


@dataclass(frozen=True)
class PlanSummary:
    id: str
    authority: str
    version: int
    children: tuple[str, ...]
    finished: bool
    updated_at: datetime


class PlanRepository(Protocol):
    def add(self, plan: Plan, saved_by: str, now: datetime) -> Plan:
        """Store a new plan as version 1."""
        ...

    def get(self, plan_id: str, version: int | None = None) -> Plan:
        """The latest version, or the one asked for. Raises PlanNotFoundError."""
        ...

    def save(self, plan: Plan, saved_by: str, now: datetime) -> Plan:
        """Store `plan` as the next version. `plan.version` must be the latest stored version;
        otherwise PlanVersionConflictError."""
        ...

    def history(self, plan_id: str) -> list[PlanVersionInfo]: ...

    def list(
        self, authority: str, limit: int = 50, saved_by: str | None = None
    ) -> list[PlanSummary]:
        """The authority's plans, most recently changed first; with `saved_by`, only those
        that user saved a version of."""
        ...
