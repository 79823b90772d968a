"""The Alembic migrations build exactly the models' schema, and undo it, on SQLite and PostgreSQL.

The expected tables and columns come from the models' metadata, so a model added without its
migration (or a migration that drifts from its model) fails here.
"""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, inspect

from assistant.store.database import create_database_engine
from assistant.store.migrate import alembic_config, upgrade_to_latest
from assistant.store.models import Base


def _tables(engine: Engine) -> dict[str, set[str]]:
    inspector = inspect(engine)  # a new inspector each time: they cache what they have read
    return {
        table: {column["name"] for column in inspector.get_columns(table)}
        for table in inspector.get_table_names()
    }


def _assert_schema_matches_models(engine: Engine) -> None:
    tables = _tables(engine)
    expected = {t.name: {c.name for c in t.columns} for t in Base.metadata.sorted_tables}
    assert expected, "no models in Base.metadata"
    for name, columns in expected.items():
        assert name in tables, f"migrations do not create table {name!r}"
        assert tables[name] == columns, f"columns of {name!r} differ from its model"


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    engine = create_database_engine(database_url)
    try:
        # Up the way the app does at start-up: on its own connection.
        upgrade_to_latest(engine)
        _assert_schema_matches_models(engine)
        upgrade_to_latest(engine)  # already at head: nothing to do
        _assert_schema_matches_models(engine)

        # Down and up again from the URL alone, as `alembic` on the command line would.
        config = alembic_config(database_url)
        command.downgrade(config, "base")
        assert set(_tables(engine)) <= {"alembic_version"}

        command.upgrade(config, "heads")
        _assert_schema_matches_models(engine)
    finally:
        engine.dispose()
