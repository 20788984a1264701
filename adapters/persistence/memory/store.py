"""The state behind the memory adapters, and its transactional unit of work.

Transactions are serialised by one lock (the memory twin is SERIALIZABLE): a unit of work
works on a copy of the tables and swaps it in on commit, so a rollback, an exception or a
crash half-way leaves the committed state untouched. Repositories store and hand out
deep copies of entities, so an entity changed but not saved changes nothing.

The memory twins refuse what the SQL schema refuses: a foreign key that points nowhere is
422 ``unknown_reference`` (:func:`check_references`), a taken unique value is 409 (see
``adapters/persistence/constraints.py``), in the order SQL checks them (unique first).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

from adapters.persistence import constraints
from application.shared.audit import AuditLog
from application.shared.events import EventPublisher
from application.shared.integration import Envelope, Inbox
from application.shared.outbox import OutboxMessage
from application.shared.uow import BaseUnitOfWork, OutboxSignal
from domain.shared.events import DomainEvent

log = logging.getLogger("atelier.persistence")


#: Unpublished events the memory outbox keeps at most (published ones are dropped at once);
#: past it the oldest are dropped with an error in the log: the memory profile is for tests
#: and demos, where nothing may grow without bound.
OUTBOX_LIMIT = 100_000


class MemoryStore:
    def __init__(self, *, outbox_limit: int = OUTBOX_LIMIT) -> None:
        self.tables: dict[str, dict[Any, Any]] = {}
        self.outbox: deque[OutboxMessage] = deque()
        self.outbox_limit = outbox_limit
        self.lock = asyncio.Lock()

    def append_to_outbox(self, messages: Sequence[OutboxMessage]) -> None:
        self.outbox.extend(messages)
        overflow = len(self.outbox) - self.outbox_limit
        if overflow > 0:
            log.error("memory outbox full: %d oldest unpublished events dropped", overflow)
            for _ in range(overflow):
                self.outbox.popleft()

    async def ping(self) -> None:
        """Memory always answers."""


class MemoryUnitOfWork(BaseUnitOfWork):
    """Subclasses build their repositories in ``_open_repositories`` from ``self.table``;
    every unit of work has the platform's ``audit`` trail and event ``inbox``."""

    audit: AuditLog
    inbox: Inbox

    def __init__(
        self,
        store: MemoryStore,
        publisher: EventPublisher | None = None,
        *,
        outbox_signal: OutboxSignal | None = None,
    ) -> None:
        super().__init__(publisher, outbox_signal)
        self._store = store
        self._working: dict[str, dict[Any, Any]] = {}
        self._locked = False

    def table(self, name: str) -> dict[Any, Any]:
        """The working copy of a table for this transaction (copied on first use)."""
        if name not in self._working:
            self._working[name] = dict(self._store.tables.get(name, {}))
        return self._working[name]

    def peek(self, name: str) -> Mapping[Any, Any]:
        """A table to read only: this transaction's copy if it has one, else the committed
        table itself (no copy; the store's lock keeps it still)."""
        if name in self._working:
            return self._working[name]
        return self._store.tables.get(name, {})

    def _open_repositories(self) -> None:
        """Override to create repositories bound to this transaction."""

    async def _begin(self) -> None:
        await self._store.lock.acquire()
        self._locked = True
        self._working = {}
        from adapters.persistence.memory.audit import MemoryAuditLog
        from adapters.persistence.memory.events import MemoryInbox

        self.audit = MemoryAuditLog(self)
        self.inbox = MemoryInbox(self)
        self._open_repositories()

    async def _commit(self, events: Sequence[DomainEvent], emitted: Sequence[Envelope]) -> None:
        self._store.tables.update(self._working)
        self._store.append_to_outbox(
            [
                OutboxMessage(
                    event_id=envelope.event_id,
                    name=envelope.name,
                    occurred_at=envelope.occurred_at,
                    payload=msgspec.to_builtins(envelope.event),
                )
                for envelope in emitted
            ]
        )
        self._working = {}

    async def _rollback(self) -> None:
        self._working = {}

    async def _close(self) -> None:
        if self._locked:
            self._locked = False
            self._store.lock.release()


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Reference:
    """A foreign key of the SQL schema: ``column`` of a table refers to ``referred``."""

    column: str
    referred: str
    """The SQL table referred to (named in the error)."""
    memory_table: str
    """The memory table that holds the referred rows, by id."""
    attribute: str = ""
    """The entity's attribute holding the value (default: ``column``)."""


def check_references(
    uow: MemoryUnitOfWork, table: str, item: object, references: Sequence[Reference]
) -> None:
    """``UnknownReference`` for the first reference (in column order) that points nowhere;
    ``None`` refers to nothing and is allowed, as in SQL."""
    for ref in references:
        value = getattr(item, ref.attribute or ref.column)
        if value is not None and value not in uow.peek(ref.memory_table):
            raise constraints.unknown_reference(table, ref.column, ref.referred)


def snapshot(entity: T) -> T:
    """A deep copy, so stored state and caller-held entities never share mutable parts."""
    return copy.deepcopy(entity)
