"""Persistence: SQLAlchemy 2 on SQLite by default, PostgreSQL by URL."""
