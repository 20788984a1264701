"""Persistence adapters: SQLAlchemy Core (SQLite, PostgreSQL) and in-process memory."""
