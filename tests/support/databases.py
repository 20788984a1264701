"""The SQL side of the repository contract suites: one migrated database per case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

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


@asynccontextmanager
async def database_with_tables(
    request: pytest.FixtureRequest,
    metadata: sa.MetaData,
    sqlite_file: Path,
    *,
    pool_size: int,
    pool_timeout: float,
) -> AsyncIterator[SqlDatabase]:
    """For a fixture parametrised ``"sqlite"`` / ``"postgres"``: a database holding a test
    module's own tables (``metadata``), created here and dropped at the end; PostgreSQL is
    the session's ``postgres_url``, SQLite a file at ``sqlite_file``."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{sqlite_file}"
    else:
        url = request.getfixturevalue("postgres_url")
    database = SqlDatabase.from_settings(
        url=url, pool_size=pool_size, max_overflow=0, pool_timeout=pool_timeout
    )
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        yield database
    finally:
        async with database.engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)
        await database.aclose()
