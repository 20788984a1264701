"""Cleaning up what a test wrote to the shared Redis."""

from __future__ import annotations

from adapters.cache.redis import RedisCache


async def drop_prefixed(cache: RedisCache, url: str, prefix: str) -> None:
    cleaner = RedisCache.from_url(url, prefix="")
    try:
        client = cleaner._client
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await cleaner.aclose()
        await cache.aclose()
