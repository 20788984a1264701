"""The platform's real-time sockets (entrypoints/http/realtime.py) over a real server: the
auth first message (4401 otherwise), fan-out from the Broadcaster, heartbeats, client
messages, revocation, and a slow client closed with 4408 while a fast one gets everything."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from dependency_injector import providers
from litestar import WebSocket, websocket
from websockets.exceptions import ConnectionClosed

from adapters.clock import FixedClock
from application.shared.realtime import user_channel
from domain.shared.access import Role
from entrypoints.bootstrap.container import Container, start
from entrypoints.http.app import create_app
from entrypoints.http.realtime import (
    CLOSE_OVERFLOW,
    CLOSE_UNAUTHENTICATED,
    RealtimeSession,
    serve_realtime,
    token_expiry,
)
from tests.e2e.conftest import make_container
from tests.e2e.identity.support import Api, Session
from tests.support.live_server import live_server


async def _echo(session: RealtimeSession, message: dict[str, Any]) -> None:
    await session.send({"type": "echo", "message": message})


@websocket("/probe/ws")
async def probe_socket(socket: WebSocket[Any, Any, Any]) -> None:
    await serve_realtime(
        socket, channels=lambda actor: [user_channel(actor.user_id)], on_message=_echo
    )


class Live:
    clock: FixedClock

    def __init__(self, base: str, container: Container) -> None:
        self.base, self.container = base, container
        self.api = Api(httpx.AsyncClient(base_url=f"http://{base}"), container)

    def connect(self, **options: Any) -> Any:
        return websockets.connect(f"ws://{self.base}/probe/ws", **options)

    async def open(self, session: Session, **options: Any) -> Any:
        socket = await self.connect(**options)
        await socket.send(json.dumps({"type": "auth", "token": session.access}))
        ready = json.loads(await asyncio.wait_for(socket.recv(), 5))
        assert ready == {"type": "ready", "user_id": session.user_id}
        return socket

    async def publish(self, session: Session, message: dict[str, Any]) -> None:
        await self.container.broadcaster().publish(user_channel(session.user_id), message)


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    container = make_container(
        tmp_path,
        bcrypt_rounds=4,
        ws_auth_timeout_seconds=0.5,
        ws_heartbeat_seconds=0.3,
        ws_auth_recheck_seconds=0.2,
        ws_queue_size=4,
    )
    clock = FixedClock(datetime.now(UTC))
    container.clock.override(providers.Object(clock))
    await start(container)
    async with live_server(create_app(container, extra_route_handlers=[probe_socket])) as base:
        live = Live(base, container)
        live.clock = clock
        yield live


async def _close_code(socket: Any, seconds: float = 5) -> int | None:
    async def drain() -> None:
        async with asyncio.timeout(seconds):
            while True:
                await socket.recv()

    with pytest.raises(ConnectionClosed):
        await drain()
    code: int | None = socket.close_code
    return code


async def test_silent_client_is_closed_with_4401(live: Live) -> None:
    async with live.connect() as socket:
        assert await _close_code(socket) == CLOSE_UNAUTHENTICATED


@pytest.mark.parametrize(
    "first",
    [
        "not json",
        json.dumps(["auth"]),
        json.dumps({"type": "hello", "token": "x"}),
        json.dumps({"type": "auth"}),
        json.dumps({"type": "auth", "token": 42}),
        json.dumps({"type": "auth", "token": "a.b.c"}),
        json.dumps({"type": "auth", "token": "x" * 10_000}),
    ],
)
async def test_wrong_first_message_is_closed_with_4401(live: Live, first: str) -> None:
    async with live.connect() as socket:
        await socket.send(first)
        assert await _close_code(socket) == CLOSE_UNAUTHENTICATED


async def test_published_messages_ping_pong_and_client_messages(live: Live) -> None:
    user = await live.api.session(Role.TECHNICIAN)
    other = await live.api.session(Role.TECHNICIAN)
    socket = await live.open(user)
    await live.publish(other, {"type": "notification", "for": "other"})
    await live.publish(user, {"type": "notification", "for": "user"})
    seen = [json.loads(await asyncio.wait_for(socket.recv(), 5)) for _ in range(1)]
    assert seen == [{"type": "notification", "for": "user"}]
    await socket.send(json.dumps({"type": "ping"}))
    await socket.send(json.dumps({"type": "start", "x": 1}))
    await socket.send("[1, 2]")
    answers: list[Any] = []
    async with asyncio.timeout(5):
        while len(answers) < 3:
            message = json.loads(await socket.recv())
            if message != {"type": "ping"}:  # heartbeats may come in between
                answers.append(message)
    assert answers == [
        {"type": "pong"},
        {"type": "echo", "message": {"type": "start", "x": 1}},
        {"type": "error", "code": "invalid_message"},
    ]
    await socket.close()


async def test_heartbeats(live: Live) -> None:
    user = await live.api.session(Role.CLIENT)
    socket = await live.open(user)
    assert json.loads(await asyncio.wait_for(socket.recv(), 5)) == {"type": "ping"}
    await socket.close()


async def test_revoked_token_closes_the_socket(live: Live) -> None:
    user = await live.api.session(Role.CLIENT)
    socket = await live.open(user)
    response = await live.api.client.post("/api/v1/auth/logout", headers=user.headers)
    assert response.status_code == 204
    assert await _close_code(socket) == CLOSE_UNAUTHENTICATED


async def test_expired_token_closes_the_socket(live: Live) -> None:
    user = await live.api.session(Role.CLIENT)
    socket = await live.open(user)
    live.clock.advance(hours=1)  # past the access token's life, as the server judges it
    assert await _close_code(socket) == CLOSE_UNAUTHENTICATED


async def test_slow_client_is_closed_with_4408_and_never_delays_a_fast_one(live: Live) -> None:
    user = await live.api.session(Role.CLIENT)
    # the slow client never reads: its TCP buffers fill, then its queue (4 messages)
    slow = await live.open(user, max_size=None)
    slow.transport.pause_reading()
    fast = await live.open(user, max_size=None)
    payload = os.urandom(50_000).hex()  # incompressible (permessage-deflate)
    received = 0
    async with asyncio.timeout(30):
        for number in range(300):
            await live.publish(user, {"type": "bulk", "n": number, "payload": payload})
            while True:  # the fast client reads each message as it comes
                message = json.loads(await fast.recv())
                if message.get("type") == "bulk":
                    assert message["n"] == number
                    received += 1
                    break
    assert received == 300
    slow.transport.resume_reading()
    assert await _close_code(slow, 30) == CLOSE_OVERFLOW
    await fast.close()


def test_token_expiry_reads_the_exp_claim() -> None:
    import base64

    body = base64.urlsafe_b64encode(json.dumps({"exp": 1234}).encode()).decode().rstrip("=")
    assert token_expiry(f"h.{body}.s") == 1234.0
    assert token_expiry("garbage") is None
    assert token_expiry("h.!!!.s") is None
