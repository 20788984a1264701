"""The Broadcaster port: a message to whoever listens on a channel, on every app instance.

Jobs and event handlers (in any process) publish here; WebSocket endpoints subscribe to the
channels of the user they serve (Litestar channels in the web processes). Delivery is best
effort and immediate: a client that was not connected catches up from the durable record
(the notifications list, a job's state), never from the broadcast.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


def user_channel(user_id: object) -> str:
    """The channel of everything meant for one user's open sockets."""
    return f"user:{user_id}"


class Broadcaster(Protocol):
    async def publish(self, channel: str, message: Mapping[str, Any]) -> None:
        """Send ``message`` (JSON values) to every socket subscribed to ``channel``."""
        ...
