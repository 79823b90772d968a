"""Web app replicas and action servers starting at once on a new PostgreSQL database take
turns to migrate it (the scale-out profile starts several)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import inspect, text

from assistant.store.database import create_database_engine
from assistant.store.migrate import UPGRADE_LOCK_KEY, upgrade_to_latest


@pytest.mark.postgres
def test_an_upgrade_waits_for_the_one_already_running(postgres_database_url: str) -> None:
    holder = create_database_engine(postgres_database_url)
    upgrading = create_database_engine(postgres_database_url)
    done = threading.Event()
    errors: list[BaseException] = []

    def upgrade() -> None:
        try:
            upgrade_to_latest(upgrading)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            done.set()

    with holder.begin() as connection:  # another process's upgrade, in progress
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK_KEY})
        thread = threading.Thread(target=upgrade)
        thread.start()
        assert not done.wait(1.0), "the upgrade did not wait for the one in progress"
    assert done.wait(60.0)
    thread.join()
    assert errors == []
    assert "alembic_version" in inspect(upgrading).get_table_names()
    upgrade_to_latest(upgrading)  # and again: nothing to do
    holder.dispose()
    upgrading.dispose()
