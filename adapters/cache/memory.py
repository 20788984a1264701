"""In-process cache with expiry and atomic counters (the embedded profile's cache).

Atomic within one process: every operation runs without an ``await`` in between, so
coroutines cannot interleave inside it. Expired keys are dropped lazily and by a bounded
sweep, so the dictionary cannot grow without limit under a stream of distinct keys.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from application.shared.cache import Cache, Counter


class MemoryCache(Cache):
    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._data: dict[str, tuple[bytes | int, float | None]] = {}

    def _live(self, key: str) -> tuple[bytes | int, float | None] | None:
        entry = self._data.get(key)
        if entry is None:
            return None
        expires_at = entry[1]
        if expires_at is not None and expires_at <= self._clock():
            del self._data[key]
            return None
        return entry

    def _expiry(self, ttl_seconds: float | None) -> float | None:
        return None if ttl_seconds is None else self._clock() + ttl_seconds

    def _make_room(self) -> None:
        if len(self._data) < self._max_keys:
            return
        now = self._clock()
        for key in [k for k, (_, exp) in self._data.items() if exp is not None and exp <= now]:
            del self._data[key]
        while len(self._data) >= self._max_keys:  # evict the oldest insertions
            del self._data[next(iter(self._data))]

    def _value(self, key: str) -> bytes | None:
        entry = self._live(key)
        if entry is None:
            return None
        value = entry[0]
        return str(value).encode() if isinstance(value, int) else value

    async def get(self, key: str) -> bytes | None:
        return self._value(key)

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return [self._value(key) for key in keys]  # no await in between: one snapshot

    async def set(self, key: str, value: bytes, *, ttl_seconds: float | None = None) -> None:
        self._make_room()
        self._data[key] = (bytes(value), self._expiry(ttl_seconds))

    async def set_many(self, items: Sequence[tuple[str, bytes, float | None]]) -> None:
        for key, value, ttl_seconds in items:  # no await in between: all at once
            self._make_room()
            self._data[key] = (bytes(value), self._expiry(ttl_seconds))

    async def set_if_absent(self, key: str, value: bytes, *, ttl_seconds: float) -> bool:
        if self._live(key) is not None:
            return False
        self._make_room()
        self._data[key] = (bytes(value), self._expiry(ttl_seconds))
        return True

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def increment(self, key: str, *, ttl_seconds: float, amount: int = 1) -> Counter:
        entry = self._live(key)
        if entry is None:
            self._make_room()
            expires_at = self._clock() + ttl_seconds
            value = amount
        else:
            current, expires_at_or_none = entry
            base = int(current) if isinstance(current, int) else int(current.decode() or 0)
            value = base + amount
            expires_at = (
                expires_at_or_none
                if expires_at_or_none is not None
                else self._clock() + ttl_seconds
            )
        self._data[key] = (value, expires_at)
        return Counter(value=value, expires_in=max(0.0, expires_at - self._clock()))

    async def ping(self) -> None:
        """Memory always answers."""
