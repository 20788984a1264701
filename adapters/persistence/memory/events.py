"""The event backbone in process memory: outbox (relay side), inbox, dead letters.

The memory outbox holds unpublished events only: a published event is dropped at once, so it
stays bounded while a relay runs (see ``MemoryStore.append_to_outbox`` for the cap).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from uuid import UUID

from adapters.persistence.memory.store import MemoryStore, MemoryUnitOfWork
from application.shared.integration import Inbox
from application.shared.outbox import (
    DeadLetter,
    DeadLetters,
    Outbox,
    OutboxBatch,
    OutboxMessage,
)
from domain.shared.ids import new_id

INBOX_TABLE = "event_inbox"
DEAD_LETTERS_TABLE = "event_dead_letters"


class MemoryInbox(Inbox):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    async def claim(self, event_id: UUID, handler: str) -> bool:
        table = self._uow.table(INBOX_TABLE)
        if (event_id, handler) in table:
            return False
        table[(event_id, handler)] = True
        return True

    async def claim_many(self, event_ids: Sequence[UUID], handler: str) -> set[UUID]:
        return {event_id for event_id in event_ids if await self.claim(event_id, handler)}


class _MemoryBatch(OutboxBatch):
    def __init__(self, store: MemoryStore, messages: list[OutboxMessage]) -> None:
        self._store = store
        self._messages = messages
        self.published: set[UUID] = set()

    @property
    def messages(self) -> Sequence[OutboxMessage]:
        return self._messages

    async def mark_published(self, event_ids: Sequence[UUID]) -> None:
        self.published.update(event_ids)

    async def park(self, message: OutboxMessage, reason: str) -> None:
        self.published.add(message.event_id)
        self._store.tables.setdefault(DEAD_LETTERS_TABLE, {})
        letter = DeadLetter(
            id=new_id(),
            event_id=message.event_id,
            name=message.name,
            handler="",
            occurred_at=message.occurred_at,
            payload=message.payload,
            error=reason,
            attempts=0,
            failed_at=datetime.now(UTC),
        )
        self._store.tables[DEAD_LETTERS_TABLE][letter.id] = letter


class MemoryOutbox(Outbox):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    @asynccontextmanager
    async def claim(self, limit: int) -> AsyncIterator[OutboxBatch]:
        async with self._store.lock:
            messages = [self._store.outbox[i] for i in range(min(limit, len(self._store.outbox)))]
            batch = _MemoryBatch(self._store, messages)
            yield batch
            if batch.published:
                kept = [m for m in self._store.outbox if m.event_id not in batch.published]
                self._store.outbox.clear()
                self._store.outbox.extend(kept)

    async def purge(self, before: datetime) -> int:
        return 0  # published events are dropped at once; the inbox lives with the tables

    async def pending(self) -> int:
        return len(self._store.outbox)


class MemoryDeadLetters(DeadLetters):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def _table(self) -> dict[UUID, DeadLetter]:
        return self._store.tables.setdefault(DEAD_LETTERS_TABLE, {})

    async def add(self, letter: DeadLetter) -> None:
        self._table()[letter.id] = letter

    async def list(self, *, limit: int, offset: int) -> tuple[Sequence[DeadLetter], int]:
        letters = sorted(self._table().values(), key=lambda d: (d.failed_at, d.id), reverse=True)
        return letters[offset : offset + limit], len(letters)

    async def get(self, letter_id: UUID) -> DeadLetter | None:
        return self._table().get(letter_id)

    async def remove(self, letter_id: UUID) -> None:
        self._table().pop(letter_id, None)

    async def record_failure(self, letter_id: UUID, error: str, at: datetime) -> None:
        letter = self._table().get(letter_id)
        if letter is not None:
            self._table()[letter_id] = replace(
                letter, error=error, attempts=letter.attempts + 1, failed_at=at
            )
