"""Operations endpoints at the root: liveness, readiness and metrics."""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from litestar import MediaType, Request, Response, get

from entrypoints.bootstrap.container import health_checks
from entrypoints.http.dependencies import container_of
from entrypoints.http.errors import DEPENDENCY_RETRY_AFTER_SECONDS, problem_response
from entrypoints.http.metrics import CONTENT_TYPE, Metrics

PING_TIMEOUT_SECONDS = 2.0

log = structlog.get_logger("atelier.http.health")


async def _ping(name: str, adapter: Any) -> tuple[str, str]:
    try:
        await asyncio.wait_for(adapter.ping(), PING_TIMEOUT_SECONDS)
    except TimeoutError:
        log.warning("readiness_check_failed", check=name, error="Timeout")
        return name, "down: Timeout"
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; only its class name is reported
        log.warning("readiness_check_failed", check=name, error=type(exc).__name__)
        return name, f"down: {type(exc).__name__}"
    return name, "ok"


@get("/health/live", tags=["operations"], sync_to_thread=False, summary="Liveness")
def live() -> dict[str, str]:
    """200 while the process runs."""
    return {"status": "ok"}


@get("/health/ready", tags=["operations"], summary="Readiness")
async def ready(request: Request[Any, Any, Any]) -> Response[Any]:
    """200 when the database, cache and storage answer; 503 problem naming what is down."""
    try:
        adapters = health_checks(container_of(request))
    except Exception as exc:  # noqa: BLE001 - an adapter that cannot even be built is down
        log.warning("readiness_setup_failed", error=type(exc).__name__)
        return _unavailable(request, {"configuration": f"down: {type(exc).__name__}"})
    results = await asyncio.gather(*(_ping(name, a) for name, a in adapters.items()))
    checks = dict(results)
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
