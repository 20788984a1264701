"""Writing and removing a document's bytes so that no object outlives its record.

``write_object`` records the key as pending (its own transaction), streams the bytes to
storage, and hands back what was written; when anything fails, it deletes the object and
the pending row at once (or leaves the row to the sweeper when storage fails as well).
The caller's final transaction must ``claim`` the pending row (``pending_objects.remove``
answering True): if the sweeper took it first, the write is abandoned.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterable, AsyncIterator, Callable
from datetime import datetime, timedelta

from application.documents.ports import DocumentsUnitOfWork, PendingObject
from application.shared.storage import BlobStorage
from domain.shared.errors import DependencyUnavailable

log = logging.getLogger("atelier.documents")

UowFactory = Callable[[], DocumentsUnitOfWork]


class Digest:
    """Size and SHA-256 of a stream, fed as it passes."""

    def __init__(self) -> None:
        self.size = 0
        self._sha = hashlib.sha256()

    async def through(self, chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        async for chunk in chunks:
            self.size += len(chunk)
            self._sha.update(chunk)
            yield chunk

    @property
    def sha256(self) -> str:
        return self._sha.hexdigest()


async def mark_pending(
    uow_factory: UowFactory, key: str, *, reason: str, sweep_after: datetime
) -> None:
    async with uow_factory() as uow:
        await uow.pending_objects.add(
            PendingObject(storage_key=key, reason=reason, sweep_after=sweep_after)
        )
        await uow.commit()


async def discard_object(uow_factory: UowFactory, storage: BlobStorage, key: str) -> bool:
    """Delete the object and then its pending row; False (the row stays for the sweeper)
    when either step fails. Never raises (it runs on failure paths)."""
    try:
        await storage.delete(key)
        async with uow_factory() as uow:
            await uow.pending_objects.remove(key)
            await uow.commit()
    except Exception:
        log.warning("object %s left for the sweeper", key, exc_info=True)
        return False
    return True


async def write_object(
    uow_factory: UowFactory,
    storage: BlobStorage,
    key: str,
    chunks: AsyncIterable[bytes],
    *,
    content_type: str,
    now: datetime,
    grace: timedelta,
    reason: str = "upload",
) -> None:
    """Record ``key`` as pending, then store the stream under it; on failure remove both."""
    await mark_pending(uow_factory, key, reason=reason, sweep_after=now + grace)
    try:
        await storage.put(key, chunks, content_type=content_type)
    except BaseException:
        await asyncio.shield(discard_object(uow_factory, storage, key))
        raise


def claim_failed(key: str) -> DependencyUnavailable:
    return DependencyUnavailable(
        "The upload took longer than the storage grace period and was discarded.",
        code="upload_expired",
    )


async def abandon(uow_factory: UowFactory, storage: BlobStorage, key: str) -> None:
    """After a failure past ``write_object``: drop the written object (best effort)."""
    with contextlib.suppress(Exception):
        await asyncio.shield(discard_object(uow_factory, storage, key))
