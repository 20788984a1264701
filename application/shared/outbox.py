"""Ports of the event backbone's storage: the outbox (relay side), the dead letters.

The outbox is written by units of work (``uow.emit``) and read here by the relay. Payloads
cross this port as JSON values (``payload``): the adapters encode integration events when
they write them and the delivery job decodes them (``EventCodec``), so the relay itself never
needs the classes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from application.shared.integration import IntegrationEvent


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    event_id: UUID
    name: str
    occurred_at: datetime
    payload: Mapping[str, Any]


class OutboxBatch(Protocol):
    """Committed, unpublished events claimed by one relay (in commit order)."""

    @property
    def messages(self) -> Sequence[OutboxMessage]: ...

    async def mark_published(self, event_ids: Sequence[UUID]) -> None:
        """Published with the batch's transaction (at the end of ``Outbox.claim``'s block)."""
        ...

    async def park(self, message: OutboxMessage, reason: str) -> None:
        """Take the event out of the stream into the dead letters (handler ``""``)."""
        ...


class Outbox(Protocol):
    def claim(self, limit: int) -> AbstractAsyncContextManager[OutboxBatch]:
        """Up to ``limit`` unpublished events, oldest first, that no other relay holds (on
        PostgreSQL: ``FOR UPDATE SKIP LOCKED`` in a transaction that the block commits)."""
        ...

    async def purge(self, before: datetime) -> int:
        """Delete events published before ``before`` and inbox records older than it (a
        redelivery is hours at most after the event; the retention is days); how many rows
        went."""
        ...

    async def pending(self) -> int:
        """Events committed and not yet published (for ``/metrics``)."""
        ...


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: UUID
    event_id: UUID
    name: str
    handler: str
    """The handler that kept failing; ``""`` when the relay itself parked the event."""
    occurred_at: datetime
    payload: Mapping[str, Any]
    error: str
    attempts: int
    failed_at: datetime


class DeadLetters(Protocol):
    async def add(self, letter: DeadLetter) -> None: ...

    async def list(self, *, limit: int, offset: int) -> tuple[Sequence[DeadLetter], int]:
        """Newest first, with the total."""
        ...

    async def get(self, letter_id: UUID) -> DeadLetter | None: ...

    async def remove(self, letter_id: UUID) -> None: ...

    async def record_failure(self, letter_id: UUID, error: str, at: datetime) -> None:
        """A replay failed again: keep the letter with the new error, one more attempt."""
        ...


class EventCodec(Protocol):
    """Integration events to JSON values and back (msgspec at the adapter edge)."""

    def encode(self, event: IntegrationEvent) -> Mapping[str, Any]: ...

    def decode(self, name: str, payload: Mapping[str, Any]) -> IntegrationEvent:
        """Raises ``UnknownEvent`` for a name no module publishes, ``ValueError`` for a
        payload that does not fit its class."""
        ...
