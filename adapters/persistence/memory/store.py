"""The state behind the memory adapters, and its transactional unit of work.

Transactions are serialised by one lock (the memory twin is SERIALIZABLE): a unit of work
works on a copy of the tables and swaps it in on commit, so a rollback, an exception or a
crash half-way leaves the committed state untouched. Repositories store and hand out
deep copies of entities, so an entity changed but not saved changes nothing.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Sequence
from typing import Any, TypeVar

from application.shared.events import EventPublisher
from application.shared.uow import BaseUnitOfWork
from domain.shared.events import DomainEvent


class MemoryStore:
    def __init__(self) -> None:
        self.tables: dict[str, dict[Any, Any]] = {}
        self.outbox: list[DomainEvent] = []
        self.lock = asyncio.Lock()

    async def ping(self) -> None:
        """Memory always answers."""


class MemoryUnitOfWork(BaseUnitOfWork):
    """Subclasses build their repositories in ``_open_repositories`` from ``self.table``."""

    def __init__(self, store: MemoryStore, publisher: EventPublisher | None = None) -> None:
        super().__init__(publisher)
        self._store = store
        self._working: dict[str, dict[Any, Any]] = {}
        self._locked = False

    def table(self, name: str) -> dict[Any, Any]:
        """The working copy of a table for this transaction (copied on first use)."""
        if name not in self._working:
            self._working[name] = dict(self._store.tables.get(name, {}))
        return self._working[name]

    def _open_repositories(self) -> None:
        """Override to create repositories bound to this transaction."""

    async def _begin(self) -> None:
        await self._store.lock.acquire()
        self._locked = True
        self._working = {}
        self._open_repositories()

    async def _commit(self, events: Sequence[DomainEvent]) -> None:
        self._store.tables.update(self._working)
        self._store.outbox.extend(events)
        self._working = {}

    async def _rollback(self) -> None:
        self._working = {}

    async def _close(self) -> None:
        if self._locked:
            self._locked = False
            self._store.lock.release()


T = TypeVar("T")


def snapshot(entity: T) -> T:
    """A deep copy, so stored state and caller-held entities never share mutable parts."""
    return copy.deepcopy(entity)
