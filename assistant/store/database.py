"""Creating and checking the app's database connection."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url, text


def create_database_engine(url: str) -> Engine:
    """Create the engine, making the folder of a SQLite file if it does not exist yet."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, pool_pre_ping=True)


def database_is_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not ready", which is what the caller reports
        return False
    return True
