"""Contract of the Cache port, on the in-process cache and on a real Redis.

Every behaviour is asserted on both adapters with the same real-time TTLs; the Redis-only
tests cover what only a shared server can show (counters shared across clients, a dead
server failing fast).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest

from adapters.cache.redis import RedisCache
from application.shared.cache import Cache
from domain.shared.errors import DependencyUnavailable
from tests.support.redis import drop_prefixed


async def test_get_set_delete(cache: Cache) -> None:
    assert await cache.get("k") is None
    await cache.set("k", b"\x00value\xff")
    assert await cache.get("k") == b"\x00value\xff"
    await cache.set("k", b"other")
    assert await cache.get("k") == b"other"
    await cache.delete("k")
    assert await cache.get("k") is None
    await cache.delete("never-set")  # deleting a missing key is fine


async def test_get_many_answers_in_order_with_none_for_missing(cache: Cache) -> None:
    await cache.set("a", b"1")
    await cache.set("c", b"\x003")
    await cache.increment("n", ttl_seconds=30, amount=4)
    assert await cache.get_many(["a", "b", "c", "n"]) == [b"1", None, b"\x003", b"4"]
    assert await cache.get_many(["c", "c"]) == [b"\x003", b"\x003"]
    assert await cache.get_many([]) == []


async def test_get_many_sees_expiry_and_deletes(cache: Cache) -> None:
    await cache.set("short", b"v", ttl_seconds=0.2)
    await cache.set("gone", b"w")
    await cache.delete("gone")
    assert await cache.get_many(["short", "gone"]) == [b"v", None]
    await asyncio.sleep(0.35)
    assert await cache.get_many(["short"]) == [None]


async def test_concurrent_reads_each_get_their_own_answer(cache: Cache) -> None:
    """Redis batches concurrent reads into one MGET: every caller still gets its own keys."""
    for i in range(0, 300, 3):
        await cache.set(f"k{i}", f"v{i}".encode())

    async def read(i: int) -> list[bytes | None]:
        if i % 2:
            return [await cache.get(f"k{i}")]
        return await cache.get_many([f"k{i}", f"k{i + 1}", "absent"])

    answers = await asyncio.gather(*(read(i) for i in range(300)))
    for i, answer in enumerate(answers):
        expected = f"v{i}".encode() if i % 3 == 0 else None
        if i % 2:
            assert answer == [expected]
        else:
            following = f"v{i + 1}".encode() if (i + 1) % 3 == 0 else None
            assert answer == [expected, following, None]


async def test_concurrent_deletes_each_take_effect(cache: Cache) -> None:
    """Redis batches concurrent deletes into one DEL: each is done when it returns, and a
    key written after it returned is kept."""
    for i in range(40):
        await cache.set(f"d{i}", b"v")

    async def delete_then_write(i: int) -> None:
        await cache.delete(f"d{i}")
        await cache.delete("d0")  # the same key from every caller
        assert await cache.get(f"d{i}") is None
        await cache.set(f"after{i}", b"w")

    await asyncio.gather(*(delete_then_write(i) for i in range(40)))
    assert await cache.get_many([f"d{i}" for i in range(40)]) == [None] * 40
    await cache.delete("unrelated")
    assert await cache.get_many([f"after{i}" for i in range(40)]) == [b"w"] * 40


async def test_a_read_sees_a_write_that_finished_before_it(cache: Cache) -> None:
    """Batched or not, a read is sent after it is asked for (revocation must not lag)."""
    readers = [asyncio.ensure_future(cache.get_many(["flag"])) for _ in range(5)]
    first = await asyncio.gather(*readers)
    await cache.set("flag", b"denied")
    second = await asyncio.gather(*(cache.get_many(["flag"]) for _ in range(5)))
    assert first == [[None]] * 5
    assert second == [[b"denied"]] * 5


async def test_a_cancelled_read_does_not_disturb_the_others(cache: Cache) -> None:
    await cache.set("x", b"1")
    victim = asyncio.ensure_future(cache.get_many(["x"]))
    others = [asyncio.ensure_future(cache.get_many(["x", "y"])) for _ in range(10)]
    victim.cancel()
    assert await asyncio.gather(*others) == [[b"1", None]] * 10
    assert victim.cancelled()
    assert await cache.get("x") == b"1"


async def test_keys_are_independent(cache: Cache) -> None:
    await cache.set("a", b"1")
    await cache.set("b", b"2")
    await cache.delete("a")
    assert await cache.get("a") is None
    assert await cache.get("b") == b"2"


async def test_set_with_ttl_expires(cache: Cache) -> None:
    await cache.set("short", b"v", ttl_seconds=0.2)
    await cache.set("forever", b"w")
    assert await cache.get("short") == b"v"
    await asyncio.sleep(0.35)
    assert await cache.get("short") is None
    assert await cache.get("forever") == b"w"


async def test_set_without_ttl_clears_a_previous_ttl(cache: Cache) -> None:
    await cache.set("k", b"v", ttl_seconds=0.2)
    await cache.set("k", b"v2")
    await asyncio.sleep(0.35)
    assert await cache.get("k") == b"v2"


async def test_set_if_absent_has_a_single_winner(cache: Cache) -> None:
    results = await asyncio.gather(
        *(cache.set_if_absent("lock", f"owner-{i}".encode(), ttl_seconds=5) for i in range(50))
    )
    assert results.count(True) == 1
    winner = results.index(True)
    assert await cache.get("lock") == f"owner-{winner}".encode()


async def test_set_if_absent_succeeds_again_after_expiry(cache: Cache) -> None:
    assert await cache.set_if_absent("once", b"first", ttl_seconds=0.2) is True
    assert await cache.set_if_absent("once", b"second", ttl_seconds=0.2) is False
    assert await cache.get("once") == b"first"
    await asyncio.sleep(0.35)
    assert await cache.set_if_absent("once", b"third", ttl_seconds=0.2) is True
    assert await cache.get("once") == b"third"


async def test_increment_is_atomic_under_concurrency(cache: Cache) -> None:
    counters = await asyncio.gather(*(cache.increment("hits", ttl_seconds=30) for _ in range(200)))
    assert sorted(c.value for c in counters) == list(range(1, 201))
    assert await cache.get("hits") == b"200"


async def test_increment_amount_and_first_window(cache: Cache) -> None:
    first = await cache.increment("n", ttl_seconds=10, amount=5)
    assert first.value == 5
    assert 9.0 < first.expires_in <= 10.0
    second = await cache.increment("n", ttl_seconds=10, amount=2)
    assert second.value == 7


async def test_increment_window_keeps_its_first_ttl(cache: Cache) -> None:
    first = await cache.increment("window", ttl_seconds=0.6)
    assert first.value == 1
    await asyncio.sleep(0.3)
    second = await cache.increment("window", ttl_seconds=0.6)
    assert second.value == 2
    assert second.expires_in <= 0.35  # not extended back to 0.6
    await asyncio.sleep(second.expires_in + 0.1)
    assert await cache.get("window") is None
    fresh = await cache.increment("window", ttl_seconds=0.6)
    assert fresh.value == 1  # a new window
    assert fresh.expires_in > 0.4


async def test_ping(cache: Cache) -> None:
    await cache.ping()


# -- Redis only: what a shared server guarantees ---------------------------------------


async def test_two_redis_clients_share_counters_and_locks(
    redis_url: str, redis_prefix: str
) -> None:
    one = RedisCache.from_url(redis_url, prefix=redis_prefix)
    two = RedisCache.from_url(redis_url, prefix=redis_prefix)
    try:
        counters = await asyncio.gather(
            *((one if i % 2 else two).increment("shared", ttl_seconds=30) for i in range(100))
        )
        assert sorted(c.value for c in counters) == list(range(1, 101))
        assert await one.get("shared") == b"100"
        assert await two.get("shared") == b"100"
        won = await asyncio.gather(
            *((one if i % 2 else two).set_if_absent("lock", b"x", ttl_seconds=5) for i in range(20))
        )
        assert won.count(True) == 1
    finally:
        await two.aclose()
        await drop_prefixed(one, redis_url, redis_prefix)


async def test_concurrent_reads_share_round_trips(redis_url: str, redis_prefix: str) -> None:
    """64 concurrent reads (the authentication hot path under load) take far fewer MGETs."""
    cache = RedisCache.from_url(redis_url, prefix=redis_prefix)
    sent: list[int] = []
    client = cache._client
    original = client.mget

    async def counting_mget(keys: list[str]) -> object:
        sent.append(len(keys))
        return await original(keys)

    client.mget = counting_mget  # type: ignore[method-assign]
    try:
        await cache.set("hot", b"1")
        answers = await asyncio.gather(*(cache.get_many(["hot", "cold"]) for _ in range(64)))
        assert answers == [[b"1", None]] * 64
        assert sum(sent) == 128
        assert len(sent) < 8
    finally:
        await drop_prefixed(cache, redis_url, redis_prefix)


async def test_concurrent_deletes_share_round_trips(redis_url: str, redis_prefix: str) -> None:
    """64 concurrent deletes (the dashboard's figures invalidated by 64 commits) take far fewer
    DELs, each key sent once per DEL."""
    cache = RedisCache.from_url(redis_url, prefix=redis_prefix)
    sent: list[tuple[str, ...]] = []
    client = cache._client
    original = client.delete

    async def counting_delete(*keys: str) -> object:
        sent.append(keys)
        return await original(*keys)

    client.delete = counting_delete  # type: ignore[method-assign]
    try:
        await cache.set("hot", b"1")
        await cache.set("other", b"2")
        await asyncio.gather(*(cache.delete("hot" if i % 2 else "other") for i in range(64)))
        assert await cache.get_many(["hot", "other"]) == [None, None]
        assert 1 <= len(sent) < 8
        assert all(len(keys) == len(set(keys)) <= 2 for keys in sent)
    finally:
        await drop_prefixed(cache, redis_url, redis_prefix)


async def test_a_broken_delete_batch_fails_each_caller(redis_url: str, redis_prefix: str) -> None:
    """A dead connection fails every delete of that batch (none may pass for done); the
    next ones work again."""
    cache = RedisCache.from_url(redis_url, prefix=redis_prefix, cooldown_seconds=0)
    client = cache._client
    original = client.delete
    calls = 0

    async def flaky_delete(*keys: str) -> object:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("connection reset")
        return await original(*keys)

    client.delete = flaky_delete  # type: ignore[method-assign]
    try:
        await cache.set("k", b"v")
        failed = await asyncio.gather(
            *(cache.delete("k") for _ in range(3)), return_exceptions=True
        )
        assert all(isinstance(f, DependencyUnavailable) for f in failed)
        assert all(f.code == "cache_unavailable" for f in failed)  # type: ignore[union-attr]
        assert await cache.get("k") == b"v"
        await cache.delete("k")
        assert await cache.get("k") is None
    finally:
        await drop_prefixed(cache, redis_url, redis_prefix)


async def test_a_broken_batch_fails_each_caller_alone(redis_url: str, redis_prefix: str) -> None:
    """A dead connection fails the reads of that batch only; the next ones work again."""
    cache = RedisCache.from_url(redis_url, prefix=redis_prefix, cooldown_seconds=0)
    client = cache._client
    original = client.mget
    calls = 0

    async def flaky_mget(keys: list[str]) -> object:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("connection reset")
        return await original(keys)

    client.mget = flaky_mget  # type: ignore[method-assign]
    try:
        failed = await asyncio.gather(
            *(cache.get_many(["a"]) for _ in range(3)), return_exceptions=True
        )
        assert all(isinstance(f, DependencyUnavailable) for f in failed)
        assert all(f.code == "cache_unavailable" for f in failed)  # type: ignore[union-attr]
        assert len({id(f) for f in failed}) == 3  # one error object per caller
        assert await cache.get_many(["a"]) == [None]
    finally:
        await drop_prefixed(cache, redis_url, redis_prefix)


def _first_mget_fails(cache: RedisCache) -> list[int]:
    """The cache's first ``MGET`` fails as a reset connection; the others reach Redis. The
    list holds how many were asked for."""
    client = cache._client
    original = client.mget
    calls = [0]

    async def failing_once(keys: list[str]) -> object:
        calls[0] += 1
        if calls[0] == 1:
            raise ConnectionError("connection reset")
        return await original(keys)

    client.mget = failing_once  # type: ignore[method-assign]
    return calls


async def test_after_a_failure_calls_fail_at_once_for_the_cooldown(
    redis_url: str, redis_prefix: str
) -> None:
    """The small circuit breaker: once Redis failed to answer, the next calls do not each
    wait their own timeout; after the cooldown Redis is tried again."""
    cache = RedisCache.from_url(redis_url, prefix=redis_prefix, cooldown_seconds=0.3)
    calls = _first_mget_fails(cache)
    try:
        with pytest.raises(DependencyUnavailable):
            await cache.get("a")
        for call in (cache.get("a"), cache.set("a", b"1"), cache.increment("n", ttl_seconds=5)):
            with pytest.raises(DependencyUnavailable):
                await call
        assert calls == [1]  # refused without reaching Redis
        await asyncio.sleep(0.35)
        assert await cache.get("a") is None
        assert calls == [2]
    finally:
        await drop_prefixed(cache, redis_url, redis_prefix)


async def test_an_answered_ping_ends_the_cooldown(redis_url: str, redis_prefix: str) -> None:
    """Readiness asks Redis itself, even while calls fail at once: when Redis answers, the
    cooldown is over, so a cache reported ready serves the next request (a busy moment's
    timeout otherwise kept it refusing for the rest of the cooldown)."""
    cache = RedisCache.from_url(redis_url, prefix=redis_prefix, cooldown_seconds=60)
    calls = _first_mget_fails(cache)
    try:
        with pytest.raises(DependencyUnavailable):
            await cache.get("a")
        with pytest.raises(DependencyUnavailable):
            await cache.set("a", b"1")  # the breaker is open: refused at once
        await cache.ping()
        await cache.set("a", b"1")  # long before the 60 s cooldown would end
        assert await cache.get("a") == b"1"
        assert calls == [2]
    finally:
        await drop_prefixed(cache, redis_url, redis_prefix)


async def test_prefixes_isolate_caches(redis_url: str, redis_prefix: str) -> None:
    one = RedisCache.from_url(redis_url, prefix=redis_prefix + "a:")
    two = RedisCache.from_url(redis_url, prefix=redis_prefix + "b:")
    try:
        await one.set("k", b"from-a")
        assert await two.get("k") is None
        assert (await two.increment("c", ttl_seconds=5)).value == 1
        assert (await one.increment("c", ttl_seconds=5)).value == 1
    finally:
        await two.aclose()
        await drop_prefixed(one, redis_url, redis_prefix)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get("k"),
        lambda c: c.get_many(["k", "l"]),
        lambda c: c.set("k", b"v", ttl_seconds=1),
        lambda c: c.set_if_absent("k", b"v", ttl_seconds=1),
        lambda c: c.increment("k", ttl_seconds=1),
        lambda c: c.delete("k"),
        lambda c: c.ping(),
    ],
    ids=["get", "get_many", "set", "set_if_absent", "increment", "delete", "ping"],
)
async def test_dead_redis_fails_fast_as_dependency_unavailable(
    call: Callable[[RedisCache], Awaitable[object]],
) -> None:
    dead = RedisCache.from_url("redis://127.0.0.1:1/0", prefix="dead:")
    started = time.monotonic()
    try:
        with pytest.raises(DependencyUnavailable) as caught:
            await call(dead)
    finally:
        await dead.aclose()
    assert caught.value.code == "cache_unavailable"
    assert time.monotonic() - started < 3.0
