"""Operations endpoints at the root: liveness, readiness and metrics."""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from litestar import MediaType, Request, Response, get

from entrypoints.bootstrap.container import health_checks
from entrypoints.http.dependencies import container_of
from entrypoints.http.errors import (
    DEPENDENCY_RETRY_AFTER_SECONDS,
    problem_response,
    problem_responses,
)
from entrypoints.http.metrics import CONTENT_TYPE, Metrics

PING_TIMEOUT_SECONDS = 1.5
"""Each check's bound; the whole answer comes within it (plus the answer's own few ms), so
``/health/ready`` answers within 2 s whatever a dependency does."""

log = structlog.get_logger("atelier.http.health")

# The pings still running, by adapter: a probe never starts a second ping of an adapter whose
# previous one has not returned (a frozen dependency would otherwise pile them up).
_IN_FLIGHT: dict[int, asyncio.Task[None]] = {}


def _ping_task(adapter: Any) -> asyncio.Task[None]:
    task = _IN_FLIGHT.get(id(adapter))
    if task is None or task.done():
        task = asyncio.ensure_future(adapter.ping())
        _IN_FLIGHT[id(adapter)] = task
        task.add_done_callback(_forget)
    return task


def _forget(task: asyncio.Task[None]) -> None:
    for key, running in list(_IN_FLIGHT.items()):
        if running is task:
            del _IN_FLIGHT[key]
    if not task.cancelled():
        task.exception()  # retrieved: an abandoned ping's failure is not "never retrieved"


async def check_all(adapters: dict[str, Any], within_seconds: float) -> dict[str, str]:
    """Ping every adapter at once; ``"ok"`` or ``"down: <reason>"`` each, within ``within_seconds``.

    The pings run as tasks that are waited for, never cancelled and awaited: cancelling a
    driver call can itself block (psycopg waits for the server to acknowledge a
    cancellation), which is how a 2 s ``wait_for`` took 9.9 s with PostgreSQL frozen. A
    ping still running at the deadline is reported as a timeout and left to finish alone.
    """
    tasks = {name: _ping_task(adapter) for name, adapter in adapters.items()}
    await asyncio.wait(set(tasks.values()), timeout=within_seconds)
    checks: dict[str, str] = {}
    for name, task in tasks.items():
        if not task.done():
            checks[name] = "down: Timeout"
        elif task.cancelled():
            checks[name] = "down: Cancelled"
        elif (error := task.exception()) is not None:
            checks[name] = f"down: {type(error).__name__}"
        else:
            checks[name] = "ok"
        if checks[name] != "ok":
            log.warning("readiness_check_failed", check=name, error=checks[name][6:])
    return checks


@get("/health/live", tags=["operations"], sync_to_thread=False, summary="Liveness")
def live() -> dict[str, str]:
    """200 while the process runs."""
    return {"status": "ok"}


@get(
    "/health/ready",
    tags=["operations"],
    summary="Readiness",
    responses=problem_responses(503),
)
async def ready(request: Request[Any, Any, Any]) -> Response[Any]:
    """200 when the database, cache and storage answer; 503 problem naming what is down."""
    try:
        adapters = health_checks(container_of(request))
    except Exception as exc:  # noqa: BLE001 - an adapter that cannot even be built is down
        log.warning("readiness_setup_failed", error=type(exc).__name__)
        return _unavailable(request, {"configuration": f"down: {type(exc).__name__}"})
    checks = await check_all(adapters, PING_TIMEOUT_SECONDS)
    if all(state == "ok" for state in checks.values()):
        return Response({"status": "ok", "checks": checks})
    return _unavailable(request, checks)


def _unavailable(request: Request[Any, Any, Any], checks: dict[str, str]) -> Response[Any]:
    down = sorted(name for name, state in checks.items() if state != "ok")
    return problem_response(
        request,
        status=503,
        code="dependency_unavailable",
        title="Service unavailable",
        detail=f"Not ready: {', '.join(down)} unavailable.",
        headers={"Retry-After": str(DEPENDENCY_RETRY_AFTER_SECONDS)},
        extra={"checks": checks},
    )


@get("/metrics", tags=["operations"], media_type=MediaType.TEXT, summary="Prometheus metrics")
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Prometheus text format: HTTP counts and latencies by route template, domain gauges."""
    registry: Metrics = request.app.state.metrics
    return Response(await registry.render(), media_type=CONTENT_TYPE)


OPERATION_HANDLERS = [live, ready, metrics]
