"""Creating and checking the app's database connection."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text


def create_database_engine(url: str) -> Engine:
    """Create the engine, making the folder of a SQLite file if it does not exist yet.

    A SQLite file is opened in WAL mode with normal syncing: the web app and the action server
    write to it at once (transcripts, plans), and a commit per chat turn then costs a
    fraction of a millisecond rather than a full sync; a power cut can lose at most the
    last commits, never corrupt the file.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return create_engine(url, pool_pre_ping=True)
    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _wal(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return engine


def database_is_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not ready", which is what the caller reports
        return False
    return True


def aware(value: datetime) -> datetime:
    """SQLite keeps no time zone: what was written in UTC comes back naive."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
