"""Rate-limit counters on both Cache adapters: exact under concurrency, windowed, shared."""

from __future__ import annotations

import asyncio
import uuid

from application.shared.cache import Cache
from application.shared.rate_limit import RateLimiter


async def test_concurrent_hits_allow_exactly_the_limit(cache: Cache) -> None:
    limiter = RateLimiter(cache)
    key = f"login:{uuid.uuid4().hex}"
    decisions = await asyncio.gather(*(limiter.hit(key, 50, 60) for _ in range(200)))
    assert sum(decision.allowed for decision in decisions) == 50
    assert min(decision.remaining for decision in decisions) == 0
    assert all(1 <= decision.reset_seconds <= 60 for decision in decisions)


async def test_the_window_ends_and_counting_starts_again(cache: Cache) -> None:
    limiter = RateLimiter(cache)
    key = f"reset:{uuid.uuid4().hex}"
    assert (await limiter.hit(key, 1, 1)).allowed
    assert not (await limiter.hit(key, 1, 1)).allowed
    await asyncio.sleep(1.1)
    assert (await limiter.hit(key, 1, 1)).allowed


async def test_peek_does_not_count_and_reset_clears(cache: Cache) -> None:
    limiter = RateLimiter(cache)
    key = f"peek:{uuid.uuid4().hex}"
    for _ in range(3):
        assert (await limiter.peek(key, 2, 60)).allowed
    await limiter.hit(key, 2, 60)
    await limiter.hit(key, 2, 60)
    assert not (await limiter.peek(key, 2, 60)).allowed
    await limiter.reset(key)
    assert (await limiter.peek(key, 2, 60)).remaining == 2


async def test_limiters_sharing_a_cache_share_counters(cache: Cache) -> None:
    key = f"shared:{uuid.uuid4().hex}"
    first, second = RateLimiter(cache), RateLimiter(cache)
    await first.hit(key, 3, 60)
    await second.hit(key, 3, 60)
    assert (await first.hit(key, 3, 60)).remaining == 0
    assert not (await second.hit(key, 3, 60)).allowed
