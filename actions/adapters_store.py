"""The app's database for the action server, opened on first use (plans and reminders)."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Engine

from assistant.settings import Settings
from assistant.store.database import create_database_engine
from assistant.store.migrate import upgrade_to_latest


@cache
def app_database() -> Engine:
    database = create_database_engine(Settings().database_url)
    # The web app migrates at start-up; this only matters when the actions run alone.
    upgrade_to_latest(database)
    return database
