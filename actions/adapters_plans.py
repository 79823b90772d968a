"""The plan service for the action server, built on first use over the app's database."""

from __future__ import annotations

from functools import cache

from actions.adapters_knowledge import branch_guide
from assistant.core.plans.service import PlanService, build_plan_service
from assistant.settings import Settings
from assistant.store.database import create_database_engine
from assistant.store.migrate import upgrade_to_latest
from assistant.store.plans import SqlPlanRepository


@cache
def plan_service() -> PlanService:
    settings = Settings()
    database = create_database_engine(settings.database_url)
    # The web app migrates at start-up; this only matters when the actions run alone.
    upgrade_to_latest(database)
    return build_plan_service(settings.knowledge_dir, branch_guide(), SqlPlanRepository(database))
