"""Backing up the app store to one file and restoring it into an empty database.

The file is gzipped JSON: the schema revisions it was taken at, then every table of the app's
models, rows in primary-key order, values in JSON form (dates as ISO strings). A restore goes
into a database migrated to the same revisions and refuses one that already holds data, so
it can never mix two stores. Works between SQLite and PostgreSQL in either direction.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Engine, Table, func, insert, select, text

from assistant.store.database import make_private
from assistant.store.migrate import upgrade_to_latest
from assistant.store.models import Base

FORMAT = "practice-assistant-backup/1"


class BackupError(RuntimeError):
    """A backup that cannot be restored here (another schema, a database already in use)."""


@dataclass(frozen=True)
class BackupSummary:
    revisions: tuple[str, ...]
    rows: dict[str, int]


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)  # parents before children (foreign keys)


def _revisions(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return tuple(sorted(r[0] for r in rows))


def _to_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _from_json(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    converted = dict(row)
    for column in table.columns:
        value = converted.get(column.name)
        if value is None:
            continue
        if isinstance(column.type, DateTime):
            converted[column.name] = datetime.fromisoformat(value)
        elif isinstance(column.type, Date):
            converted[column.name] = date.fromisoformat(value)
    return converted


def backup(engine: Engine, path: Path) -> BackupSummary:
    """Write every table of the app store to `path` (one consistent read)."""
    revisions = _revisions(engine)
    tables: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as connection, connection.begin():
        for table in _tables():
            order = list(table.primary_key.columns)
            rows = connection.execute(select(table).order_by(*order)).mappings().all()
            tables[table.name] = [{k: _to_json(v) for k, v in row.items()} for row in rows]
    body = {"format": FORMAT, "revisions": list(revisions), "tables": tables}
    path.parent.mkdir(parents=True, exist_ok=True)
    make_private(path)  # before a byte is written: a backup holds every casework table
    with gzip.open(path, "wt", encoding="utf-8") as out:
        json.dump(body, out)
    return BackupSummary(revisions, {name: len(rows) for name, rows in tables.items()})


def restore(engine: Engine, path: Path) -> BackupSummary:
    """Load a backup into `engine`'s database, migrated first; it must hold no data yet."""
    with gzip.open(path, "rt", encoding="utf-8") as source:
        body = json.load(source)
    if body.get("format") != FORMAT:
        raise BackupError(f"{path} is not a backup of this assistant's store.")
    upgrade_to_latest(engine)
    revisions = _revisions(engine)
    if tuple(sorted(body["revisions"])) != revisions:
        raise BackupError(
            f"The backup is of schema {body['revisions']}, this database is at {list(revisions)}: "
            "restore it with the version of the assistant that made it."
        )
    tables = {t.name: t for t in _tables()}
    with engine.begin() as connection:
        for table in tables.values():
            if connection.execute(select(func.count()).select_from(table)).scalar_one():
                raise BackupError(
                    f"The database already holds {table.name}: restore into an empty one."
                )
        for table in _tables():
            rows = [_from_json(table, row) for row in body["tables"].get(table.name, [])]
            if rows:
                connection.execute(insert(table), rows)
        _reset_sequences(connection, tables.values())
    return BackupSummary(revisions, {n: len(r) for n, r in body["tables"].items()})


def _reset_sequences(connection: Any, tables: Any) -> None:
    """PostgreSQL's serial counters start after the restored ids (SQLite needs nothing)."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto" and column.type.python_type is int
            ):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                        f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
                    )
                )
