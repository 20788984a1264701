"""Revocations: recorded durably, copied to the cache, the copy rebuilt when lost.

``record_revocations`` is called inside the transaction of the change that causes them
(logout, a replayed refresh token): the rows are added, a bounded batch of expired ones is
purged, and the cache copy is written before the commit (see ``session_state``).

:class:`RevocationCache` is what Authenticate falls back on when the cache says it is not
complete (a Redis restarted empty, a flush, the embedded profile's first request after a
restart): one bounded query answers for the request, and a rebuild is started in the
background (one at a time per process, one at a time across instances through a cache
lease, at most one attempt per ``retry_seconds``). The rebuild copies every live revocation
into the cache, marks it complete, then copies them once more after ``settle_seconds``: a
revocation whose transaction wrote its copy to the cache just before the cache was lost and
committed after the first read is found by the second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from uuid import UUID

from application.identity.ports import AccessCheck, IdentityUnitOfWork
from application.identity.session_state import SessionState, UserRecord
from application.shared.clock import Clock
from domain.identity.revocations import Revocation, RevocationKind
from domain.identity.user import User
from domain.shared.errors import DependencyUnavailable

log = logging.getLogger("atelier.identity.revocations")

PURGE_BATCH = 200
"""Expired revocations deleted by each transaction that records new ones."""
REBUILD_BATCH = 1000


async def record_revocations(
    uow: IdentityUnitOfWork,
    state: SessionState,
    revocations: Sequence[Revocation],
    now: datetime,
) -> None:
    """Inside ``uow``'s transaction, before its commit: store, purge, copy to the cache.
    A cache that cannot be written raises ``DependencyUnavailable``: nothing is committed."""
    for revocation in revocations:
        await uow.revocations.add(revocation)
    await uow.revocations.purge(now, limit=PURGE_BATCH)
    await state.revoke(revocations, now)


async def publish_user(state: SessionState, user: User) -> None:
    """After a commit: the user's new record (and cut-off) to every instance. The change is
    committed whatever happens here; if the cache is unreachable, the ``pending`` mark
    written before the commit keeps every instance on the database until it expires."""
    try:
        await state.publish(UserRecord.of(user))
    except DependencyUnavailable:
        log.warning("could not publish a changed user; instances ask the database meanwhile")


class RevocationCache:
    def __init__(
        self,
        state: SessionState,
        read_uow: Callable[[], IdentityUnitOfWork],
        clock: Clock,
        *,
        batch: int = REBUILD_BATCH,
        lease_seconds: float = 60.0,
        retry_seconds: float = 1.0,
        settle_seconds: float = 2.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._state, self._read_uow, self._clock = state, read_uow, clock
        self._batch, self._lease, self._retry = batch, lease_seconds, retry_seconds
        self._settle, self._monotonic = settle_seconds, monotonic
        self._task: asyncio.Task[bool] | None = None
        self._last_attempt: float | None = None
        self.rebuilds = 0
        """Completed rebuilds (for tests and logs)."""

    async def check(self, user_id: UUID, jti: str, session_id: UUID | None) -> AccessCheck:
        """The database's answer for one token (one query); starts a rebuild if none runs."""
        self.request_rebuild()
        async with self._read_uow() as uow:
            return await uow.revocations.check(
                user_id, jti=jti, session_id=session_id, now=self._clock.now()
            )

    def request_rebuild(self) -> None:
        """Start a background rebuild unless one runs or one started under ``retry_seconds``
        ago (a database or cache that is down is not hammered)."""
        if self._task is not None and not self._task.done():
            return
        now = self._monotonic()
        if self._last_attempt is not None and now - self._last_attempt < self._retry:
            return
        self._last_attempt = now
        self._task = asyncio.ensure_future(self._rebuild_quietly())

    async def close(self) -> None:
        """Stop a running rebuild (shutdown: it must not outlive the database pool)."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def wait(self) -> None:
        """Wait for the running rebuild, if any (tests, shutdown)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def _rebuild_quietly(self) -> bool:
        try:
            return await self.rebuild()
        except DependencyUnavailable:
            log.warning("revocation cache rebuild failed: a dependency is unavailable")
        except Exception:
            log.exception("revocation cache rebuild failed")
        return False

    async def rebuild(self) -> bool:
        """Copy every live revocation into the cache and mark it complete; False when another
        instance holds the lease (it is rebuilding)."""
        if not await self._state.take_rebuild_lease(self._lease):
            return False
        try:
            copied = await self._copy_all()
            await self._state.mark_complete()
            if self._settle > 0:
                await asyncio.sleep(self._settle)
            copied += await self._copy_all()
        finally:
            with contextlib.suppress(DependencyUnavailable):  # else it expires by itself
                await self._state.release_rebuild_lease()
        self.rebuilds += 1
        log.info("revocation cache rebuilt", extra={"revocations": copied})
        return True

    async def _copy_all(self) -> int:
        now = self._clock.now()
        after: tuple[RevocationKind, str] | None = None
        copied = 0
        while True:
            async with self._read_uow() as uow:
                batch = await uow.revocations.live(now, after=after, limit=self._batch)
            await self._state.revoke(batch, now)
            copied += len(batch)
            if len(batch) < self._batch:
                return copied
            after = (batch[-1].kind, batch[-1].value)
