"""Bring a database to the latest schema with Alembic (run at start-up).

Upgrades to every head: features add their tables in migrations branching from the same
parent, and a merge revision joins them when convenient.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Serialises upgrades on PostgreSQL, where several processes (web app replicas, action
# servers) may start at once on a new database: the first migrates, the others wait and then
# find nothing to do. Any constant, the same in every process.
UPGRADE_LOCK_KEY = 0x61737369  # "assi"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade_to_latest(engine: Engine) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK_KEY}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
