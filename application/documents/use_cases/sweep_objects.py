"""The sweeper (a cron job) and the object-deletion job.

``DeleteObject``: delete one object whose record is gone, then its pending row (retried
by the queue when storage fails). ``SweepObjects``: every pending row that is due
(uploads older than the grace period, deletions at once) is claimed in a transaction
(removed first, so an upload finishing late cannot adopt an object being deleted), then
its object deleted; a failed deletion puts the row back for the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from application.documents.commands import SweepCommand
from application.documents.ports import DocumentsUnitOfWork, PendingObject
from application.shared.clock import Clock
from application.shared.storage import BlobStorage

log = logging.getLogger("atelier.documents")

RETRY_AFTER = timedelta(minutes=5)


class DeleteObject:
    def __init__(
        self, uow_factory: Callable[[], DocumentsUnitOfWork], storage: BlobStorage
    ) -> None:
        self._uow_factory, self._storage = uow_factory, storage

    async def __call__(self, storage_key: str) -> None:
        await self._storage.delete(storage_key)  # a failure raises: the queue retries
        async with self._uow_factory() as uow:
            await uow.pending_objects.remove(storage_key)
            await uow.commit()


@dataclass(frozen=True, slots=True)
class SweepResult:
    deleted: int
    failed: int


class SweepObjects:
    def __init__(
        self,
        uow_factory: Callable[[], DocumentsUnitOfWork],
        storage: BlobStorage,
        clock: Clock,
    ) -> None:
        self._uow_factory, self._storage, self._clock = uow_factory, storage, clock

    async def __call__(self, command: SweepCommand) -> SweepResult:
        now = command.now or self._clock.now()
        async with self._uow_factory() as uow:
            due = await uow.pending_objects.due(now, limit=command.limit)
            claimed = [p for p in due if await uow.pending_objects.remove(p.storage_key)]
            await uow.commit()
        deleted = failed = 0
        for pending in claimed:
            try:
                await self._storage.delete(pending.storage_key)
                deleted += 1
            except Exception:
                failed += 1
                log.warning("sweeper could not delete %s", pending.storage_key, exc_info=True)
                async with self._uow_factory() as uow:
                    await uow.pending_objects.add(
                        PendingObject(
                            storage_key=pending.storage_key,
                            reason=pending.reason,
                            sweep_after=now + RETRY_AFTER,
                        )
                    )
                    await uow.commit()
        return SweepResult(deleted=deleted, failed=failed)
