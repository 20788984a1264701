"""A read-through cache in front of a DashboardReader (stale-while-revalidate).

The dashboard's aggregate queries read whole tables; at a million interventions they take
hundreds of milliseconds. Figures are kept in the Cache port (shared by every instance on
Redis) and served while ``fresh_seconds`` old; after that, until ``stale_seconds``, the
stored figures are still served while ONE caller (across instances, by ``set_if_absent``)
recomputes them in the background; colder than that, the caller computes them inline.
``invalidate`` (wired to the maintenance events) drops them, so life-cycle changes show at
once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import msgspec

from application.maintenance.ports import DashboardReader, DashboardStats
from application.shared.cache import Cache

log = logging.getLogger("atelier.dashboard")


class _Stored(msgspec.Struct):
    computed_at: datetime
    stats: DashboardStats


class CachedDashboardReader(DashboardReader):
    def __init__(
        self,
        inner: DashboardReader,
        cache: Cache,
        *,
        key: str = "maintenance:dashboard",
        fresh_seconds: float = 10.0,
        stale_seconds: float = 300.0,
    ) -> None:
        self._inner = inner
        self._cache = cache
        self._key = key
        self._fresh = fresh_seconds
        self._stale = stale_seconds
        self._tasks: set[asyncio.Task[None]] = set()
        self._computing = asyncio.Lock()  # a cold start computes once per instance, not per caller

    async def stats(self, now: datetime) -> DashboardStats:
        stored = await self._usable(now)
        if stored is not None:
            return stored
        async with self._computing:
            stored = await self._usable(now)  # another caller may have filled it meanwhile
            if stored is not None:
                return stored
            return await self._compute(now)

    async def _usable(self, now: datetime) -> DashboardStats | None:
        raw = await self._cache.get(self._key)
        if raw is not None:
            try:
                stored = msgspec.json.decode(raw, type=_Stored)
            except msgspec.DecodeError:
                stored = None
            if stored is not None:
                age = (now - stored.computed_at).total_seconds()
                if 0 <= age <= self._fresh:
                    return stored.stats
                if 0 <= age <= self._stale:
                    await self._refresh_in_background(now)
                    return stored.stats
        return None

    async def invalidate(self) -> None:
        await self._cache.delete(self._key)

    async def _compute(self, now: datetime) -> DashboardStats:
        stats = await self._inner.stats(now)
        payload = msgspec.json.encode(_Stored(computed_at=now, stats=stats))
        await self._cache.set(self._key, payload, ttl_seconds=self._stale)
        return stats

    async def _refresh_in_background(self, now: datetime) -> None:
        lock = f"{self._key}:refreshing"
        if not await self._cache.set_if_absent(lock, b"1", ttl_seconds=max(self._fresh, 5.0)):
            return  # another caller, here or on another instance, is on it

        async def refresh() -> None:
            # the lock is left to expire: a caller that read the stale figures just before
            # this refresh landed must not start a second one (they are fresh for a while)
            try:
                await self._compute(now)
            except Exception:  # a failed refresh leaves the stale figures in place
                log.exception("dashboard refresh failed")

        task = asyncio.create_task(refresh())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
