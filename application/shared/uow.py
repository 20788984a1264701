"""The UnitOfWork port and the base every adapter's unit of work builds on.

``async with uow:`` opens a transaction. Nothing persists unless the use case calls
``await uow.commit()``; leaving the block without committing (or on an exception) rolls
back. Aggregates that repositories loaded or added are tracked, and the events they
recorded are published after a successful commit, never before and never on rollback.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Protocol, Self

from application.shared.events import EventPublisher
from domain.shared.aggregate import Aggregate
from domain.shared.events import DomainEvent


class UnitOfWork(Protocol):
    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    def track(self, aggregate: Aggregate) -> None:
        """Remember an aggregate so its events are published after commit."""
        ...


class BaseUnitOfWork:
    """Transaction bookkeeping and post-commit publishing; adapters supply the I/O.

    Subclasses implement ``_begin``, ``_commit`` (which receives the events about to be
    published, e.g. to write them to an outbox in the same transaction), ``_rollback``.
    """

    def __init__(self, publisher: EventPublisher | None = None) -> None:
        self._publisher = publisher
        self._seen: list[Aggregate] = []
        self._active = False
        self._committed = False

    async def __aenter__(self) -> Self:
        if self._active:
            raise RuntimeError("this unit of work is already open")
        self._seen = []
        self._committed = False
        await self._begin()
        self._active = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                await self._rollback()
                for aggregate in self._seen:  # events of a rolled-back change never happened
                    aggregate.pull_events()
        finally:
            self._active = False
            await self._close()

    def track(self, aggregate: Aggregate) -> None:
        if not any(seen is aggregate for seen in self._seen):
            self._seen.append(aggregate)

    async def commit(self) -> None:
        if not self._active:
            raise RuntimeError("commit outside of 'async with'")
        events: list[DomainEvent] = []
        for aggregate in self._seen:
            events.extend(aggregate.pull_events())
        await self._commit(events)
        self._committed = True
        if events and self._publisher is not None:
            await self._publisher.publish(events)

    async def rollback(self) -> None:
        if self._active and not self._committed:
            await self._rollback()
            for aggregate in self._seen:
                aggregate.pull_events()

    async def _begin(self) -> None:
        raise NotImplementedError

    async def _commit(self, events: Sequence[DomainEvent]) -> None:
        raise NotImplementedError

    async def _rollback(self) -> None:
        raise NotImplementedError

    async def _close(self) -> None:
        """Release connections; called once per block after commit or rollback."""
