"""Contract of the UnitOfWork port on every adapter: memory, SQLite and PostgreSQL.

Each adapter gets a small harness: a unit-of-work factory, a way to write a scratch row
inside the transaction, and readers for the scratch rows and the outbox.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import msgspec
import pytest
import sqlalchemy as sa

from adapters.persistence.memory.store import MemoryStore, MemoryUnitOfWork
from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.migrations import upgrade
from adapters.persistence.sqlalchemy.tables.outbox import outbox_events
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from application.shared.events import EventBus, EventPublisher
from application.shared.uow import UnitOfWork
from domain.shared.aggregate import Aggregate
from domain.shared.events import DomainEvent
from domain.shared.ids import new_id

NOW = datetime(2025, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)


@dataclass(frozen=True, kw_only=True, slots=True)
class ThingRenamed(DomainEvent):
    thing_id: UUID
    name: str


@dataclass(kw_only=True, eq=False, slots=True)
class Thing(Aggregate):
    name: str = ""

    def rename(self, name: str, at: datetime = NOW) -> ThingRenamed:
        self.name = name
        event = ThingRenamed(occurred_at=at, thing_id=self.id, name=name)
        self.record(event)
        return event


class Harness(Protocol):
    def uow(self, publisher: EventPublisher | None = None) -> UnitOfWork: ...

    async def write(self, uow: UnitOfWork, key: str) -> None: ...

    async def keys(self) -> set[str]: ...

    async def outbox(self, ids: set[UUID]) -> list[dict[str, Any]]: ...


class MemoryHarness:
    def __init__(self) -> None:
        self.store = MemoryStore()

    def uow(self, publisher: EventPublisher | None = None) -> UnitOfWork:
        return MemoryUnitOfWork(self.store, publisher)

    async def write(self, uow: UnitOfWork, key: str) -> None:
        assert isinstance(uow, MemoryUnitOfWork)
        uow.table("scratch")[key] = key

    async def keys(self) -> set[str]:
        return set(self.store.tables.get("scratch", {}))

    async def outbox(self, ids: set[UUID]) -> list[dict[str, Any]]:
        return [
            {"id": e.event_id, "event_type": type(e).__name__, "payload": msgspec.to_builtins(e)}
            for e in self.store.outbox
            if e.event_id in ids
        ]


scratch_metadata = sa.MetaData()
scratch = sa.Table(
    "contract_uow_scratch", scratch_metadata, sa.Column("key", sa.String(64), primary_key=True)
)


class SqlHarness:
    def __init__(self, database: SqlDatabase) -> None:
        self.database = database
        self.written: set[str] = set()

    def uow(self, publisher: EventPublisher | None = None) -> UnitOfWork:
        return SqlAlchemyUnitOfWork(self.database, publisher)

    async def write(self, uow: UnitOfWork, key: str) -> None:
        assert isinstance(uow, SqlAlchemyUnitOfWork)
        self.written.add(key)
        await uow.connection.execute(sa.insert(scratch).values(key=key))

    async def keys(self) -> set[str]:
        async with self.database.engine.connect() as conn:
            rows = await conn.execute(
                sa.select(scratch.c.key).where(scratch.c.key.in_(self.written))
            )
            return {row.key for row in rows}

    async def outbox(self, ids: set[UUID]) -> list[dict[str, Any]]:
        query = sa.select(outbox_events).where(outbox_events.c.id.in_(ids))
        async with self.database.engine.connect() as conn:
            return [dict(row._mapping) for row in await conn.execute(query)]


async def _sql_harness(url: str) -> AsyncIterator[SqlHarness]:
    database = SqlDatabase.from_settings(url=url, pool_size=2, max_overflow=2)
    async with database.engine.begin() as conn:
        await conn.run_sync(scratch_metadata.create_all)
    try:
        yield SqlHarness(database)
    finally:
        await database.aclose()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    if request.param == "memory":
        yield MemoryHarness()
        return
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'db' / 'atelier.db'}"
        upgrade(url)
    else:
        url = request.getfixturevalue("migrated_postgres_url")
    async for sql_harness in _sql_harness(url):
        yield sql_harness


class Recorder:
    """An EventBus subscriber that also checks the outbox at the moment it is called."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.received: list[DomainEvent] = []
        self.in_outbox_when_published: list[bool] = []

    async def __call__(self, event: DomainEvent) -> None:
        self.received.append(event)
        rows = await self.harness.outbox({event.event_id})
        self.in_outbox_when_published.append(len(rows) == 1)


