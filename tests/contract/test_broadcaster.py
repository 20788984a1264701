"""The Broadcaster port on Litestar channels: memory (one process) and Redis pub/sub (a
message published by one client reaches a subscriber on another, as across instances)."""

from __future__ import annotations

import asyncio
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
