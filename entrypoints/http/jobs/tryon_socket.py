"""``WS /tryon/ws``: start a try-on and follow it on one socket.

The socket is served by the platform's :func:`serve_realtime` (``entrypoints/http/realtime.py``):
the first message is ``{"type": "auth", "token"}`` (4401 when it is missing, late, malformed
or the token is not valid; 1013 when authentication could not be decided), heartbeats,
token re-checks and a bounded queue per socket. This module adds the try-on messages:
``{"type": "start", "person_image_id", "garment_image_id"}`` answers ``{"type": "accepted",
"job_id"}``, then ``{"type": "progress", "job_id", "progress", "stage"}`` events and finally
``{"type": "completed", "job_id", "result_image_id"}`` or ``{"type": "failed", "job_id",
"error"}``. An image the caller cannot read gives ``{"type": "error", "code":
"image_not_found"}``; other refusals give ``{"type": "error", "code", "detail"}`` and the
socket stays open (several jobs may be started on one socket).

The job runs on a worker that may live in another process or machine: its events come
through the platform's Broadcaster (Litestar channels; Redis pub/sub in production) on the
caller's try-on channel (``tryon:<user id>``), which the socket subscribes to before it says
``ready``, so no event of a job started on it can precede the subscription. Every event
names its job; a user's other try-ons (another socket, ``POST /tryon``) show there too.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import WebSocket, websocket

from application.jobs.policy import tryon_channel
from application.jobs.use_cases.submit_tryon import SubmitTryOnCommand
from domain.shared.access import Actor
from domain.shared.errors import DomainError, RateLimited
from entrypoints.bootstrap.container import module_container
from entrypoints.http.realtime import RealtimeSession, serve_realtime
from entrypoints.http.state import CONTAINER_STATE_KEY


def _channels(actor: Actor) -> list[str]:
    return [tryon_channel(actor.user_id)]


async def _start(session: RealtimeSession, message: dict[str, Any]) -> None:
    try:
        person = UUID(str(message.get("person_image_id")))
        garment = UUID(str(message.get("garment_image_id")))
    except ValueError:
        await session.send(
            {
                "type": "error",
                "code": "validation_failed",
                "detail": "person_image_id and garment_image_id must be image ids.",
            }
        )
        return
    container = getattr(session.socket.app.state, CONTAINER_STATE_KEY)
    jobs = module_container(container, "jobs")
    command = SubmitTryOnCommand(
        actor=session.actor, person_image_id=person, garment_image_id=garment
    )
    try:
        job = await jobs.submit_tryon()(command)
    except DomainError as exc:
        error: dict[str, Any] = {"type": "error", "code": exc.code, "detail": exc.detail}
        if isinstance(exc, RateLimited):
            error["retry_after"] = exc.retry_after
        await session.send(error)
        return
    await session.send({"type": "accepted", "job_id": str(job.id)})


async def _on_message(session: RealtimeSession, message: dict[str, Any]) -> None:
    if message["type"] == "start":
        await _start(session, message)
    else:
        await session.send({"type": "error", "code": "unknown_message_type"})


@websocket("/tryon/ws")
async def tryon_socket(socket: WebSocket[Any, Any, Any]) -> None:
    """Start try-ons and follow their progress (see the module's docstring for the protocol)."""
    await serve_realtime(socket, channels=_channels, on_message=_on_message)
