"""Contract of the UnitOfWork port on every adapter: memory, SQLite and PostgreSQL.

Each adapter gets a small harness: a unit-of-work factory, a way to write a scratch row
inside the transaction, and readers for the scratch rows and the outbox. Domain events are
published in process after the commit; integration events (``uow.emit``) are written to the
outbox in the commit's transaction, never on rollback.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import pytest
import sqlalchemy as sa

from adapters.persistence.memory.store import MemoryStore, MemoryUnitOfWork
from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.migrations import upgrade
from adapters.persistence.sqlalchemy.tables.outbox import outbox_events
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from application.shared.events import EventBus, EventPublisher
from application.shared.integration import IntegrationEvent
from application.shared.uow import UnitOfWork
from domain.shared.aggregate import Aggregate
from domain.shared.events import DomainEvent
from domain.shared.ids import new_id

NOW = datetime(2025, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)


@dataclass(frozen=True, kw_only=True, slots=True)
class ThingRenamed(DomainEvent):
    thing_id: UUID
    name: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ThingRenamedV1(IntegrationEvent):
    NAME = "contract.thing_renamed.v1"
    thing_id: UUID
    name: str
    at: datetime


@dataclass(kw_only=True, eq=False, slots=True)
class Thing(Aggregate):
    name: str = ""

    def rename(self, name: str, at: datetime = NOW) -> ThingRenamed:
        self.name = name
        event = ThingRenamed(occurred_at=at, thing_id=self.id, name=name)
        self.record(event)
        return event


def rename(uow: UnitOfWork, thing: Thing, name: str, at: datetime = NOW) -> ThingRenamed:
    """What a use case does: change the aggregate, emit the integration event."""
    event = thing.rename(name, at)
    uow.emit(ThingRenamedV1(thing_id=thing.id, name=name, at=at), occurred_at=at)
    return event


class Harness(Protocol):
    def uow(self, publisher: EventPublisher | None = None) -> UnitOfWork: ...

    async def write(self, uow: UnitOfWork, key: str) -> None: ...

    async def keys(self) -> set[str]: ...

    async def outbox(self, thing_id: UUID) -> list[dict[str, Any]]:
        """The outbox rows (``event_type``, ``payload``) emitted about ``thing_id``."""
        ...


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

    async def outbox(self, thing_id: UUID) -> list[dict[str, Any]]:
        return [
            {"event_type": m.name, "payload": dict(m.payload)}
            for m in self.store.outbox
            if m.payload.get("thing_id") == str(thing_id)
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

    async def outbox(self, thing_id: UUID) -> list[dict[str, Any]]:
        query = (
            sa.select(outbox_events)
            .where(outbox_events.c.event_type == ThingRenamedV1.NAME)
            .order_by(outbox_events.c.id)
        )
        async with self.database.engine.connect() as conn:
            rows = [dict(row._mapping) for row in await conn.execute(query)]
        return [
            {"event_type": r["event_type"], "payload": r["payload"]}
            for r in rows
            if r["payload"]["thing_id"] == str(thing_id)
        ]


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
        assert isinstance(event, ThingRenamed)
        self.received.append(event)
        rows = await self.harness.outbox(event.thing_id)
        self.in_outbox_when_published.append(
            any(row["payload"]["name"] == event.name for row in rows)
        )


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
        first = rename(uow, thing, "pump", at=NOW.astimezone(local))
        second = rename(uow, thing, "valve")
        await harness.write(uow, key)
        assert recorder.received == []  # nothing is published before the commit
        await uow.commit()

    assert recorder.received == [first, second]
    assert recorder.in_outbox_when_published == [True, True]
    assert await harness.keys() == {key}
    rows = await harness.outbox(thing.id)
    assert [row["event_type"] for row in rows] == [ThingRenamedV1.NAME] * 2
    assert rows[0]["payload"] == {
        "thing_id": str(thing.id),
        "name": "pump",
        "at": NOW.astimezone(local).isoformat(),
    }
    assert rows[1]["payload"]["name"] == "valve"
    assert thing.pending_events == ()


async def test_leaving_without_commit_rolls_back(
    harness: Harness, bus_and_recorder: tuple[EventBus, Recorder]
) -> None:
    bus, recorder = bus_and_recorder
    thing = Thing(id=new_id())
    key = _key()
    async with harness.uow(bus) as uow:
        uow.track(thing)
        rename(uow, thing, "pump")
        await harness.write(uow, key)

    assert await harness.keys() == set()
    assert await harness.outbox(thing.id) == []
    assert recorder.received == []


async def test_an_exception_rolls_back_and_propagates(
    harness: Harness, bus_and_recorder: tuple[EventBus, Recorder]
) -> None:
    bus, recorder = bus_and_recorder
    thing = Thing(id=new_id())
    key = _key()

    class Boom(Exception):
        pass

    async def failing_block() -> None:
        async with harness.uow(bus) as uow:
            uow.track(thing)
            rename(uow, thing, "pump")
            await harness.write(uow, key)
            raise Boom

    with pytest.raises(Boom):
        await failing_block()

    assert await harness.keys() == set()
    assert await harness.outbox(thing.id) == []
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
        rename(uow, thing, "discarded")
        await harness.write(uow, discarded_key)
        await uow.rollback()
        kept = rename(uow, thing, "kept")
        await harness.write(uow, kept_key)
        await uow.commit()

    assert recorder.received == [kept]
    assert [row["payload"]["name"] for row in await harness.outbox(thing.id)] == ["kept"]
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


async def test_emit_outside_the_block_is_refused(harness: Harness) -> None:
    uow = harness.uow()
    event = ThingRenamedV1(thing_id=new_id(), name="x", at=NOW)
    with pytest.raises(RuntimeError):
        uow.emit(event, occurred_at=NOW)


async def test_emitting_something_without_a_name_is_refused(harness: Harness) -> None:
    async with harness.uow() as uow:
        with pytest.raises(TypeError):
            uow.emit(IntegrationEvent(), occurred_at=NOW)
