"""Real-time WebSockets of the HTTP platform: authenticated, bounded, fanned out on channels.

Any module serves a socket with :func:`serve_realtime` from a Litestar ``@websocket`` handler::

    @websocket("/things/ws")
    async def things_socket(socket: WebSocket) -> None:
        await serve_realtime(socket, channels=lambda actor: [user_channel(actor.user_id)])

The protocol, the same for every socket of the API:

1. The client opens the socket and sends ``{"type": "auth", "token": "<access token>"}`` as
   its first message (never a token in the URL). The token goes through the identity
   module's published ``identity.authenticate`` port, like a bearer header. A first message
   that is missing (not sent within ``ATELIER_WS_AUTH_TIMEOUT_SECONDS``), not that shape, or
   carries a token that is invalid, expired or revoked closes the socket with **4401**.
2. The server subscribes the socket to its channels (Litestar channels: Redis pub/sub in
   production, so a message published by any process reaches sockets on every instance;
   memory embedded) and answers ``{"type": "ready", "user_id": ...}``. Messages published on
   those channels are then sent as they are (JSON text frames).
3. Heartbeats: the server sends ``{"type": "ping"}`` every ``ATELIER_WS_HEARTBEAT_SECONDS``;
   a client may send ``{"type": "ping"}`` at any time and gets ``{"type": "pong"}``.
4. The token is checked again every ``ATELIER_WS_AUTH_RECHECK_SECONDS`` and when it expires:
   a revoked (logout, password change, deactivation) or expired token closes the socket with
   **4401** (the client logs in or refreshes and opens a new one).
5. Each socket has a bounded queue (``ATELIER_WS_QUEUE_SIZE`` messages). A client that does
   not read fast enough fills only its own queue; when it overflows the socket is closed with
   **4408** ("catch up with after="): nothing was lost on the server, the client reopens the
   socket and reads what it missed from the durable record (``GET /notifications?after=<last
   id>``, a job's state). Other sockets are never slowed down: the fan-out only ever puts
   into queues, never waits on a socket.
6. Other client messages go to the caller's ``on_message`` handler (e.g. ``{"type":
   "start", ...}`` on the try-on socket); without one, or for a message that is not a JSON
   object with a string ``type``, the client gets ``{"type": "error", "code": ...}`` and the
   socket stays open. A handler may reply through :meth:`RealtimeSession.send` and subscribe
   the socket to more channels with :meth:`RealtimeSession.subscribe`.

Other close codes: 1000 when the client closes, 1011 on an unexpected server error, 1013
("try again later") when authentication could not be decided because a dependency is down,
1001 when the server shuts down.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
import structlog
from litestar import WebSocket
from litestar.channels import ChannelsPlugin
from litestar.channels.subscriber import Subscriber
from litestar.exceptions import WebSocketDisconnect

from domain.shared.access import Actor
from domain.shared.errors import DependencyUnavailable, DomainError, Unauthenticated
from entrypoints.http.auth import MAX_TOKEN_CHARS, authenticator
from entrypoints.http.state import CONTAINER_STATE_KEY

log = structlog.get_logger("atelier.http.realtime")

#: Close codes (RFC 6455 leaves 4000-4999 to applications).
CLOSE_UNAUTHENTICATED = 4401
"""No valid ``auth`` first message in time, or the token expired or was revoked."""
CLOSE_OVERFLOW = 4408
"""The socket's queue overflowed: reconnect and catch up (e.g. ``GET /notifications?after=``)."""
CLOSE_TRY_AGAIN = 1013
"""Authentication could not be decided (a dependency is down)."""
CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_SERVER_ERROR = 1011

MAX_CLIENT_MESSAGE_CHARS = 64 * 1024
CLOSE_TIMEOUT_SECONDS = 1.0
#: Re-check a token this long after its ``exp`` (the authenticator's leeway decides).
EXPIRY_MARGIN_SECONDS = 1.0


