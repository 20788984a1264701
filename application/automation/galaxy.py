"""The Galaxy catalogue behind a read-through cache: TTL, single flight, stale-on-error.

Each answer is kept in the platform's Cache (Redis in production, memory embedded) as
``{"at": <unix seconds stored>, "data": ...}`` for ``keep_seconds`` (days): it is *fresh*
for ``ttl_seconds`` (30 minutes by default) and *stale* after that.

* fresh copy -> served (``hit``);
* no fresh copy -> one upstream call per key at a time: in this process, concurrent readers
  of a key share one fetch (a task; they answer ``hit`` with its copy); across processes a
  short lock key (``set_if_absent``) makes the others wait for the copy instead of calling;
* upstream fails -> the stale copy if there is one (``stale``, with its age), else 503
  ``upstream_unavailable`` with ``Retry-After``.

A cache that does not answer is treated as empty (reads still go through, one flight per
key in this process).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from application.automation.ports import GalaxyUpstream, Json, UpstreamUnavailable
from application.shared.cache import Cache
from domain.shared.errors import DependencyUnavailable, DomainError

log = logging.getLogger("atelier.automation.galaxy")

KEY_PREFIX = "galaxy:v1:"
POLL_SECONDS = 0.05


class Freshness(StrEnum):
    HIT = "hit"
    """A fresh copy from the cache."""
    MISS = "miss"
    """Fetched now (nothing was cached)."""
    REFRESHED = "refreshed"
    """Fetched now (the cached copy was stale)."""
    STALE = "stale"
    """The upstream failed: the last copy, older than the TTL."""


@dataclass(frozen=True, slots=True)
class CatalogueAnswer:
    data: Json
    freshness: Freshness
    age_seconds: int


@dataclass(frozen=True, slots=True)
class CacheSettings:
    ttl_seconds: float = 1800.0
    keep_seconds: float = 7 * 24 * 3600.0
    retry_after_seconds: int = 30
    lock_seconds: float = 15.0
    """How long another process's fetch may hold a key before this one fetches too."""


@dataclass(frozen=True, slots=True)
class _Entry:
    at: float
    data: Json


def cache_key(*parts: object) -> str:
    text = json.dumps([str(p) if p is not None else None for p in parts])
    return KEY_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:40]


