"""The per-worker limit of requests in progress (``EdgeMiddleware``): beyond it a request
waits for a place a bounded time, then gets a fast 503 ``overloaded`` with ``Retry-After``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from entrypoints.http.metrics import Metrics
from entrypoints.http.middleware import EdgeMiddleware, InFlightLimit


async def test_places_are_handed_over_in_arrival_order() -> None:
    limit = InFlightLimit(1, wait_seconds=1.0)
    assert await limit.enter()
    order: list[int] = []

    async def wait_then_leave(n: int) -> None:
        assert await limit.enter()
        order.append(n)
        limit.leave()

    waiting = [asyncio.create_task(wait_then_leave(n)) for n in range(3)]
    await asyncio.sleep(0.01)
    assert order == []  # the place is still held
    limit.leave()
    await asyncio.gather(*waiting)
    assert order == [0, 1, 2]
    assert limit.in_flight == 0


async def test_a_wait_is_bounded() -> None:
    limit = InFlightLimit(1, wait_seconds=0.05)
    assert await limit.enter()
    began = asyncio.get_running_loop().time()
    assert not await limit.enter()
    assert asyncio.get_running_loop().time() - began < 0.5
    limit.leave()
    assert limit.in_flight == 0
    assert await limit.enter()  # the timed-out waiter took nothing


async def test_no_limit_admits_everything() -> None:
    limit = InFlightLimit(0, wait_seconds=0)
    assert all([await limit.enter() for _ in range(1000)])


async def _slow_app(scope: Any, receive: Any, send: Any) -> None:
    await asyncio.sleep(0.2)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok", "more_body": False})


async def _call(app: Any, path: str) -> tuple[int, dict[bytes, bytes], bytes]:
    scope = {"type": "http", "method": "GET", "path": path, "headers": [], "state": {}}
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], dict(sent[0]["headers"]), sent[1]["body"]


async def test_beyond_the_limit_a_request_gets_a_fast_503_and_health_is_never_limited() -> None:
    app = EdgeMiddleware(_slow_app, Metrics(), max_in_flight=2, in_flight_wait_seconds=0.05)
    began = asyncio.get_running_loop().time()
    answers = await asyncio.gather(
        *(_call(app, "/api/v1/things") for _ in range(5)), _call(app, "/health/live")
    )
    statuses = sorted(status for status, _, _ in answers[:5])
    assert statuses == [200, 200, 503, 503, 503]
    assert answers[5][0] == 200  # /health/* bypasses the limit
    refused = next(a for a in answers if a[0] == 503)
    assert refused[1][b"retry-after"] == b"1"
    assert refused[1][b"content-type"].startswith(b"application/problem+json")
    assert b"x-request-id" in refused[1]
    problem = json.loads(refused[2])
    assert problem["code"] == "overloaded"
    assert problem["status"] == 503
    assert asyncio.get_running_loop().time() - began < 1.0
    assert app.limit.in_flight == 0
