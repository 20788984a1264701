"""The Broadcaster port on a Litestar channels backend, shared with the app's ChannelsPlugin.

``memory_backend()``: one process (the embedded profile, where jobs run inside ``atelier
serve``). ``redis_backend(url, prefix)``: Redis pub/sub, so a message published by a worker on
one machine reaches sockets held by web processes on others; publishing needs no start-up (a
Lua script on the client), so worker processes publish with the backend alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import msgspec
from litestar.channels.backends.base import ChannelsBackend

from application.shared.realtime import Broadcaster
from domain.shared.errors import DependencyUnavailable

PUBLISH_TIMEOUT_SECONDS = 2.0


def memory_backend() -> ChannelsBackend:
    from litestar.channels.backends.memory import MemoryChannelsBackend

    return MemoryChannelsBackend()


def redis_backend(url: str, prefix: str, *, timeout: float = 2.0) -> ChannelsBackend:
    from litestar.channels.backends.redis import RedisChannelsPubSubBackend
    from redis.asyncio import Redis

    class _SerialisedPubSubBackend(RedisChannelsPubSubBackend):
        """Subscriptions one at a time: redis-py's ``PubSub.connect`` opens its connection
        without a lock, so sockets subscribing at once each got a connection of their own,
        the last one replacing the others, and the channels subscribed on the replaced ones
        never delivered a message (seen with 10 try-on sockets opened together)."""

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._subscribing = asyncio.Lock()

        async def subscribe(self, channels: Any) -> None:
            async with self._subscribing:
                await super().subscribe(channels)

        async def unsubscribe(self, channels: Any) -> None:
            async with self._subscribing:
                await super().unsubscribe(channels)

    client = Redis.from_url(url, socket_connect_timeout=timeout, health_check_interval=30)
    return _SerialisedPubSubBackend(redis=client, key_prefix=f"{prefix}channels")


class ChannelsBroadcaster(Broadcaster):
    def __init__(self, backend: ChannelsBackend) -> None:
        self.backend = backend

    async def publish(self, channel: str, message: Mapping[str, Any]) -> None:
        data = msgspec.json.encode(message)
        try:
            await asyncio.wait_for(self.backend.publish(data, [channel]), PUBLISH_TIMEOUT_SECONDS)
        except (OSError, TimeoutError) as exc:
            raise DependencyUnavailable(
                "Real-time delivery is not available.", code="realtime_unavailable"
            ) from exc
