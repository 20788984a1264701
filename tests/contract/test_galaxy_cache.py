"""The catalogue's read-through cache (``CachedGalaxy``) over each Cache adapter (memory and
a real Redis): fresh hits, single flight within a process and across two processes' worth
of instances sharing one Redis, stale copies when the upstream fails, 503 with nothing
cached."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from application.automation.galaxy import CachedGalaxy, CacheSettings, Freshness
from application.automation.ports import GalaxyUpstream, Json, UpstreamUnavailable
from application.shared.cache import Cache
from domain.shared.errors import DependencyUnavailable


class Upstream(GalaxyUpstream):
    def __init__(self) -> None:
        self.calls = 0
        self.delay = 0.0
        self.failing = False

    async def _answer(self, value: Json) -> Json:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.failing:
            raise UpstreamUnavailable("down")
        return value

    async def namespaces(self, *, q: str | None, limit: int, offset: int) -> Json:
        return await self._answer({"items": [{"name": f"n{offset}"}], "total": 1})

    async def collections(self, namespace: str, *, q: str | None, limit: int, offset: int) -> Json:
        return await self._answer({"items": [{"namespace": namespace, "name": "c"}], "total": 1})

    async def collection(self, namespace: str, name: str) -> Json:
        return await self._answer({"namespace": namespace, "name": name})


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _galaxy(cache: Cache, upstream: Upstream, clock: Any = None, ttl: float = 60) -> CachedGalaxy:
    settings = CacheSettings(ttl_seconds=ttl, keep_seconds=3600, retry_after_seconds=7)
    if clock is None:
        return CachedGalaxy(upstream, cache, settings)
    return CachedGalaxy(upstream, cache, settings, now=clock)


async def test_miss_then_hit(cache: Cache) -> None:
    upstream = Upstream()
    galaxy = _galaxy(cache, upstream)
    first = await galaxy.namespaces(q=None, limit=5, offset=0)
    second = await galaxy.namespaces(q=None, limit=5, offset=0)
    assert first.freshness is Freshness.MISS
    assert second.freshness is Freshness.HIT
    assert second.data == first.data
    assert upstream.calls == 1
    other = await galaxy.namespaces(q="x", limit=5, offset=0)  # another key
    assert other.freshness is Freshness.MISS
    assert upstream.calls == 2


async def test_one_call_for_a_hundred_concurrent_readers(cache: Cache) -> None:
    upstream = Upstream()
    upstream.delay = 0.2
    galaxy = _galaxy(cache, upstream)
    answers = await asyncio.gather(
        *(galaxy.collections("cold", q=None, limit=50, offset=0) for _ in range(100))
    )
    assert upstream.calls == 1
    assert [a.freshness for a in answers].count(Freshness.MISS) == 1
    assert {str(a.data) for a in answers} == {str(answers[0].data)}


async def test_single_flight_across_instances_sharing_the_cache(cache: Cache) -> None:
    upstream = Upstream()
    upstream.delay = 0.3
    # two instances (as two processes would have): the shared lock key makes one wait
    one, two = _galaxy(cache, upstream), _galaxy(cache, upstream)
    answers = await asyncio.gather(
        one.collection("a", "b"), two.collection("a", "b"), two.collection("a", "b")
    )
    assert {a.data["name"] for a in answers} == {"b"}
    assert upstream.calls == 1


async def test_stale_copy_when_the_upstream_fails_then_503(cache: Cache) -> None:
    upstream, clock = Upstream(), Clock()
    galaxy = _galaxy(cache, upstream, clock, ttl=60)
    fresh = await galaxy.collection("ns", "c")
    clock.now += 90
    upstream.failing = True
    stale = await galaxy.collection("ns", "c")
    assert stale.freshness is Freshness.STALE
    assert stale.age_seconds == 90
    assert stale.data == fresh.data
    with pytest.raises(DependencyUnavailable) as nothing:
        await galaxy.collection("ns", "never")
    assert nothing.value.code == "upstream_unavailable"
    assert nothing.value.extra["retry_after"] == 7
    upstream.failing = False
    refreshed = await galaxy.collection("ns", "c")
    assert refreshed.freshness is Freshness.REFRESHED
    assert refreshed.age_seconds == 0


async def test_refresh_fetches_even_a_fresh_copy(cache: Cache) -> None:
    upstream = Upstream()
    galaxy = _galaxy(cache, upstream)
    await galaxy.namespaces(q=None, limit=50, offset=0)
    again = await galaxy.namespaces(q=None, limit=50, offset=0, refresh=True)
    assert again.freshness is Freshness.REFRESHED
    assert upstream.calls == 2


async def test_a_reader_that_goes_away_does_not_cancel_the_shared_fetch(cache: Cache) -> None:
    upstream = Upstream()
    upstream.delay = 0.2
    galaxy = _galaxy(cache, upstream)
    first = asyncio.ensure_future(galaxy.collection("x", "y"))
    await asyncio.sleep(0.05)
    second = asyncio.ensure_future(galaxy.collection("x", "y"))
    await asyncio.sleep(0.01)
    first.cancel()
    answer = await second
    assert answer.data == {"namespace": "x", "name": "y"}
    assert answer.freshness is Freshness.HIT  # it shared the first reader's fetch
    assert upstream.calls == 1
    assert (await galaxy.collection("x", "y")).freshness is Freshness.HIT
