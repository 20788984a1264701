"""Fixed-window rate limiting over the Cache port (atomic counters, shared by instances)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from application.shared.cache import Cache
from domain.shared.errors import RateLimited


@dataclass(frozen=True, slots=True)
class RateLimitDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    """Seconds until the window ends (the ``Retry-After`` / ``RateLimit-Reset`` value)."""

    def raise_if_denied(self, code: str | None = None) -> None:
        if not self.allowed:
            raise RateLimited(retry_after=self.reset_seconds, code=code)


class RateLimiter:
    """``hit`` counts one event in the current window of ``key``; ``peek`` only looks."""

    def __init__(self, cache: Cache, *, prefix: str = "ratelimit:") -> None:
        self._cache = cache
        self._prefix = prefix

    async def hit(
        self, key: str, limit: int, window_seconds: int, *, amount: int = 1
    ) -> RateLimitDecision:
        counter = await self._cache.increment(
            self._prefix + key, ttl_seconds=window_seconds, amount=amount
        )
        return self._decide(counter.value, limit, counter.expires_in, allowed_at_limit=True)

    async def peek(self, key: str, limit: int, window_seconds: int) -> RateLimitDecision:
        """The state without counting: denied once ``limit`` events are in the window."""
        counter = await self._cache.increment(
            self._prefix + key, ttl_seconds=window_seconds, amount=0
        )
        return self._decide(counter.value, limit, counter.expires_in, allowed_at_limit=False)

    async def reset(self, key: str) -> None:
        await self._cache.delete(self._prefix + key)

    @staticmethod
    def _decide(
        value: int, limit: int, expires_in: float, *, allowed_at_limit: bool
    ) -> RateLimitDecision:
        allowed = value <= limit if allowed_at_limit else value < limit
        return RateLimitDecision(
            allowed=allowed,
            limit=limit,
            remaining=max(0, limit - value),
            reset_seconds=max(1, math.ceil(expires_in)),
        )
