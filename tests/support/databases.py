"""The SQL side of the repository contract suites: one migrated database per case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.migrations import upgrade


@asynccontextmanager
async def migrated_database(
    request: pytest.FixtureRequest, tmp_path: Path, name: str
) -> AsyncIterator[SqlDatabase]:
    """For a ``backend`` fixture parametrised ``"sqlite"`` / ``"postgres"``: a fresh
    migrated SQLite file named ``name``, or the session's migrated PostgreSQL database;
    closed at the end."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / f'{name}.db'}"
        upgrade(url)
    else:
        url = request.getfixturevalue("migrated_postgres_url")
    database = SqlDatabase.from_settings(url=url, pool_size=4, max_overflow=2)
    try:
        yield database
    finally:
        await database.aclose()
