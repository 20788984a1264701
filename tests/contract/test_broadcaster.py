"""The Broadcaster port on Litestar channels: memory (one process) and Redis pub/sub (a
message published by one client reaches a subscriber on another, as across instances)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from litestar.channels.backends.base import ChannelsBackend

from adapters.realtime.channels import ChannelsBroadcaster, memory_backend, redis_backend


@pytest.fixture(params=["memory", "redis"])
async def backends(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Any, Any]]:
    """(the publishing side, the subscribing side): one backend in memory, two on Redis."""
    if request.param == "memory":
        backend = memory_backend()
        await backend.on_startup()
        yield backend, backend
        await backend.on_shutdown()
        return
    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    publisher, subscriber = redis_backend(url, prefix), redis_backend(url, prefix)
    await subscriber.on_startup()
    yield publisher, subscriber
    await subscriber.on_shutdown()


async def _next(backend: ChannelsBackend) -> tuple[str, bytes]:
    async for channel, data in backend.stream_events():
        return channel, data
    raise AssertionError("the stream ended")


async def test_a_message_reaches_the_subscribers_of_its_channel(
    backends: tuple[Any, Any],
) -> None:
    publisher, subscriber = backends
    channel = f"user:{uuid.uuid4()}"
    await subscriber.subscribe([channel])
    await asyncio.sleep(0.1)
    await ChannelsBroadcaster(publisher).publish(f"user:{uuid.uuid4()}", {"not": "mine"})
    await ChannelsBroadcaster(publisher).publish(channel, {"title": "Pump down", "n": 1})
    got_channel, data = await asyncio.wait_for(_next(subscriber), 5)
    assert got_channel == channel
    assert msgspec.json.decode(data) == {"title": "Pump down", "n": 1}


async def test_channels_subscribed_at_once_all_receive(backends: tuple[Any, Any]) -> None:
    """Sockets opening together subscribe concurrently: none of their channels is lost
    (redis-py's pub/sub connection used to be opened once per concurrent caller)."""
    publisher, subscriber = backends
    channels = [f"tryon:{uuid.uuid4()}" for _ in range(20)]
    await asyncio.gather(*(subscriber.subscribe([c]) for c in channels))
    await asyncio.sleep(0.2)
    for channel in channels:
        await ChannelsBroadcaster(publisher).publish(channel, {"channel": channel})
    received: set[str] = set()

    async def collect() -> None:
        async for channel, _data in subscriber.stream_events():
            received.add(channel)
            if received == set(channels):
                return

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(collect(), 5)
    assert received == set(channels)
