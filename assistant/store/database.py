"""Creating and checking the app's database connection."""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text

logger = logging.getLogger(__name__)

# How long a write waits for another process's write to finish before failing (answered 503).
DEFAULT_BUSY_TIMEOUT_SECONDS = 5.0
# SQLite's companions of a database file in WAL mode: the log, and the shared-memory index
# every process maps into memory.
SQLITE_COMPANIONS = ("-wal", "-shm")


class DatabaseFileError(RuntimeError):
    """A SQLite file or its folder cannot be written by this process (checked at start-up)."""


def check_sqlite_files(database: Path) -> None:
    """Fail with a message naming the file when the database, its WAL log or its shared-memory
    file (-shm) cannot be opened for writing, or its folder cannot be written.

    Why before opening: SQLite maps the -shm file into memory, and when that file is there but
    cannot be written (another user's, read-only, not a file) the process can die of SIGBUS
    on first access, with nothing logged. Each file is opened for writing for real (access
    checks say yes to root whatever the file is).
    """
    for path in [database, *(Path(f"{database}{suffix}") for suffix in SQLITE_COMPANIONS)]:
        if not path.exists() and not path.is_symlink():
            continue
        try:
            with path.open("r+b"):
                pass
        except OSError as error:
            raise DatabaseFileError(
                f"The database file {path} cannot be opened for writing by this process "
                f"({error.strerror or type(error).__name__}). Give it to the user the "
                "assistant runs as (or remove a stale -wal/-shm file while nothing uses the "
                "database), then start again."
            ) from error
    try:
        with tempfile.TemporaryFile(dir=database.parent):
            pass
    except OSError as error:
        raise DatabaseFileError(
            f"The database folder {database.parent} is not writable by this process "
            f"({error.strerror or type(error).__name__}); SQLite needs to create its -wal and "
            "-shm files there."
        ) from error


def make_private(path: Path) -> None:
    """Create `path` (empty) if it is not there, readable and writable by its owner only: the
    app's database and its backups hold casework, and other users of the machine have no
    business reading them, whatever the umask."""
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)


def _make_sqlite_private(database: Path) -> None:
    """The database file, and its -wal and -shm files where they exist: SQLite creates those
    with the database file's permissions, so a private database keeps them private."""
    paths = [database, *(Path(f"{database}{suffix}") for suffix in SQLITE_COMPANIONS)]
    for path in paths:
        if path is not database and not path.is_file():
            continue
        try:
            make_private(path)
        except PermissionError:  # another user's file we may write but not chmod: say so
            logger.warning("%s is not this user's: it keeps its permissions, not 0600", path)


def create_database_engine(
    url: str, busy_timeout_seconds: float = DEFAULT_BUSY_TIMEOUT_SECONDS
) -> Engine:
    """Create the engine, making the folder of a SQLite file if it does not exist yet,
    checking that its files can be written (DatabaseFileError otherwise) and making them
    private to this user (0600).

    A SQLite file is opened in WAL mode with normal syncing: the web app and the action server
    write to it at once (transcripts, plans), and a commit per chat turn then costs a
    fraction of a millisecond rather than a full sync; a power cut can lose at most the
    last commits, never corrupt the file.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return create_engine(url, pool_pre_ping=True)
    Path(parsed.database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    check_sqlite_files(Path(parsed.database))
    _make_sqlite_private(Path(parsed.database))
    engine = create_engine(url, pool_pre_ping=True)
    busy_ms = int(busy_timeout_seconds * 1000)

    @event.listens_for(engine, "connect")
    def _wal(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    return engine


def database_is_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not ready", which is what the caller reports
        return False
    return True


def database_is_writable(engine: Engine, wait_seconds: float = 0.5) -> bool:
    """Whether a write could start now: on SQLite, another process holding the write lock
    (which readers do not notice in WAL mode) makes every write wait and then fail."""
    if engine.dialect.name != "sqlite":
        return True  # PostgreSQL locks rows, not the database: reachable is writable
    try:
        raw = engine.raw_connection()
    except Exception:
        return False
    try:
        cursor = raw.cursor()
        try:
            (timeout,) = cursor.execute("PRAGMA busy_timeout").fetchone()
            cursor.execute(f"PRAGMA busy_timeout={int(wait_seconds * 1000)}")
            try:
                cursor.execute("BEGIN IMMEDIATE")
                cursor.execute("ROLLBACK")
            finally:
                cursor.execute(f"PRAGMA busy_timeout={int(timeout)}")
        finally:
            cursor.close()
    except sqlite3.Error:
        return False
    finally:
        raw.close()
    return True


def aware(value: datetime) -> datetime:
    """SQLite keeps no time zone: what was written in UTC comes back naive."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