class BoundedSubscriber(Subscriber):
    """A channels subscriber whose queue never grows past its bound and never drops
    silently: when a message does not fit, the subscriber is marked overflowed (its socket
    is then closed with 4408). Installed as the app's ``ChannelsPlugin`` subscriber class
    (strategy ``backoff``: a bounded FIFO queue)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.overflowed = asyncio.Event()

    async def put(self, item: bytes | None) -> None:
        """``None`` (the plugin's end-of-stream mark on unsubscribe) never waits: a full
        queue is emptied first, its messages being undeliverable anyway."""
        if item is None:
            while self.qsize:
                self._queue.get_nowait()
                self._queue.task_done()
            self._queue.put_nowait(None)
            return
        await super().put(item)

    def put_nowait(self, item: bytes | None) -> bool:
        accepted = super().put_nowait(item)
        if not accepted and item is not None:
            self.overflowed.set()
        return accepted


@dataclass(frozen=True, slots=True)
class RealtimeConfig:
    """The platform settings of sockets (``ATELIER_WS_*``)."""

    auth_timeout_seconds: float = 5.0
    heartbeat_seconds: float = 25.0
    auth_recheck_seconds: float = 60.0
    queue_size: int = 256


def realtime_config(socket: WebSocket[Any, Any, Any]) -> RealtimeConfig:
    settings = getattr(socket.app.state, CONTAINER_STATE_KEY).settings()
    return RealtimeConfig(
        auth_timeout_seconds=settings.ws_auth_timeout_seconds,
        heartbeat_seconds=settings.ws_heartbeat_seconds,
        auth_recheck_seconds=settings.ws_auth_recheck_seconds,
        queue_size=settings.ws_queue_size,
    )


class _Closed(Exception):
    """Ends a session with a close code and reason."""

    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass(eq=False)
class RealtimeSession:
    """One authenticated socket, as handlers see it."""

    socket: WebSocket[Any, Any, Any]
    actor: Actor
    token: str
    plugin: ChannelsPlugin
    _send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _subscribers: list[tuple[BoundedSubscriber, list[str]]] = field(default_factory=list)
    _forwarders: list[asyncio.Task[None]] = field(default_factory=list)
    _overflow: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, message: Mapping[str, Any]) -> None:
        """Send one JSON message to this client (serialised with the forwarded ones)."""
        await self.send_text(msgspec.json.encode(message).decode())

    async def send_text(self, text: str) -> None:
        async with self._send_lock:
            await self.socket.send_text(text)

    async def subscribe(self, channels: Iterable[str]) -> None:
        """Forward what is published on ``channels`` to this socket from now on."""
        names = list(channels)
        if not names:
            return
        subscriber = await self.plugin.subscribe(names)
        if not isinstance(subscriber, BoundedSubscriber):  # pragma: no cover - app wiring
            await self.plugin.unsubscribe(subscriber, names)
            raise RuntimeError("the app's ChannelsPlugin must use BoundedSubscriber")
        # one overflow flag per socket, whichever of its subscriptions overflows
        if subscriber.overflowed.is_set():
            self._overflow.set()
        subscriber.overflowed = self._overflow
        self._subscribers.append((subscriber, names))
        self._forwarders.append(asyncio.create_task(self._forward(subscriber)))

    async def _forward(self, subscriber: BoundedSubscriber) -> None:
        async for data in subscriber.iter_events():
            if self._overflow.is_set():
                return
            await self.send_text(data.decode())

    async def _watch_overflow(self) -> None:
        """Ends when any of the socket's queues overflowed (without waiting for the
        forwarders, which may be blocked on a slow client)."""
        await self._overflow.wait()
        raise _Closed(CLOSE_OVERFLOW, "queue overflow: catch up with after=")

    async def _close_subscriptions(self) -> None:
        for task in self._forwarders:
            task.cancel()
        for task in self._forwarders:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for subscriber, names in self._subscribers:
            with contextlib.suppress(Exception):
                await self.plugin.unsubscribe(subscriber, names)
        self._forwarders.clear()
        self._subscribers.clear()


ClientMessageHandler = Callable[[RealtimeSession, dict[str, Any]], Awaitable[None]]
ChannelsOf = Callable[[Actor], Iterable[str]]


def token_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT (epoch seconds), read without verification: only used to
    schedule the next check, which the authenticator decides."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        exp = claims.get("exp")
    except (IndexError, ValueError, AttributeError):
        return None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


async def _first_message(
    socket: WebSocket[Any, Any, Any], config: RealtimeConfig
) -> tuple[Actor, str]:
    try:
        raw = await asyncio.wait_for(socket.receive_text(), config.auth_timeout_seconds)
    except TimeoutError:
        raise _Closed(CLOSE_UNAUTHENTICATED, "authentication timed out") from None
    if len(raw) > MAX_TOKEN_CHARS + 200:
        raise _Closed(CLOSE_UNAUTHENTICATED, "authentication required")
    try:
        message = json.loads(raw)
    except ValueError:
        raise _Closed(CLOSE_UNAUTHENTICATED, "authentication required") from None
    if not isinstance(message, dict) or message.get("type") != "auth":
        raise _Closed(CLOSE_UNAUTHENTICATED, "authentication required")
    token = message.get("token")
    if not isinstance(token, str) or not token:
        raise _Closed(CLOSE_UNAUTHENTICATED, "authentication required")
    return await _authenticate(socket, token), token


async def _authenticate(socket: WebSocket[Any, Any, Any], token: str) -> Actor:
    if len(token) > MAX_TOKEN_CHARS:
        raise _Closed(CLOSE_UNAUTHENTICATED, "invalid_token")
    try:
        actor: Actor = await authenticator(socket.scope)(token)
    except Unauthenticated as exc:
        raise _Closed(CLOSE_UNAUTHENTICATED, exc.code or "invalid_token") from None
    except DependencyUnavailable:
        raise _Closed(CLOSE_TRY_AGAIN, "authentication unavailable") from None
    return actor


async def _heartbeat(session: RealtimeSession, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        await session.send({"type": "ping"})


async def _recheck(session: RealtimeSession, config: RealtimeConfig) -> None:
    """Close the socket when its token expires or is revoked."""
    expires = token_expiry(session.token)
    while True:
        wait = config.auth_recheck_seconds
        if expires is not None:
            wait = min(wait, max(expires + EXPIRY_MARGIN_SECONDS - time.time(), 0.05))
        await asyncio.sleep(wait)
        try:
            await authenticator(session.socket.scope)(session.token)
        except Unauthenticated as exc:
            raise _Closed(CLOSE_UNAUTHENTICATED, exc.code or "session ended") from None
        except DomainError:  # a dependency is down: keep the socket, try again later
            log.warning("ws_recheck_unavailable", user_id=str(session.actor.user_id))
        if expires is not None and time.time() > expires + EXPIRY_MARGIN_SECONDS:
            raise _Closed(CLOSE_UNAUTHENTICATED, "token_expired")


async def _receive(session: RealtimeSession, on_message: ClientMessageHandler | None) -> None:
    while True:
        try:
            raw = await session.socket.receive_text()
        except WebSocketDisconnect:
            raise _Closed(CLOSE_NORMAL, "") from None
        if len(raw) > MAX_CLIENT_MESSAGE_CHARS:
            await session.send({"type": "error", "code": "message_too_large"})
            continue
        try:
            message = json.loads(raw)
        except ValueError:
            message = None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await session.send({"type": "error", "code": "invalid_message"})
            continue
        kind = message["type"]
        if kind == "ping":
            await session.send({"type": "pong"})
        elif kind == "pong":
            continue
        elif on_message is None or kind == "auth":
            await session.send({"type": "error", "code": "unknown_message_type"})
        else:
            await on_message(session, message)


async def _close(socket: WebSocket[Any, Any, Any], code: int, reason: str) -> None:
    if socket.connection_state == "disconnect":
        return
    with contextlib.suppress(Exception):
        await asyncio.wait_for(socket.close(code=code, reason=reason), CLOSE_TIMEOUT_SECONDS)


def _plugin(socket: WebSocket[Any, Any, Any]) -> ChannelsPlugin:
    return socket.app.plugins.get(ChannelsPlugin)


async def serve_realtime(
    socket: WebSocket[Any, Any, Any],
    *,
    channels: ChannelsOf,
    on_message: ClientMessageHandler | None = None,
    on_ready: Callable[[RealtimeSession], Awaitable[None]] | None = None,
    config: RealtimeConfig | None = None,
) -> None:
    """Run one socket per the protocol above until it closes. ``channels(actor)`` names the
    channels the authenticated caller's socket listens to; ``on_message`` handles the
    client's other messages; ``on_ready`` runs once subscribed, before ``ready`` is sent."""
    config = config or realtime_config(socket)
    await socket.accept()
    session: RealtimeSession | None = None
    code, reason = CLOSE_NORMAL, ""
    tasks: list[asyncio.Task[None]] = []
    try:
        actor, token = await _first_message(socket, config)
        session = RealtimeSession(socket=socket, actor=actor, token=token, plugin=_plugin(socket))
        await session.subscribe(channels(actor))
        if on_ready is not None:
            await on_ready(session)
        await session.send({"type": "ready", "user_id": str(actor.user_id)})
        tasks = [
            asyncio.create_task(_receive(session, on_message)),
            asyncio.create_task(_heartbeat(session, config.heartbeat_seconds)),
            asyncio.create_task(_recheck(session, config)),
            asyncio.create_task(session._watch_overflow()),
        ]
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        error = next(iter(done)).exception()
        if error is not None:
            raise error
    except _Closed as closed:
        code, reason = closed.code, closed.reason
    except (WebSocketDisconnect, OSError):  # the client went away (uvicorn: ClientDisconnected)
        code = CLOSE_NORMAL
    except asyncio.CancelledError:
        code, reason = CLOSE_GOING_AWAY, "server shutting down"
        raise
    except Exception:
        log.exception("ws_failed")
        code, reason = CLOSE_SERVER_ERROR, "server error"
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        if session is not None:
            await session._close_subscriptions()
        log.debug("ws_closed", code=code, reason=reason)
        await _close(socket, code, reason)
