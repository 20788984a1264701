"""SqlDatabase, UtcDateTime, error helpers and failure translation on real databases."""

from __future__ import annotations

import asyncio
import stat
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.errors import is_foreign_key_violation, is_unique_violation
from adapters.persistence.sqlalchemy.metadata import (
    NAMING_CONVENTION,
    UtcDateTime,
    utc_timestamp,
    uuid_pk,
    version_column,
)
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from adapters.persistence.sqlalchemy.versioning import update_versioned
from domain.shared.errors import DependencyUnavailable
from domain.shared.ids import new_id
from tests.support.databases import database_with_tables

# test tables live in their own MetaData (same naming convention), with a unique suffix so
# concurrent sessions on the shared PostgreSQL database never collide
SUFFIX = uuid.uuid4().hex[:8]
test_metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
parents = sa.Table(
    f"t_parents_{SUFFIX}",
    test_metadata,
    uuid_pk(),
    sa.Column("email", sa.String(100), nullable=False, unique=True),
    sa.Column("code", sa.String(20), nullable=False),
    sa.Column("site", sa.String(20), nullable=False),
    version_column(),
    utc_timestamp("seen_at", nullable=True),
    sa.UniqueConstraint("code", "site"),
)
children = sa.Table(
    f"t_children_{SUFFIX}",
    test_metadata,
    uuid_pk(),
    sa.Column("parent_id", sa.Uuid(), sa.ForeignKey(parents.c.id), nullable=False),
)
UQ_EMAIL = f"uq_t_parents_{SUFFIX}_email"
UQ_CODE_SITE = f"uq_t_parents_{SUFFIX}_code_site"
FK_PARENT = f"fk_t_children_{SUFFIX}_parent_id_t_parents_{SUFFIX}"


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlDatabase]:
    async with database_with_tables(
        request,
        test_metadata,
        tmp_path / "nested" / "dir" / "atelier.db",
        pool_size=2,
        pool_timeout=1,
    ) as db:
        yield db


async def _insert_parent(db: SqlDatabase, **values: object) -> uuid.UUID:
    row = {"id": new_id(), "email": f"{uuid.uuid4().hex}@x.test", "code": "c", "site": "s"}
    row.update(values)
    async with db.engine.begin() as conn:
        await conn.execute(sa.insert(parents).values(row))
    return row["id"]  # type: ignore[return-value]


async def test_ping_and_dialect(database: SqlDatabase) -> None:
    await database.ping()
    assert database.dialect_name in {"sqlite", "postgresql"}


async def test_utc_datetime_round_trips_aware_utc(database: SqlDatabase) -> None:
    moment = datetime(2025, 6, 1, 14, 30, 15, 654321, tzinfo=timezone(timedelta(hours=2)))
    parent_id = await _insert_parent(database, seen_at=moment)
    async with database.engine.connect() as conn:
        seen = await conn.scalar(sa.select(parents.c.seen_at).where(parents.c.id == parent_id))
        later = await conn.scalar(
            sa.select(sa.func.count()).where(parents.c.seen_at > moment - timedelta(seconds=1))
        )
    assert seen == moment
    assert seen.tzinfo is UTC
    assert seen.hour == 12
    assert later == 1


async def test_utc_datetime_refuses_naive_input(database: SqlDatabase) -> None:
    with pytest.raises(StatementError, match="naive"):
        await _insert_parent(database, seen_at=datetime(2025, 6, 1, 12, 0))


def test_utc_datetime_result_of_naive_text_is_utc() -> None:
    from sqlalchemy.dialects import sqlite

    value = UtcDateTime().process_result_value(datetime(2025, 1, 1, 8), sqlite.dialect())
    assert value == datetime(2025, 1, 1, 8, tzinfo=UTC)


async def test_unique_violation_names_the_constraint(database: SqlDatabase) -> None:
    await _insert_parent(database, email="a@x.test", code="k1", site="s1")
    with pytest.raises(IntegrityError) as single:
        await _insert_parent(database, email="a@x.test", code="k2", site="s1")
    assert is_unique_violation(single.value)
    assert is_unique_violation(single.value, UQ_EMAIL, metadata=test_metadata)
    assert not is_unique_violation(single.value, UQ_CODE_SITE, metadata=test_metadata)
    assert not is_foreign_key_violation(single.value)

    with pytest.raises(IntegrityError) as pair:
        await _insert_parent(database, email="b@x.test", code="k1", site="s1")
    assert is_unique_violation(pair.value, UQ_CODE_SITE, metadata=test_metadata)
    assert not is_unique_violation(pair.value, UQ_EMAIL, metadata=test_metadata)


async def test_foreign_keys_are_enforced(database: SqlDatabase) -> None:
    with pytest.raises(IntegrityError) as caught:
        async with database.engine.begin() as conn:
            await conn.execute(sa.insert(children).values(id=new_id(), parent_id=new_id()))
    assert is_foreign_key_violation(caught.value)
    if database.dialect_name == "postgresql":
        assert is_foreign_key_violation(caught.value, FK_PARENT)
        assert not is_foreign_key_violation(caught.value, "fk_other")
    assert not is_unique_violation(caught.value)


