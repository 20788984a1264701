"""The UnitOfWork port and the base every adapter's unit of work builds on.

``async with uow:`` opens a transaction. Nothing persists unless the use case calls
``await uow.commit()``; leaving the block without committing (or on an exception) rolls
back. Aggregates that repositories loaded or added are tracked, and the events they
recorded are published after a successful commit, never before and never on rollback.

Integration events (``application/shared/integration.py``) go the other way: a use case calls
``uow.emit(event)`` and the adapter writes the event to its outbox *in the transaction* of the
commit; the outbox relay delivers it to other modules afterwards, even if this process dies
right after the commit. ``outbox_signal`` (optional) is told after such a commit, so an
in-process relay wakes at once instead of at its next poll.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from application.shared.audit import AuditLog
from application.shared.events import EventPublisher
from application.shared.integration import Envelope, Inbox, IntegrationEvent
from domain.shared.aggregate import Aggregate
from domain.shared.events import DomainEvent
from domain.shared.ids import new_id


class UnitOfWork(Protocol):
    audit: AuditLog
    """The audit trail, written in this transaction (``application.shared.audit``)."""
    inbox: Inbox
    """The events whose effect this module's handlers had (``application.shared.handlers``)."""

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

    def emit(self, event: IntegrationEvent, *, occurred_at: datetime) -> None:
        """Write ``event`` to the outbox with this transaction's commit (nothing on rollback)."""
        ...


class OutboxSignal(Protocol):
    def notify(self) -> None:
        """Integration events were just committed (wake an in-process relay)."""
        ...


class BaseUnitOfWork:
    """Transaction bookkeeping and post-commit publishing; adapters supply the I/O.

    Subclasses implement ``_begin``, ``_commit`` (which receives the domain events about to be
    published and the integration events to write to the outbox in the same transaction),
    ``_rollback``.
    """

    def __init__(
        self, publisher: EventPublisher | None = None, outbox_signal: OutboxSignal | None = None
    ) -> None:
        self._publisher = publisher
        self._outbox_signal = outbox_signal
        self._seen: list[Aggregate] = []
        self._emitted: list[Envelope] = []
        self._active = False
        self._committed = False

    async def __aenter__(self) -> Self:
        if self._active:
            raise RuntimeError("this unit of work is already open")
        self._seen = []
        self._emitted = []
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
                self._emitted = []
                await self._rollback()
                for aggregate in self._seen:  # events of a rolled-back change never happened
                    aggregate.pull_events()
        finally:
            self._active = False
            await self._close()

    def track(self, aggregate: Aggregate) -> None:
        if not any(seen is aggregate for seen in self._seen):
            self._seen.append(aggregate)

    def emit(self, event: IntegrationEvent, *, occurred_at: datetime) -> None:
        if not self._active:
            raise RuntimeError("emit outside of 'async with'")
        if not type(event).NAME:
            raise TypeError(f"{type(event).__name__} has no NAME: not an integration event")
        self._emitted.append(
            Envelope(event_id=new_id(), name=event.NAME, occurred_at=occurred_at, event=event)
        )

    async def commit(self) -> None:
        if not self._active:
            raise RuntimeError("commit outside of 'async with'")
        events: list[DomainEvent] = []
        for aggregate in self._seen:
            events.extend(aggregate.pull_events())
        emitted, self._emitted = self._emitted, []
        await self._commit(events, emitted)
        self._committed = True
        if emitted and self._outbox_signal is not None:
            self._outbox_signal.notify()
        if events and self._publisher is not None:
            await self._publisher.publish(events)

    async def rollback(self) -> None:
        if self._active and not self._committed:
            await self._rollback()
            self._emitted = []
            for aggregate in self._seen:
                aggregate.pull_events()

    async def _begin(self) -> None:
        raise NotImplementedError

    async def _commit(self, events: Sequence[DomainEvent], emitted: Sequence[Envelope]) -> None:
        raise NotImplementedError

    async def _rollback(self) -> None:
        raise NotImplementedError

    async def _close(self) -> None:
        """Release connections; called once per block after commit or rollback."""
