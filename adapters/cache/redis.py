"""Cache on Redis (production): shared by every app instance, atomic across them.

Every key is prefixed. ``increment`` runs one Lua script (INCRBY, then PEXPIRE only when
the key has no expiry yet), so a fixed window starts at the first hit and is never
extended; ``set_if_absent`` is ``SET NX PX``. Small socket timeouts and few retries make a
dead Redis fail fast, as ``DependencyUnavailable(code="cache_unavailable")``.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from application.shared.cache import Cache, Counter
from domain.shared.errors import DependencyUnavailable

_INCREMENT = """
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {value, ttl}
"""

_FAILURES: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    asyncio.TimeoutError,
    OSError,
)


def _ms(ttl_seconds: float) -> int:
    return max(1, math.ceil(ttl_seconds * 1000))


class RedisCache(Cache):
    def __init__(self, client: Redis, prefix: str = "", *, close_client: bool = True) -> None:
        self._client = client
        self._prefix = prefix
        self._close_client = close_client
        self._increment = client.register_script(_INCREMENT)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        prefix: str = "",
        timeout_seconds: float = 2.0,
        max_connections: int = 50,
    ) -> RedisCache:
        """A cache owning a bounded pool: beyond ``max_connections`` callers wait a moment."""
        pool: Any = BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=timeout_seconds,
            socket_connect_timeout=timeout_seconds,
            socket_timeout=timeout_seconds,
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.01), retries=2),
            health_check_interval=30,
        )
        return cls(Redis(connection_pool=pool), prefix)

    def _key(self, key: str) -> str:
        return self._prefix + key

    @asynccontextmanager
    async def _guard(self) -> AsyncIterator[None]:
        try:
            yield
        except _FAILURES as exc:
            raise DependencyUnavailable(
                "The cache is not reachable.", code="cache_unavailable"
            ) from exc

    async def get(self, key: str) -> bytes | None:
        async with self._guard():
            value: Any = await self._client.get(self._key(key))
        return None if value is None else bytes(value)

    async def set(self, key: str, value: bytes, *, ttl_seconds: float | None = None) -> None:
        async with self._guard():
            if ttl_seconds is None:
                await self._client.set(self._key(key), value)
            else:
                await self._client.set(self._key(key), value, px=_ms(ttl_seconds))

    async def set_if_absent(self, key: str, value: bytes, *, ttl_seconds: float) -> bool:
        async with self._guard():
            stored = await self._client.set(self._key(key), value, nx=True, px=_ms(ttl_seconds))
        return bool(stored)

    async def delete(self, key: str) -> None:
        async with self._guard():
            await self._client.delete(self._key(key))

    async def increment(self, key: str, *, ttl_seconds: float, amount: int = 1) -> Counter:
        async with self._guard():
            value, ttl_ms = await self._increment(
                keys=[self._key(key)], args=[int(amount), _ms(ttl_seconds)]
            )
        return Counter(value=int(value), expires_in=max(0.0, int(ttl_ms) / 1000))

    async def ping(self) -> None:
        async with self._guard():
            await self._client.ping()

    async def aclose(self) -> None:
        if self._close_client:
            # the connection pool was created by from_url, so it is ours to close
            await self._client.aclose(close_connection_pool=True)
