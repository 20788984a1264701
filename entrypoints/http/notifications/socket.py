"""``WS /notifications/ws``: each new notification of the caller, as JSON, in real time.

The protocol is the platform's (``entrypoints/http/realtime.py``): first message
``{"type": "auth", "token": "<access token>"}`` (4401 otherwise), then ``{"type": "ready"}``,
then one ``{"type": "notification", "id", "title", "message", "level", "read",
"created_at", "data"}`` per new notification, from whichever instance or worker created it;
``{"type": "ping"}`` heartbeats. Closed with 4408 when the client falls behind: reconnect and
read ``GET /notifications?after=<last id seen>``.
"""

from __future__ import annotations

from typing import Any

from litestar import WebSocket, websocket

from application.notifications.publishing import notifications_channel
from domain.shared.access import Actor
from entrypoints.http.realtime import serve_realtime


def _channels(actor: Actor) -> list[str]:
    return [notifications_channel(actor.user_id)]


@websocket("/notifications/ws", name="notifications_socket")
async def notifications_socket(socket: WebSocket[Any, Any, Any]) -> None:
    await serve_realtime(socket, channels=_channels)
