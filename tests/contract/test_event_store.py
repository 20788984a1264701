"""Contract of the event backbone's storage on memory, SQLite and PostgreSQL: the outbox as
the relay reads it, the inbox as handlers claim it, the dead letters."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.persistence.memory.events import MemoryDeadLetters, MemoryInbox, MemoryOutbox
from adapters.persistence.memory.store import MemoryStore, MemoryUnitOfWork
from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.events import SqlDeadLetters, SqlInbox, SqlOutbox
from adapters.persistence.sqlalchemy.migrations import upgrade
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from application.shared.integration import Inbox, IntegrationEvent
from application.shared.outbox import DeadLetter, DeadLetters, Outbox
from application.shared.uow import UnitOfWork
from domain.shared.ids import new_id

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


@dataclass(frozen=True, kw_only=True, slots=True)
class Pinged(IntegrationEvent):
    NAME = "contract.pinged.v1"
    n: int
    tag: str


@dataclass
class Backend:
    uow: Callable[[], UnitOfWork]
    inbox: Callable[[UnitOfWork], Inbox]
    outbox: Outbox
    dead_letters: DeadLetters
    postgres: bool = False


async def _backend(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Backend]:
    if kind == "memory":
        store = MemoryStore()
        yield Backend(
            uow=lambda: MemoryUnitOfWork(store),
            inbox=lambda uow: MemoryInbox(uow),  # type: ignore[arg-type]
            outbox=MemoryOutbox(store),
            dead_letters=MemoryDeadLetters(store),
        )
        return
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'events.db'}"
        upgrade(url)
    else:
        url = request.getfixturevalue("migrated_postgres_url")
    database = SqlDatabase.from_settings(url=url, pool_size=4, max_overflow=4)
    outbox = SqlOutbox(database)
    # the PostgreSQL database is shared by the session: start from an empty stream
    async with outbox.claim(100_000) as batch:
        await batch.mark_published([m.event_id for m in batch.messages])
    try:
        yield Backend(
            uow=lambda: SqlAlchemyUnitOfWork(database),
            inbox=lambda uow: SqlInbox(uow),  # type: ignore[arg-type]
            outbox=outbox,
            dead_letters=SqlDeadLetters(database),
            postgres=kind == "postgres",
        )
    finally:
        await database.aclose()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    async for value in _backend(request.param, request, tmp_path):
        yield value


@pytest.fixture
async def postgres_backend(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Backend]:
    """Sharing the stream between relays and concurrent claims only exist on PostgreSQL (one
    relay per SQLite database; memory and SQLite serialise units of work)."""
    async for value in _backend("postgres", request, tmp_path):
        yield value


async def emit(backend: Backend, tag: str, *numbers: int) -> None:
    async with backend.uow() as uow:
        for n in numbers:
            uow.emit(Pinged(n=n, tag=tag), occurred_at=NOW)
        await uow.commit()


def numbers(messages: Any, tag: str) -> list[int]:
    return [m.payload["n"] for m in messages if m.payload["tag"] == tag]


async def test_claim_hands_out_committed_events_oldest_first_until_published(
    backend: Backend,
) -> None:
    await emit(backend, "a", 1, 2, 3)
    await emit(backend, "a", 4)
    async with backend.outbox.claim(3) as batch:
        assert numbers(batch.messages, "a") == [1, 2, 3]
        assert {m.name for m in batch.messages} == {Pinged.NAME}
        await batch.mark_published([m.event_id for m in batch.messages])
    assert await backend.outbox.pending() == 1
    async with backend.outbox.claim(10) as batch:
        assert numbers(batch.messages, "a") == [4]
        await batch.mark_published([m.event_id for m in batch.messages])
    async with backend.outbox.claim(10) as batch:
        assert batch.messages == []


async def test_a_rolled_back_emit_never_reaches_the_outbox(backend: Backend) -> None:
    async with backend.uow() as uow:
        uow.emit(Pinged(n=1, tag="rolled"), occurred_at=NOW)
    async with backend.outbox.claim(10) as batch:
        assert numbers(batch.messages, "rolled") == []


async def test_a_batch_that_fails_is_handed_out_again(backend: Backend) -> None:
    await emit(backend, "b", 1, 2)

    class RelayCrashed(Exception):
        pass

    async def crashing_relay() -> None:
        async with backend.outbox.claim(10) as batch:
            assert numbers(batch.messages, "b") == [1, 2]
            raise RelayCrashed

    with pytest.raises(RelayCrashed):
        await crashing_relay()
    async with backend.outbox.claim(10) as batch:
        assert numbers(batch.messages, "b") == [1, 2]


async def test_a_parked_event_leaves_the_stream_for_the_dead_letters(backend: Backend) -> None:
    await emit(backend, "c", 7)
    async with backend.outbox.claim(10) as batch:
        (message,) = batch.messages
        await batch.park(message, "unknown event name or version")
    async with backend.outbox.claim(10) as batch:
        assert batch.messages == []
    letters, total = await backend.dead_letters.list(limit=10, offset=0)
    parked = [letter for letter in letters if letter.event_id == message.event_id]
    assert total >= 1
    assert len(parked) == 1
    assert parked[0].handler == ""
    assert parked[0].payload == {"n": 7, "tag": "c"}
    assert parked[0].error == "unknown event name or version"


async def test_two_relays_never_claim_the_same_event(postgres_backend: Backend) -> None:
    backend = postgres_backend
    await emit(backend, "d", *range(20))
    first_claimed = asyncio.Event()
    release = asyncio.Event()
    seen: dict[str, list[int]] = {}

    async def relay(name: str, *, hold: bool) -> None:
        async with backend.outbox.claim(10) as batch:
            seen[name] = numbers(batch.messages, "d")
            if hold:
                first_claimed.set()
                await release.wait()
            await batch.mark_published([m.event_id for m in batch.messages])

    holder = asyncio.create_task(relay("one", hold=True))
    await first_claimed.wait()
    await relay("two", hold=False)  # runs while the first still holds its rows
    release.set()
    await holder
    assert seen["one"] == list(range(10))
    assert seen["two"] == list(range(10, 20))


async def test_purge_deletes_published_events_and_old_inbox_records(backend: Backend) -> None:
    await emit(backend, "e", 1)
    async with backend.outbox.claim(10) as batch:
        await batch.mark_published([m.event_id for m in batch.messages])
    await emit(backend, "e", 2)
    await backend.outbox.purge(datetime.now(UTC) + timedelta(seconds=1))
    async with backend.outbox.claim(10) as batch:
        assert numbers(batch.messages, "e") == [2]  # pending events are never purged


async def test_the_inbox_lets_one_handler_have_its_effect_once(backend: Backend) -> None:
    event_id = new_id()
    async with backend.uow() as uow:
        assert await backend.inbox(uow).claim(event_id, "contract.react")
        await uow.commit()
    async with backend.uow() as uow:
        assert not await backend.inbox(uow).claim(event_id, "contract.react")
        assert await backend.inbox(uow).claim(event_id, "contract.other_reaction")
        await uow.commit()


async def test_a_rolled_back_claim_can_be_claimed_again(backend: Backend) -> None:
    event_id = new_id()
    async with backend.uow() as uow:
        assert await backend.inbox(uow).claim(event_id, "contract.react")
    async with backend.uow() as uow:
        assert await backend.inbox(uow).claim(event_id, "contract.react")
        await uow.commit()


async def test_concurrent_claims_of_one_pair_let_exactly_one_through(
    postgres_backend: Backend,
) -> None:
    backend = postgres_backend
    event_id = new_id()
    first_claimed = asyncio.Event()
    release = asyncio.Event()

    async def first() -> bool:
        async with backend.uow() as uow:
            claimed = await backend.inbox(uow).claim(event_id, "contract.react")
            first_claimed.set()
            await release.wait()
            await uow.commit()
            return claimed

    async def second() -> bool:
        await first_claimed.wait()
        async with backend.uow() as uow:
            claimed = await backend.inbox(uow).claim(event_id, "contract.react")
            await uow.commit()
            return claimed

    task_one = asyncio.create_task(first())
    task_two = asyncio.create_task(second())
    await asyncio.sleep(0.2)
    assert not task_two.done()  # waits for the first transaction
    release.set()
    assert await task_one is True
    assert await task_two is False


async def test_dead_letters_are_listed_newest_first_and_can_be_replayed_or_removed(
    backend: Backend,
) -> None:
    def letter(minutes: int, handler: str) -> DeadLetter:
        return DeadLetter(
            id=new_id(),
            event_id=new_id(),
            name=Pinged.NAME,
            handler=handler,
            occurred_at=NOW,
            payload={"n": minutes, "tag": "f"},
            error="RuntimeError: boom",
            attempts=5,
            failed_at=NOW + timedelta(minutes=minutes),
        )

    old, new = letter(1, "contract.react"), letter(2, "contract.react")
    await backend.dead_letters.add(old)
    await backend.dead_letters.add(new)
    listed, total = await backend.dead_letters.list(limit=100, offset=0)
    mine = [x.id for x in listed if x.id in {old.id, new.id}]
    assert mine == [new.id, old.id]
    assert total >= 2
    await backend.dead_letters.record_failure(old.id, "ValueError: again", NOW)
    again = await backend.dead_letters.get(old.id)
    assert again is not None
    assert (again.error, again.attempts) == ("ValueError: again", 6)
    await backend.dead_letters.remove(old.id)
    assert await backend.dead_letters.get(old.id) is None
    assert await backend.dead_letters.get(new.id) == new
