"""``DriverSelect``: a hot read on psycopg's own connection reads what SQLAlchemy reads, and
fails as SQLAlchemy fails (a lost connection or a timeout is 503; the pool drops the lost
connection)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from adapters.persistence.sqlalchemy.driver_reads import DriverSelect
from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.metadata import NAMING_CONVENTION, utc_timestamp, uuid_pk
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from domain.shared.errors import DependencyUnavailable
from domain.shared.ids import new_id
from tests.support.databases import database_with_tables

SUFFIX = uuid.uuid4().hex[:8]
metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
things = sa.Table(
    f"t_driver_things_{SUFFIX}",
    metadata,
    uuid_pk(),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("owner_id", sa.Uuid, nullable=True),
    utc_timestamp("seen_at", nullable=True),
)
BY_ID = DriverSelect(sa.select(things).where(things.c.id == sa.bindparam("thing_id")))
_ALL = sa.select(things).where(things.c.count >= sa.bindparam("least")).order_by(things.c.name)
ALL, ALL_LIMITED = DriverSelect(_ALL), DriverSelect(_ALL.limit(1))


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlDatabase]:
    async with database_with_tables(
        request, metadata, tmp_path / "driver.db", pool_size=1, pool_timeout=2
    ) as db:
        yield db


async def test_a_row_reads_as_sqlalchemy_reads_it(database: SqlDatabase) -> None:
    rows: list[dict[str, Any]] = [
        {"id": new_id(), "name": "pump", "count": 3, "tags": ["a", "b"],
         "owner_id": uuid.uuid4(), "seen_at": datetime(2026, 5, 1, 8, 30, 1, 5, tzinfo=UTC)},
        {"id": new_id(), "name": "valve", "count": 0, "tags": [], "owner_id": None,
         "seen_at": None},
    ]  # fmt: skip
    async with database.engine.begin() as conn:
        await conn.execute(sa.insert(things), rows)
    async with SqlAlchemyUnitOfWork(database) as uow:
        for row in rows:
            read = await BY_ID.first(uow.connection, {"thing_id": row["id"]})
            plain = (
                await uow.connection.execute(sa.select(things).where(things.c.id == row["id"]))
            ).one()
            assert read is not None
            assert dict(read) == dict(plain._mapping) == row
            assert read["seen_at"] is None or read["seen_at"].utcoffset() is not None
        assert await BY_ID.first(uow.connection, {"thing_id": uuid.uuid4()}) is None
        everything = await ALL.all(uow.connection, {"least": 0})
        assert [dict(r) for r in everything] == sorted(rows, key=lambda r: r["name"])
        assert await ALL.all(uow.connection, {"least": 10}) == []
        # values the statement holds itself are sent (LIMIT 1), a missing one is refused
        first = await ALL_LIMITED.all(uow.connection, {"least": 0})
        assert [r["name"] for r in first] == ["pump"]
        with pytest.raises(sa.exc.SQLAlchemyError, match="least"):
            await ALL.all(uow.connection, {})
        # by position: the statement's columns in order, the same values
        names = [c.name for c in things.c]
        tuples = await ALL.tuples(uow.connection, {"least": 0})
        assert all(type(t) is tuple for t in tuples)
        assert tuples == [tuple(r[n] for n in names) for r in sorted(rows, key=lambda r: r["name"])]
        assert await ALL.tuples(uow.connection, {"least": 10}) == []
        # a literal IN list (SQLAlchemy expands it per execution) is expanded alike
        for named in (things.c.name.in_(["valve", "gate"]), things.c.name.not_in(["valve"])):
            listed = sa.select(things.c.name).where(named, things.c.count >= sa.bindparam("least"))
            plain_names = (await uow.connection.execute(listed, {"least": 0})).scalars().all()
            assert [
                r["name"] for r in await DriverSelect(listed).all(uow.connection, {"least": 0})
            ] == plain_names
            assert len(plain_names) == 1


async def _terminate(url: str, backend: int) -> None:
    killer = await psycopg.AsyncConnection.connect(
        url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    )
    async with killer:
        await killer.execute("SELECT pg_terminate_backend(%s)", (backend,))


async def _read_on_a_lost_connection(db: SqlDatabase, url: str) -> None:
    async with SqlAlchemyUnitOfWork(db) as uow:
        await _terminate(url, await uow.connection.scalar(sa.text("SELECT pg_backend_pid()")))
        await BY_ID.first(uow.connection, {"thing_id": uuid.uuid4()})


async def test_a_lost_connection_is_unavailable_and_dropped(postgres_url: str) -> None:
    db = SqlDatabase.from_settings(url=postgres_url, pool_size=1, max_overflow=0, pool_timeout=2)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        async with SqlAlchemyUnitOfWork(db) as uow:
            backend = await uow.connection.scalar(sa.text("SELECT pg_backend_pid()"))
            await _terminate(postgres_url, backend)
            with pytest.raises(sa.exc.OperationalError) as lost:
                await BY_ID.first(uow.connection, {"thing_id": uuid.uuid4()})
            assert lost.value.connection_invalidated
        with pytest.raises(DependencyUnavailable):  # what the unit of work makes of it
            await _read_on_a_lost_connection(db, postgres_url)
        # the pool (of one) gave the lost connection up: the next unit of work reads
        async with SqlAlchemyUnitOfWork(db) as uow:
            assert await BY_ID.first(uow.connection, {"thing_id": uuid.uuid4()}) is None
            assert await uow.connection.scalar(sa.text("SELECT pg_backend_pid()")) != backend
    finally:
        async with db.engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)
        await db.aclose()


async def test_a_statement_past_its_timeout_is_unavailable(postgres_url: str) -> None:
    db = SqlDatabase.from_settings(url=postgres_url, statement_timeout_ms=100)
    slow = DriverSelect(sa.select(sa.func.pg_sleep(sa.bindparam("seconds", type_=sa.Float))))
    try:
        with pytest.raises(DependencyUnavailable):
            async with SqlAlchemyUnitOfWork(db) as uow:
                await slow.first(uow.connection, {"seconds": 2.0})
        async with SqlAlchemyUnitOfWork(db) as uow:  # the connection is fine afterwards
            assert await slow.first(uow.connection, {"seconds": 0.0}) is not None
    finally:
        await db.aclose()


async def _in_autocommit(uow: SqlAlchemyUnitOfWork) -> bool:
    raw = await uow.connection.get_raw_connection()
    return bool(raw.driver_connection.autocommit)  # type: ignore[union-attr]


async def _rolled_back(db: SqlDatabase) -> bool:
    """The pool's connection came back out of autocommit, and a writing block on it whose
    insert is rolled back leaves nothing."""
    async with db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert not raw.driver_connection.autocommit  # type: ignore[union-attr]
    thing = new_id()
    async with SqlAlchemyUnitOfWork(db) as uow:
        assert not await _in_autocommit(uow)
        row = {"id": thing, "name": "x", "count": 1, "tags": []}
        await uow.connection.execute(sa.insert(things).values(row))
        await uow.rollback()
    async with SqlAlchemyUnitOfWork(db, read_only=True) as uow:
        return await BY_ID.first(uow.connection, {"thing_id": thing}) is None


async def test_a_read_lends_its_connection_back_transactional(postgres_url: str) -> None:
    db = SqlDatabase.from_settings(url=postgres_url, pool_size=1, max_overflow=0, pool_timeout=2)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    slow = DriverSelect(sa.select(sa.func.pg_sleep(sa.bindparam("seconds", type_=sa.Float))))
    try:
        async with SqlAlchemyUnitOfWork(db, read_only=True) as uow:
            assert await _in_autocommit(uow)  # no BEGIN / ROLLBACK round trips for a read
            assert await BY_ID.first(uow.connection, {"thing_id": new_id()}) is None
        assert await _rolled_back(db)  # the same (only) connection, in a transaction again

        async def cancelled_read() -> None:
            async with SqlAlchemyUnitOfWork(db, read_only=True) as uow:
                await slow.first(uow.connection, {"seconds": 5.0})

        with pytest.raises(TimeoutError):  # a read cancelled mid-statement (client gone)
            await asyncio.wait_for(cancelled_read(), timeout=0.3)
        assert await _rolled_back(db)
    finally:
        async with db.engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)
        await db.aclose()