class CachedGalaxy:
    def __init__(
        self,
        upstream: GalaxyUpstream,
        cache: Cache,
        settings: CacheSettings,
        *,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._upstream = upstream
        self._cache = cache
        self._settings = settings
        self._now = now
        self._flights: dict[str, asyncio.Future[CatalogueAnswer]] = {}

    @property
    def upstream(self) -> GalaxyUpstream:
        return self._upstream

    # -- the three reads --------------------------------------------------------------------
    async def namespaces(
        self, *, q: str | None, limit: int, offset: int, refresh: bool = False
    ) -> CatalogueAnswer:
        return await self.read(
            cache_key("namespaces", q, limit, offset),
            lambda: self._upstream.namespaces(q=q, limit=limit, offset=offset),
            refresh=refresh,
        )

    async def collections(
        self, namespace: str, *, q: str | None, limit: int, offset: int, refresh: bool = False
    ) -> CatalogueAnswer:
        return await self.read(
            cache_key("collections", namespace, q, limit, offset),
            lambda: self._upstream.collections(namespace, q=q, limit=limit, offset=offset),
            refresh=refresh,
        )

    async def collection(
        self, namespace: str, name: str, *, refresh: bool = False
    ) -> CatalogueAnswer:
        return await self.read(
            cache_key("collection", namespace, name),
            lambda: self._upstream.collection(namespace, name),
            refresh=refresh,
        )

    async def is_fresh(self, key: str) -> bool:
        entry = await self._load(key)
        return entry is not None and self._fresh(entry)

    # -- the read-through ------------------------------------------------------------------
    async def read(
        self, key: str, fetch: Callable[[], Awaitable[Json]], *, refresh: bool = False
    ) -> CatalogueAnswer:
        entry = await self._load(key)
        if entry is not None and not refresh and self._fresh(entry):
            return self._answer(entry, Freshness.HIT)
        flight = self._flights.get(key)
        if flight is not None:  # this process is fetching the key: share that answer
            answer = await asyncio.shield(flight)
            if answer.freshness in (Freshness.MISS, Freshness.REFRESHED):
                return CatalogueAnswer(answer.data, Freshness.HIT, answer.age_seconds)
            return answer
        # the fetch runs as a task of its own: a reader that goes away (a client that
        # disconnects) cancels its wait, never the fetch the other readers wait for
        flight = asyncio.ensure_future(self._fetch_once(key, fetch, entry, refresh=refresh))
        self._flights[key] = flight
        flight.add_done_callback(lambda done: self._landed(key, done))
        return await asyncio.shield(flight)

    def _landed(self, key: str, flight: asyncio.Future[CatalogueAnswer]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        if not flight.cancelled():
            flight.exception()  # retrieved: no "never retrieved" warning when nobody waited

    async def _fetch_once(
        self,
        key: str,
        fetch: Callable[[], Awaitable[Json]],
        previous: _Entry | None,
        *,
        refresh: bool,
    ) -> CatalogueAnswer:
        lock_key = f"{key}:lock"
        owns_lock = await self._try_lock(lock_key)
        if not owns_lock:  # another process is fetching this key: wait for its copy
            waited = await self._wait_for_copy(key, since=previous.at if previous else None)
            if waited is not None:
                return self._answer(waited, Freshness.HIT)
        try:
            try:
                data = await fetch()
            except UpstreamUnavailable as exc:
                log.warning("galaxy upstream unavailable: %s", exc)
                if previous is not None:
                    return self._answer(previous, Freshness.STALE)
                raise DependencyUnavailable(
                    "The Galaxy catalogue does not answer and nothing is cached for this "
                    "request; try again later.",
                    code="upstream_unavailable",
                    extra={"retry_after": self._settings.retry_after_seconds},
                ) from exc
            entry = _Entry(at=self._now(), data=data)
            await self._store(key, entry)
            if previous is None:
                return self._answer(entry, Freshness.MISS)
            return self._answer(entry, Freshness.REFRESHED)
        finally:
            if owns_lock:
                await self._unlock(lock_key)

    def _fresh(self, entry: _Entry) -> bool:
        return self._now() - entry.at < self._settings.ttl_seconds

    def _answer(self, entry: _Entry, freshness: Freshness) -> CatalogueAnswer:
        age = max(0, int(self._now() - entry.at))
        return CatalogueAnswer(data=entry.data, freshness=freshness, age_seconds=age)

    # -- cache I/O (a cache that fails is an empty cache) -----------------------------------
    async def _load(self, key: str) -> _Entry | None:
        try:
            raw = await self._cache.get(key)
        except (DomainError, OSError, TimeoutError) as exc:
            log.warning("galaxy cache read failed: %s", exc)
            return None
        if raw is None:
            return None
        try:
            document: dict[str, Any] = json.loads(raw)
            return _Entry(at=float(document["at"]), data=document["data"])
        except (ValueError, KeyError, TypeError):
            return None

    async def _store(self, key: str, entry: _Entry) -> None:
        raw = json.dumps({"at": entry.at, "data": entry.data}, separators=(",", ":")).encode()
        try:
            await self._cache.set(key, raw, ttl_seconds=self._settings.keep_seconds)
        except (DomainError, OSError, TimeoutError) as exc:
            log.warning("galaxy cache write failed: %s", exc)

    async def _try_lock(self, lock_key: str) -> bool:
        try:
            return await self._cache.set_if_absent(
                lock_key, b"1", ttl_seconds=self._settings.lock_seconds
            )
        except (DomainError, OSError, TimeoutError):
            return True  # no shared lock without a cache: this process's flight is enough

    async def _unlock(self, lock_key: str) -> None:
        try:
            await self._cache.delete(lock_key)
        except (DomainError, OSError, TimeoutError):
            return

    async def _wait_for_copy(self, key: str, *, since: float | None) -> _Entry | None:
        """While another process holds the key's lock: its copy once stored, or None when
        the lock goes (that fetch failed) or outlives ``lock_seconds``."""
        deadline = self._now() + self._settings.lock_seconds
        while self._now() < deadline:
            await asyncio.sleep(POLL_SECONDS)
            entry = await self._load(key)
            if entry is not None and self._fresh(entry) and (since is None or entry.at > since):
                return entry
            try:
                if await self._cache.get(f"{key}:lock") is None:
                    return None
            except (DomainError, OSError, TimeoutError):
                return None
        return None
