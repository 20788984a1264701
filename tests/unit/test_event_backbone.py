"""The relay and the delivery use cases on the memory adapters: what is handed on, what is
parked, and that a handler's effect happens once however often it is delivered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

import pytest

from adapters.clock import FixedClock
from adapters.events.codec import MsgspecEventCodec
from adapters.persistence.memory.events import MemoryDeadLetters, MemoryOutbox
from adapters.persistence.memory.store import MemoryStore, MemoryUnitOfWork
from adapters.queue.base import Registry
from adapters.queue.local import LocalJobQueue, MemoryJobStore
from application.shared.delivery import DeliverEvent, ReplayDeadLetter
from application.shared.handlers import EventHandler
from application.shared.integration import (
    DELIVER_JOB,
    Delivery,
    EventCatalogue,
    IntegrationEvent,
    Subscription,
    SubscriptionIndex,
)
from application.shared.jobs import JobDefinition
from application.shared.relay import OutboxRelay
from application.shared.uow import UnitOfWork

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


@dataclass(frozen=True, kw_only=True, slots=True)
class Rang(IntegrationEvent):
    NAME: ClassVar[str] = "bell.rang.v1"
    times: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Unheard(IntegrationEvent):
    NAME: ClassVar[str] = "bell.unheard.v1"


class Count(EventHandler[Rang, UnitOfWork]):
    """Its effect: one row per delivery it accepts, in its own transaction."""

    failures_left: ClassVar[int] = 0

    async def handle(self, event: Rang, uow: UnitOfWork, delivery: Delivery[Rang]) -> None:
        assert isinstance(uow, MemoryUnitOfWork)
        uow.table("effects")[(delivery.event_id, delivery.handler)] = event.times
        if Count.failures_left > 0:
            Count.failures_left -= 1
            raise RuntimeError("the handler failed")


@dataclass
class Context:
    job_id: str = "job"
    attempt: int = 1
    max_attempts: int = 3

    async def progress(self, percent: int) -> None:
        return None

    async def cancelled(self) -> bool:
        return False


class Kit:
    def __init__(self) -> None:
        self.store = MemoryStore()
        self.catalogue = EventCatalogue([Rang])
        self.subscriptions = SubscriptionIndex(
            [
                Subscription(Rang, handler="bell.count", use_case="count"),
                Subscription(Rang, handler="bell.count_again", use_case="count"),
            ]
        )

        async def nothing(ctx: Any, payload: Any) -> None:
            return None

        self.queue = LocalJobQueue(
            MemoryJobStore(), Registry([JobDefinition(DELIVER_JOB, nothing)])
        )
        self.dead_letters = MemoryDeadLetters(self.store)
        self.codec = MsgspecEventCodec(self.catalogue)
        self.clock = FixedClock(NOW)
        Count.failures_left = 0

    def handler(self, subscription: Subscription) -> Count:
        return Count(MemoryUnitOfWork(self.store))

    def relay(self) -> OutboxRelay:
        return OutboxRelay(
            MemoryOutbox(self.store),
            self.queue,
            self.catalogue,
            self.subscriptions,
            batch_size=2,
            deliveries_per_job=1,
        )

    def deliver(self) -> DeliverEvent:
        return DeliverEvent(
            self.codec, self.subscriptions, self.handler, self.dead_letters, self.queue, self.clock
        )

    async def emit(self, *events: IntegrationEvent) -> None:
        uow = MemoryUnitOfWork(self.store)
        async with uow:
            for event in events:
                uow.emit(event, occurred_at=NOW)
            await uow.commit()

    async def jobs(self) -> list[Any]:
        store = self.queue.store
        assert isinstance(store, MemoryJobStore)
        return [await self.queue.get(key) for key in list(store._jobs)]

    def effects(self) -> dict[tuple[UUID, str], int]:
        return dict(self.store.tables.get("effects", {}))


@pytest.fixture
def kit() -> Kit:
    return Kit()


async def test_the_relay_hands_each_event_to_each_subscriber_in_batches(kit: Kit) -> None:
    await kit.emit(Rang(times=1), Rang(times=2), Rang(times=3))
    relay = kit.relay()
    first = await relay.relay_once()
    second = await relay.relay_once()
    third = await relay.relay_once()
    assert (first.claimed, first.enqueued) == (2, 4)
    assert (second.claimed, second.enqueued) == (1, 2)
    assert third.claimed == 0
    jobs = await kit.jobs()
    assert len(jobs) == 6
    assert {job.payload["handler"] for job in jobs} == {"bell.count", "bell.count_again"}
    events = [e for job in jobs for e in job.payload["events"]]
    assert sorted(e["payload"]["times"] for e in events) == [1, 1, 2, 2, 3, 3]
    assert all(
        job.id == f"{job.payload['events'][0]['event_id']}:{job.payload['handler']}" for job in jobs
    )


async def test_a_subscriber_gets_its_events_of_a_batch_in_one_job_in_order(kit: Kit) -> None:
    await kit.emit(*(Rang(times=n) for n in range(5)))
    relay = OutboxRelay(
        MemoryOutbox(kit.store), kit.queue, kit.catalogue, kit.subscriptions, batch_size=10
    )
    result = await relay.relay_once()
    assert (result.claimed, result.enqueued) == (5, 10)  # ten deliveries...
    jobs = await kit.jobs()
    assert len(jobs) == 2  # ...in one job per subscriber
    for job in jobs:
        assert [e["payload"]["times"] for e in job.payload["events"]] == [0, 1, 2, 3, 4]
    again = await relay.relay_once()
    assert again.claimed == 0
    assert await MemoryOutbox(kit.store).pending() == 0


async def test_an_event_nobody_publishes_is_parked_by_the_relay(kit: Kit) -> None:
    await kit.emit(Unheard(), Rang(times=1))
    result = await kit.relay().relay_once()
    assert (result.claimed, result.parked, result.enqueued) == (2, 1, 2)
    letters, total = await kit.dead_letters.list(limit=10, offset=0)
    assert total == 1
    assert letters[0].name == "bell.unheard.v1"
    assert letters[0].handler == ""


async def test_a_delivery_has_its_effect_once_however_often_it_comes(kit: Kit) -> None:
    await kit.emit(Rang(times=7))
    await kit.relay().relay_once()
    jobs = await kit.jobs()
    for job in [*jobs, *jobs]:  # every delivery twice
        await kit.deliver()(Context(), job.payload)
    effects = kit.effects()
    assert sorted(handler for _, handler in effects) == ["bell.count", "bell.count_again"]
    assert set(effects.values()) == {7}


async def test_a_failing_handler_is_retried_by_the_queue_then_parked(kit: Kit) -> None:
    await kit.emit(Rang(times=1))
    await kit.relay().relay_once()
    job = (await kit.jobs())[0]
    Count.failures_left = 5
    for attempt in (1, 2):
        with pytest.raises(RuntimeError):  # the queue retries it
            await kit.deliver()(Context(attempt=attempt), job.payload)
        assert (await kit.dead_letters.list(limit=10, offset=0))[1] == 0
    with pytest.raises(RuntimeError):
        await kit.deliver()(Context(attempt=3), job.payload)
    letters, _ = await kit.dead_letters.list(limit=10, offset=0)
    assert [(x.handler, x.attempts, x.error) for x in letters] == [
        (job.payload["handler"], 3, "RuntimeError: the handler failed")
    ]
    assert kit.effects() == {}  # a failed attempt rolls its effect back


async def test_an_undecodable_payload_is_parked_at_once(kit: Kit) -> None:
    await kit.emit(Rang(times=1))
    await kit.relay().relay_once()
    payload = dict((await kit.jobs())[0].payload)
    payload["events"] = [{**payload["events"][0], "payload": {"times": "many"}}]
    result = await kit.deliver()(Context(), payload)
    assert result == {"handled": 0, "parked": 1}
    letters, _ = await kit.dead_letters.list(limit=10, offset=0)
    assert "does not fit Rang" in letters[0].error


async def test_a_replay_runs_the_handler_and_removes_the_letter(kit: Kit) -> None:
    await kit.emit(Rang(times=4))
    await kit.relay().relay_once()
    job = (await kit.jobs())[0]
    Count.failures_left = 2
    with pytest.raises(RuntimeError):
        await kit.deliver()(Context(attempt=3), job.payload)
    (letter,), _ = await kit.dead_letters.list(limit=10, offset=0)
    replay = ReplayDeadLetter(
        kit.codec, kit.subscriptions, kit.handler, kit.dead_letters, kit.clock
    )
    with pytest.raises(RuntimeError):
        await replay(letter.id)
    kept = await kit.dead_letters.get(letter.id)
    assert kept is not None
    assert kept.attempts == 4
    await replay(letter.id)
    assert await kit.dead_letters.get(letter.id) is None
    assert list(kit.effects().values()) == [4]


def test_event_names_and_handler_names_are_checked() -> None:
    class Bad(IntegrationEvent):
        NAME = "Bell Rang"

    with pytest.raises(ValueError, match=r"module\.event\.v1"):
        EventCatalogue([Bad])
    with pytest.raises(ValueError, match=r"module\.reaction"):
        Subscription(Rang, handler="count", use_case="count")
    with pytest.raises(ValueError, match="two subscriptions"):
        SubscriptionIndex(
            [Subscription(Rang, "bell.count", "a"), Subscription(Rang, "bell.count", "b")]
        )


async def test_one_failing_event_of_a_job_neither_undoes_nor_blocks_the_others(kit: Kit) -> None:
    await kit.emit(*(Rang(times=n) for n in range(3)))
    await OutboxRelay(
        MemoryOutbox(kit.store), kit.queue, kit.catalogue, kit.subscriptions, batch_size=10
    ).relay_once()
    job = next(j for j in await kit.jobs() if j.payload["handler"] == "bell.count")
    # the first event's handler fails twice: in the batched transaction (all rolled back),
    # then alone (the others are handled one by one meanwhile)
    Count.failures_left = 2
    with pytest.raises(RuntimeError):
        await kit.deliver()(Context(attempt=1), job.payload)
    assert sorted(kit.effects().values()) == [1, 2]  # the other two had their effect
    assert await kit.deliver()(Context(attempt=2), job.payload) == {"handled": 3, "parked": 0}
    assert sorted(kit.effects().values()) == [0, 1, 2]  # and the retry added the first, once
