"""``WS /tryon/ws``: start a try-on and follow it on one socket.

Protocol (API.md): the first message is ``{"type": "auth", "token"}`` (the socket closes with
4401 when it is missing, late, malformed or the token is not valid; 1013 when authentication
could not be decided because a dependency is down). Then ``{"type": "start",
"person_image_id", "garment_image_id"}`` answers ``{"type": "accepted", "job_id"}``,
``{"type": "progress", "job_id", "progress", "stage"}`` events and finally ``{"type":
"completed", "job_id", "result_image_id"}`` or ``{"type": "failed", "job_id", "error"}``.
An image the caller cannot read gives ``{"type": "error", "code": "image_not_found"}``; other
refusals give ``{"type": "error", "code", "detail"}`` and the socket stays open (several jobs
may be started on one socket).

The job runs on a worker that may live in another process or machine: its events come
through the platform's Broadcaster (Litestar channels; Redis pub/sub in production) on the
caller's try-on channel (``tryon:<user id>``), which the socket subscribes to before it says
``ready``, so no event of a job started on it can precede the subscription. Every event
names its job; a user's other try-ons (another socket, ``POST /tryon``) show there too.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from uuid import UUID

import msgspec
import structlog
from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.exceptions import WebSocketDisconnect

from application.jobs.policy import tryon_channel
from application.jobs.use_cases.submit_tryon import SubmitTryOnCommand
from domain.shared.access import Actor
from domain.shared.errors import DependencyUnavailable, DomainError, Unauthenticated
from entrypoints.bootstrap.container import module_container, published_port
from entrypoints.http.auth import MAX_TOKEN_CHARS
from entrypoints.http.state import CONTAINER_STATE_KEY

log = structlog.get_logger("atelier.http.jobs")

CLOSE_UNAUTHENTICATED = 4401
CLOSE_TRY_AGAIN = 1013
AUTH_TIMEOUT_SECONDS = 5.0
MAX_MESSAGE_CHARS = 16 * 1024


def _container(socket: WebSocket[Any, Any, Any]) -> Any:
    return getattr(socket.app.state, CONTAINER_STATE_KEY)


async def _authenticate(socket: WebSocket[Any, Any, Any]) -> Actor | None:
    """The caller of the first message, or None once the socket was closed."""
    try:
        raw = await asyncio.wait_for(socket.receive_text(), AUTH_TIMEOUT_SECONDS)
        message = msgspec.json.decode(raw) if len(raw) <= MAX_MESSAGE_CHARS else None
    except (TimeoutError, msgspec.DecodeError):
        message = None
    token = message.get("token") if isinstance(message, dict) else None
    if (
        not isinstance(message, dict)
        or message.get("type") != "auth"
        or not isinstance(token, str)
        or not token
        or len(token) > MAX_TOKEN_CHARS
    ):
        await socket.close(code=CLOSE_UNAUTHENTICATED, reason="authentication required")
        return None
    try:
        actor: Actor = await published_port(_container(socket), "identity.authenticate")()(token)
    except DependencyUnavailable:
        await socket.close(code=CLOSE_TRY_AGAIN, reason="try again later")
        return None
    except (Unauthenticated, DomainError):
        await socket.close(code=CLOSE_UNAUTHENTICATED, reason="invalid token")
        return None
    return actor


class _Session:
    def __init__(self, socket: WebSocket[Any, Any, Any], actor: Actor) -> None:
        self.socket, self.actor = socket, actor
        self.jobs = module_container(_container(socket), "jobs")
        self.plugin: ChannelsPlugin = socket.app.plugins.get(ChannelsPlugin)
        self.lock = asyncio.Lock()
        self.subscriber: Any = None
        self.follower: asyncio.Task[None] | None = None

    async def send(self, message: dict[str, Any]) -> None:
        async with self.lock:
            await self.socket.send_text(msgspec.json.encode(message).decode())

    async def error(self, code: str, detail: str, **extra: Any) -> None:
        await self.send({"type": "error", "code": code, "detail": detail, **extra})

    async def follow(self) -> None:
        """Subscribe to the caller's try-on channel (before any job is started here)."""
        self.subscriber = await self.plugin.subscribe([tryon_channel(self.actor.user_id)])
        self.follower = asyncio.create_task(self._forward(self.subscriber))

    async def _forward(self, subscriber: Any) -> None:
        async for raw in subscriber.iter_events():
            await self.send_raw(raw)

    async def send_raw(self, raw: bytes) -> None:
        async with self.lock:
            await self.socket.send_text(raw.decode() if isinstance(raw, bytes) else str(raw))

    async def start(self, message: dict[str, Any]) -> None:
        try:
            person = UUID(str(message.get("person_image_id")))
            garment = UUID(str(message.get("garment_image_id")))
        except ValueError:
            await self.error(
                "validation_failed", "person_image_id and garment_image_id must be image ids."
            )
            return
        try:
            command = SubmitTryOnCommand(
                actor=self.actor, person_image_id=person, garment_image_id=garment
            )
            job = await self.jobs.submit_tryon()(command)
        except DomainError as exc:
            extra = {"retry_after": exc.retry_after} if hasattr(exc, "retry_after") else {}
            await self.error(exc.code, exc.detail, **extra)
            return
        await self.send({"type": "accepted", "job_id": str(job.id)})

    async def close(self) -> None:
        if self.follower is not None:
            self.follower.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.follower
        if self.subscriber is not None:
            with contextlib.suppress(Exception):
                await self.plugin.unsubscribe(self.subscriber)


@websocket("/tryon/ws")
async def tryon_socket(socket: WebSocket[Any, Any, Any]) -> None:
    """Start try-ons and follow their progress (see the module's docstring for the protocol)."""
    await socket.accept()
    actor = await _authenticate(socket)
    if actor is None:
        return
    session = _Session(socket, actor)
    try:
        await session.follow()
        await session.send({"type": "ready", "user_id": str(actor.user_id)})
        while True:
            raw = await socket.receive_text()
            try:
                message = msgspec.json.decode(raw) if len(raw) <= MAX_MESSAGE_CHARS else None
            except msgspec.DecodeError:
                message = None
            if not isinstance(message, dict) or not isinstance(message.get("type"), str):
                await session.error("bad_message", "Send a JSON object with a type.")
            elif message["type"] == "start":
                await session.start(message)
            elif message["type"] == "ping":
                await session.send({"type": "pong"})
            else:
                await session.error("unknown_type", f"Unknown message type {message['type']!r}.")
    except WebSocketDisconnect:
        pass
    finally:
        await session.close()
