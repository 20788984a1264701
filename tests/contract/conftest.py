"""Fixtures shared by the contract suites."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.cache.memory import MemoryCache
from adapters.cache.redis import RedisCache
from application.shared.cache import Cache
from tests.support.redis import drop_prefixed


# -- the Cache port's adapters, shared by every suite that runs over both -------------------
@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    if request.param == "memory":
        yield MemoryCache()
        return
    url: str = request.getfixturevalue("redis_url")
    prefix: str = request.getfixturevalue("redis_prefix")
    redis_cache = RedisCache.from_url(url, prefix=prefix)
    try:
        yield redis_cache
    finally:
        await drop_prefixed(redis_cache, url, prefix)
