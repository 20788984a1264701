"""A throwaway module for the event-backbone tests: ``probe``.

It publishes ``probe.pinged.v1`` (use case ``ping``: emits N events in one transaction) and
subscribes to it twice: ``probe.record`` writes one audit entry per event (its effect, in its
own transaction, so "the effect happened once" is "one audit entry per event id") and
``probe.flaky`` fails while ``fail`` says so. ``spec()`` is its ModuleSpec; the tests mount it
beside the installed modules with ``build_container(settings, specs=[*modules(), spec()])``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

from dependency_injector import containers, providers

from adapters.persistence.memory.store import MemoryUnitOfWork
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from application.shared.audit import AuditEntry
from application.shared.handlers import EventHandler
from application.shared.integration import Delivery, IntegrationEvent, Subscription
from application.shared.uow import UnitOfWork
from domain.shared.ids import new_id
from entrypoints.bootstrap.module import ModuleSpec

ENTITY = "probe"


@dataclass(frozen=True, kw_only=True, slots=True)
class Pinged(IntegrationEvent):
    NAME: ClassVar[str] = "probe.pinged.v1"
    n: int
    sent_at: datetime
    run: str = ""
    """Tells apart the events of one test (databases are shared by a session)."""
    fail: int = 0
    """``probe.flaky`` fails on its first ``fail`` attempts."""


class Ping:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, numbers: range, *, run: str = "", fail: int = 0) -> None:
        now = datetime.now(UTC)
        async with self._uow as uow:
            for n in numbers:
                uow.emit(Pinged(n=n, sent_at=now, run=run, fail=fail), occurred_at=now)
            await uow.commit()


class Record(EventHandler[Pinged, UnitOfWork]):
    async def handle(self, event: Pinged, uow: UnitOfWork, delivery: Delivery[Pinged]) -> None:
        await uow.audit.record(
            AuditEntry(
                actor_id=None,
                entity_type=ENTITY,
                entity_id=delivery.event_id,
                action="pinged",
                changes={
                    "n": [None, event.n],
                    "run": [None, event.run],
                    "sent_at": [None, event.sent_at.isoformat()],
                    "handled_at": [None, datetime.now(UTC).isoformat()],
                    "pid": [None, os.getpid()],
                },
                at=datetime.now(UTC),
                id=new_id(),
            )
        )


ATTEMPTS: dict[UUID, int] = {}


class Flaky(EventHandler[Pinged, UnitOfWork]):
    async def handle(self, event: Pinged, uow: UnitOfWork, delivery: Delivery[Pinged]) -> None:
        ATTEMPTS[delivery.event_id] = ATTEMPTS.get(delivery.event_id, 0) + 1
        if ATTEMPTS[delivery.event_id] <= event.fail:
            raise RuntimeError(f"flaky handler failure {ATTEMPTS[delivery.event_id]}")


def _uow(kind: str, database: Any, signal: Any) -> Any:
    if kind == "memory":
        return MemoryUnitOfWork(database, outbox_signal=signal)
    return SqlAlchemyUnitOfWork(database, outbox_signal=signal)


class ProbeContainer(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    uow = providers.Factory(
        _uow, platform.persistence_kind, platform.database, platform.outbox_signal
    )
    ping = providers.Factory(Ping, uow)
    record = providers.Factory(Record, uow)
    flaky = providers.Factory(Flaky, uow)


def spec(*, flaky: bool = False) -> ModuleSpec:
    subscriptions = [Subscription(Pinged, handler="probe.record", use_case="record")]
    if flaky:
        subscriptions.append(Subscription(Pinged, handler="probe.flaky", use_case="flaky"))
    return ModuleSpec(
        name="probe", container=ProbeContainer, publishes=[Pinged], subscriptions=subscriptions
    )