@pytest.fixture
def bus_and_recorder(harness: Harness) -> tuple[EventBus, Recorder]:
    bus = EventBus()
    recorder = Recorder(harness)
    bus.subscribe(ThingRenamed, recorder)
    return bus, recorder


def _key() -> str:
    return uuid.uuid4().hex


async def test_commit_persists_writes_and_outbox_then_publishes(
    harness: Harness, bus_and_recorder: tuple[EventBus, Recorder]
) -> None:
    bus, recorder = bus_and_recorder
    thing = Thing(id=new_id())
    key = _key()
    local = timezone(timedelta(hours=2))
    async with harness.uow(bus) as uow:
        uow.track(thing)
        uow.track(thing)  # tracking twice publishes once
        first = thing.rename("pump", at=NOW.astimezone(local))
        second = thing.rename("valve")
        await harness.write(uow, key)
        assert recorder.received == []  # nothing is published before the commit
        await uow.commit()

    assert recorder.received == [first, second]
    assert recorder.in_outbox_when_published == [True, True]
    assert await harness.keys() == {key}
    rows = {row["id"]: row for row in await harness.outbox({first.event_id, second.event_id})}
    assert set(rows) == {first.event_id, second.event_id}
    assert rows[first.event_id]["event_type"] == "ThingRenamed"
    assert rows[first.event_id]["payload"] == {
        "occurred_at": NOW.astimezone(local).isoformat(),
        "event_id": str(first.event_id),
        "thing_id": str(thing.id),
        "name": "pump",
    }
    assert rows[second.event_id]["payload"]["name"] == "valve"
    assert thing.pending_events == ()


async def test_leaving_without_commit_rolls_back(
    harness: Harness, bus_and_recorder: tuple[EventBus, Recorder]
) -> None:
    bus, recorder = bus_and_recorder
    thing = Thing(id=new_id())
    key = _key()
    async with harness.uow(bus) as uow:
        uow.track(thing)
        event = thing.rename("pump")
        await harness.write(uow, key)

    assert await harness.keys() == set()
    assert await harness.outbox({event.event_id}) == []
    assert recorder.received == []


async def test_an_exception_rolls_back_and_propagates(
    harness: Harness, bus_and_recorder: tuple[EventBus, Recorder]
) -> None:
    bus, recorder = bus_and_recorder
    thing = Thing(id=new_id())
    key = _key()

    class Boom(Exception):
        pass

    event = thing.rename("pump")

    async def failing_block() -> None:
        async with harness.uow(bus) as uow:
            uow.track(thing)
            await harness.write(uow, key)
            raise Boom

    with pytest.raises(Boom):
        await failing_block()

    assert await harness.keys() == set()
    assert await harness.outbox({event.event_id}) == []
    assert recorder.received == []
    # the unit of work is usable again after the failed block
    async with harness.uow(bus) as uow:
        await harness.write(uow, key)
        await uow.commit()
    assert await harness.keys() == {key}


async def test_events_recorded_before_a_rollback_are_not_leaked(
    harness: Harness, bus_and_recorder: tuple[EventBus, Recorder]
) -> None:
    bus, recorder = bus_and_recorder
    thing = Thing(id=new_id())
    discarded_key, kept_key = _key(), _key()
    async with harness.uow(bus) as uow:
        uow.track(thing)
        discarded = thing.rename("discarded")
        await harness.write(uow, discarded_key)
        await uow.rollback()
        kept = thing.rename("kept")
        await harness.write(uow, kept_key)
        await uow.commit()

    assert recorder.received == [kept]
    assert await harness.outbox({discarded.event_id}) == []
    assert [row["payload"]["name"] for row in await harness.outbox({kept.event_id})] == ["kept"]
    assert await harness.keys() == {kept_key}


async def test_commit_without_events_publishes_nothing(
    harness: Harness, bus_and_recorder: tuple[EventBus, Recorder]
) -> None:
    bus, recorder = bus_and_recorder
    key = _key()
    async with harness.uow(bus) as uow:
        uow.track(Thing(id=new_id()))
        await harness.write(uow, key)
        await uow.commit()
    assert recorder.received == []
    assert await harness.keys() == {key}


async def test_commit_outside_the_block_is_refused(harness: Harness) -> None:
    uow = harness.uow()
    with pytest.raises(RuntimeError):
        await uow.commit()
