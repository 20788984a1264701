"""Alembic migrations run up and down on SQLite and PostgreSQL and match the metadata."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.migrations import (
    alembic_config,
    current,
    downgrade,
    pending_differences,
    upgrade,
)
from adapters.persistence.sqlalchemy.tables import metadata
from tests.support import services


def _head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://")).get_current_head()
    assert head is not None
    return head


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        # a folder that does not exist yet: the migration creates it
        yield f"sqlite+aiosqlite:///{tmp_path / 'var' / 'atelier.db'}"
        return
    # a database of its own: going down to base must not disturb other tests' tables
    with services.scratch_postgres_database() as url:
        yield url


async def _tables(url: str) -> set[str]:
    database = SqlDatabase.from_settings(url=url)
    try:
        async with database.engine.connect() as conn:
            return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
    finally:
        await database.aclose()


def test_upgrade_downgrade_upgrade(empty_url: str) -> None:
    assert current(empty_url) is None
    upgrade(empty_url)
    assert current(empty_url) == _head()
    downgrade(empty_url)
    assert current(empty_url) is None
    upgrade(empty_url)
    assert current(empty_url) == _head()


def test_models_and_migrations_agree(empty_url: str) -> None:
    upgrade(empty_url)
    assert pending_differences(empty_url) == []


def test_without_migrations_the_difference_shows(empty_url: str) -> None:
    upgrade(empty_url)
    downgrade(empty_url)
    kinds = {diff[0] for diff in pending_differences(empty_url)}
    assert "add_table" in kinds


async def test_runs_from_inside_an_event_loop(empty_url: str) -> None:
    upgrade(empty_url)  # env.py's asyncio.run goes to a worker thread
    assert set(metadata.tables) <= await _tables(empty_url)
    downgrade(empty_url)
    assert set(metadata.tables).isdisjoint(await _tables(empty_url))


def test_every_revision_has_a_human_id() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://"))
    revisions = [rev.revision for rev in script.walk_revisions()]
    assert revisions
    assert all(rev.isdigit() and len(rev) == 4 for rev in revisions)
    assert script.get_heads() == [max(revisions)]  # one linear history
