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
job's channel ``tryon:<id>``. After subscribing, the socket reads the job's stored state once,
so an outcome reached before the subscription is not missed; a final event is sent once.
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
from domain.jobs.status import JobStatus
from domain.jobs.tryon import TryOn
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
FINAL = ("completed", "failed")


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


def final_message(job: TryOn) -> dict[str, Any] | None:
    if job.status is JobStatus.COMPLETED:
        return {
            "type": "completed",
            "job_id": str(job.id),
            "result_image_id": str(job.result_image_id),
        }
    if job.status in (JobStatus.FAILED, JobStatus.CANCELLED):
        return {"type": "failed", "job_id": str(job.id), "error": job.error or "failed"}
    return None


class _Session:
    def __init__(self, socket: WebSocket[Any, Any, Any], actor: Actor) -> None:
        self.socket, self.actor = socket, actor
        self.jobs = module_container(_container(socket), "jobs")
        self.plugin: ChannelsPlugin = socket.app.plugins.get(ChannelsPlugin)
        self.lock = asyncio.Lock()
        self.finished: set[str] = set()
        self.followers: list[asyncio.Task[None]] = []

    async def send(self, message: dict[str, Any]) -> None:
        async with self.lock:
            await self.socket.send_text(msgspec.json.encode(message).decode())

    async def error(self, code: str, detail: str, **extra: Any) -> None:
        await self.send({"type": "error", "code": code, "detail": detail, **extra})

    async def deliver(self, message: dict[str, Any]) -> None:
        """Send a job event; a job's final event goes out once."""
        job_id = str(message.get("job_id"))
        if job_id in self.finished:
            return
        if message.get("type") in FINAL:
            self.finished.add(job_id)
        await self.send(message)

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
            job = await self.jobs.submit_tryon()(
                SubmitTryOnCommand(
                    actor=self.actor, person_image_id=person, garment_image_id=garment
                )
            )
        except DomainError as exc:
            extra = {"retry_after": exc.retry_after} if hasattr(exc, "retry_after") else {}
            await self.error(exc.code, exc.detail, **extra)
            return
        subscriber = await self.plugin.subscribe([tryon_channel(job.id)])
        self.followers.append(asyncio.create_task(self._follow(job.id, subscriber)))
        await self.send({"type": "accepted", "job_id": str(job.id)})
        current = await self.jobs.get_tryon()(self.actor, job.id)  # catch up once
        final = final_message(current)
        if final is not None:
            await self.deliver(final)

    async def _follow(self, job_id: UUID, subscriber: Any) -> None:
        try:
            async for raw in subscriber.iter_events():
                with contextlib.suppress(msgspec.DecodeError):
                    event = msgspec.json.decode(raw)
                    if isinstance(event, dict):
                        await self.deliver(event)
                if str(job_id) in self.finished:
                    break
        finally:
            with contextlib.suppress(Exception):
                await self.plugin.unsubscribe(subscriber)

    async def close(self) -> None:
        for task in self.followers:
            task.cancel()
        for task in self.followers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


@websocket("/tryon/ws")
async def tryon_socket(socket: WebSocket[Any, Any, Any]) -> None:
    """Start try-ons and follow their progress (see the module's docstring for the protocol)."""
    await socket.accept()
    actor = await _authenticate(socket)
    if actor is None:
        return
    session = _Session(socket, actor)
    await session.send({"type": "ready", "user_id": str(actor.user_id)})
    try:
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
