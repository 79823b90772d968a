"""The plan and reminder stores for the action server, built on first use."""

from __future__ import annotations

from functools import cache

from actions.adapters_knowledge import branch_guide
from actions.adapters_store import app_database
from assistant.core.plans.service import PlanService, build_plan_service
from assistant.settings import Settings
from assistant.store.plans import SqlPlanRepository
from assistant.store.reminders import SqlReminderRepository


@cache
def plan_service() -> PlanService:
    return build_plan_service(
        Settings().knowledge_dir, branch_guide(), SqlPlanRepository(app_database())
    )


@cache
def reminder_repository() -> SqlReminderRepository:
    return SqlReminderRepository(app_database())
