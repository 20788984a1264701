"""The Cache port: bytes under string keys with expiry, plus atomic counters.

Implemented by the in-process memory cache (embedded profile) and Redis (production,
shared by every app instance). Counters and ``set_if_absent`` are atomic across instances,
so rate limits, lockouts, idempotency keys and token denylists hold under concurrency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Counter:
    value: int
    """The counter after the increment."""
    expires_in: float
    """Seconds until the counter's window ends (its key expires)."""


class Cache(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """The values of ``keys``, in order (None where absent), in one round trip when the
        backend allows it (Redis ``MGET``). This default asks ``get`` once per key."""
        return [await self.get(key) for key in keys]

    async def set(self, key: str, value: bytes, *, ttl_seconds: float | None = None) -> None:
        """Store ``value``; ``ttl_seconds`` None keeps it until deleted."""
        ...

    async def set_many(self, items: Sequence[tuple[str, bytes, float | None]]) -> None:
        """Store each ``(key, value, ttl_seconds)``, in one round trip when the backend allows
        it (a Redis pipeline). Not atomic: after a failure some may be stored. This default
        calls ``set`` once per item."""
        for key, value, ttl_seconds in items:
            await self.set(key, value, ttl_seconds=ttl_seconds)

    async def set_if_absent(self, key: str, value: bytes, *, ttl_seconds: float) -> bool:
        """Atomically store ``value`` only when ``key`` is absent; True when it was stored."""
        ...

    async def delete(self, key: str) -> None: ...

    async def increment(self, key: str, *, ttl_seconds: float, amount: int = 1) -> Counter:
        """Atomically add ``amount``; the expiry is set when the key is created and kept after."""
        ...

    async def ping(self) -> None: ...