async def test_update_versioned(database: SqlDatabase) -> None:
    parent_id = await _insert_parent(database, code="before")
    async with database.engine.begin() as conn:
        assert await update_versioned(conn, parents, parent_id, 1, {"code": "after"})
        assert not await update_versioned(conn, parents, parent_id, 1, {"code": "stale"})
        assert not await update_versioned(conn, parents, new_id(), 2, {"code": "missing"})
        row = (await conn.execute(sa.select(parents).where(parents.c.id == parent_id))).one()
    assert (row.code, row.version) == ("after", 2)


async def test_sqlite_connection_settings(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "atelier.db"
    db = SqlDatabase.from_settings(url=f"sqlite:///{path}")  # the async driver is chosen
    try:
        assert path.parent.is_dir()  # created on construction, no connection yet
        assert not path.exists()
        async with db.engine.connect() as conn:
            pragmas = {
                name: (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar()
                for name in ("foreign_keys", "journal_mode", "busy_timeout", "synchronous")
            }
        assert pragmas == {
            "foreign_keys": 1,
            "journal_mode": "wal",
            "busy_timeout": 5000,
            "synchronous": 1,
        }
        async with db.engine.begin() as conn:  # a write: the -wal and -shm files exist
            await conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            files = [path, path.with_name("atelier.db-wal"), path.with_name("atelier.db-shm")]
            modes = {file.name: stat.S_IMODE(file.stat().st_mode) for file in files}
        assert modes == dict.fromkeys(modes, 0o600)  # readable by the owner only
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    finally:
        await db.aclose()


async def test_sqlite_memory_shares_one_connection() -> None:
    db = SqlDatabase.from_settings(url="sqlite+aiosqlite:///:memory:")
    try:
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        async with db.engine.connect() as conn:
            assert (await conn.exec_driver_sql("SELECT count(*) FROM t")).scalar() == 0
    finally:
        await db.aclose()


async def test_postgres_pool_exhaustion_fails_fast(postgres_url: str) -> None:
    db = SqlDatabase.from_settings(url=postgres_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    try:
        async with SqlAlchemyUnitOfWork(db) as holder:
            await holder.connection.execute(sa.text("SELECT 1"))
            started = time.monotonic()
            with pytest.raises(DependencyUnavailable) as caught:
                async with SqlAlchemyUnitOfWork(db):
                    pass
            assert time.monotonic() - started < 1.0
            assert caught.value.code == "database_unavailable"
        async with SqlAlchemyUnitOfWork(db) as again:  # the connection went back to the pool
            assert await again.connection.scalar(sa.text("SELECT 1")) == 1
    finally:
        await db.aclose()


async def test_postgres_session_settings(postgres_url: str) -> None:
    db = SqlDatabase.from_settings(url=postgres_url, statement_timeout_ms=1234)
    try:
        async with db.engine.connect() as conn:
            assert await conn.scalar(sa.text("SHOW statement_timeout")) == "1234ms"
            assert await conn.scalar(sa.text("SHOW application_name")) == "atelier"
            # timestamps come back in UTC with no per-value conversion (UtcDateTime)
            assert await conn.scalar(sa.text("SHOW TimeZone")) == "UTC"
    finally:
        await db.aclose()


async def test_postgres_statement_timeout_is_unavailable(postgres_url: str) -> None:
    db = SqlDatabase.from_settings(url=postgres_url, statement_timeout_ms=100)
    try:
        with pytest.raises(DependencyUnavailable):
            async with SqlAlchemyUnitOfWork(db) as uow:
                await uow.connection.execute(sa.text("SELECT pg_sleep(2)"))
    finally:
        await db.aclose()


async def test_unreachable_postgres_is_unavailable(postgres_url: str) -> None:
    wrong = "postgresql+psycopg://postgres@127.0.0.1:1/atelier"
    db = SqlDatabase.from_settings(url=wrong, pool_timeout=0.5)
    try:
        started = time.monotonic()
        with pytest.raises(DependencyUnavailable):
            await db.ping()
        with pytest.raises(DependencyUnavailable) as caught:
            async with SqlAlchemyUnitOfWork(db):
                pass
        assert caught.value.code == "database_unavailable"
        assert time.monotonic() - started < 5
    finally:
        await db.aclose()


async def test_connection_outside_the_block_is_refused(tmp_path: Path) -> None:
    db = SqlDatabase.from_settings(url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        uow = SqlAlchemyUnitOfWork(db)
        with pytest.raises(RuntimeError):
            _ = uow.connection
        async with uow:
            assert await uow.connection.scalar(sa.text("SELECT 1")) == 1
        with pytest.raises(RuntimeError):
            _ = uow.connection
    finally:
        await db.aclose()


def test_missing_url_is_refused() -> None:
    with pytest.raises(ValueError, match="URL"):
        SqlDatabase.from_settings(url="")
    with pytest.raises(ValueError, match="unsupported"):
        SqlDatabase.from_settings(url="mysql://x/y")


async def test_concurrent_units_of_work_on_sqlite(tmp_path: Path) -> None:
    db = SqlDatabase.from_settings(url=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(test_metadata.create_all)
    parent_id = await _insert_parent(db, code="0")

    async def bump(n: int) -> bool:
        async with SqlAlchemyUnitOfWork(db) as uow:
            changed = await update_versioned(
                uow.connection, parents, parent_id, 1, {"code": str(n)}
            )
            await uow.commit()
            return changed

    try:
        results = await asyncio.gather(*(bump(n) for n in range(5)))
        assert results.count(True) == 1  # optimistic concurrency: exactly one winner
    finally:
        await db.aclose()
