"""``create_app(container)``: the Litestar application of Atelier.

Layout: the API under ``/api/v1`` (routers listed in ``routes.API_ROUTERS``), the operations
endpoints (``/health/*``, ``/metrics``) and the docs (``/schema*``, ``/static``) at the root.
The container lives in ``app.state.container``; shutting the app down closes its pools.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from functools import partial
from typing import Any

import structlog
from litestar import Litestar, Router
from litestar.channels import ChannelsPlugin
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.routes import HTTPRoute, WebSocketRoute

from entrypoints.bootstrap.container import (
    Container,
    installed_specs,
    module_container,
    shutdown,
    start,
)
from entrypoints.http import openapi_truth, routes
from entrypoints.http.dependencies import CONTAINER_STATE_KEY
from entrypoints.http.docs import openapi_config, static_router
from entrypoints.http.errors import exception_handlers
from entrypoints.http.logging import configure_logging
from entrypoints.http.metrics import PLATFORM_GAUGES, Metrics
from entrypoints.http.middleware import EdgeMiddleware
from entrypoints.http.operations import OPERATION_HANDLERS
from entrypoints.http.realtime import BoundedSubscriber
from entrypoints.worker.runtime import Background

log = structlog.get_logger("atelier.http.app")

CORS_ALLOW_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "Idempotency-Key",
    "X-Request-ID",
]
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Location",
    "Retry-After",
    "X-Request-ID",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
]


def _cors(origins: Sequence[str]) -> CORSConfig | None:
    if not origins:
        return None
    return CORSConfig(
        allow_origins=list(origins),
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=CORS_ALLOW_HEADERS,
        expose_headers=CORS_EXPOSE_HEADERS,
        allow_credentials=False,
        max_age=600,
    )


async def _start_modules(container: Container) -> None:
    """Each installed module's ``startup`` hook (after the pools are open)."""
    for spec in installed_specs(container):
        if spec.startup is not None:
            try:
                await spec.startup(module_container(container, spec.name))
            except Exception:  # a warm-up must never stop the app from serving
                log.exception("module_startup_failed", module=spec.name)


async def _close(container: Container) -> None:
    try:
        await shutdown(container)
    except Exception:  # shutting down must not hide the reason the app stops
        log.exception("shutdown_failed")


GC_GEN0_THRESHOLD = 10_000


def tune_gc_for_serving() -> None:
    """For a server process, once started: the objects alive now (modules, the app, the
    container: ~200k) are frozen out of the cyclic collector, and young collections run
    less often. Without it every full collection rescans them all, which costs a third of
    the CPU of a small request. Only garbage in reference cycles waits for the collector;
    the rest is freed by reference counting as always."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, gen1, gen2)


def _options_answer_every_method(app: Litestar) -> None:
    """Litestar's automatic ``OPTIONS`` handler reads ``Allow`` from the route that created it,
    which for a path whose methods are spread over several handlers (``GET`` and ``PATCH`` of
    ``/things/{id}``) is an earlier, partial route: point each at its final route."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            closure = getattr(handler.fn, "__closure__", None) or ()
            if handler.handler_name != "options_handler":
                continue
            for cell in closure:
                if isinstance(cell.cell_contents, HTTPRoute):
                    cell.cell_contents = route


def _resolve_dependencies_in_turn(app: Litestar) -> None:
    """Litestar resolves the dependencies of one level of a handler's dependency graph
    concurrently, in an anyio task group per request (``KwargsModel.resolve_dependencies``),
    as soon as a level holds two: ``actor`` and ``use_case`` do on nearly every route. Ours
    are synchronous or a dictionary lookup, so the task group only costs: about a tenth of
    an authenticated one-row read's CPU. Each level is split into levels of one, in the same
    order (a dependency still comes after those it needs), which Litestar resolves in turn."""
    models: list[Any] = []
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            models.extend(model for _, model in route.route_handler_map.values())
        elif isinstance(route, WebSocketRoute) and route.handler_parameter_model is not None:
            models.append(route.handler_parameter_model)
    for model in models:
        model.dependency_batches = [{d} for batch in model.dependency_batches for d in batch]


def create_app(
    container: Container,
    *,
    extra_route_handlers: Sequence[Any] = (),
    serving: bool = False,
    background: bool | None = None,
) -> Litestar:
    """The app for ``container``; ``extra_route_handlers`` are mounted at the root as given
    (tests use them for probe routes such as ``POST /api/v1/_probe``). ``serving=True`` (the
    server's factory, not tests) tunes the garbage collector at startup. ``background``: run
    the job queue's worker and the outbox relay in this process (default: when serving, with
    ``ATELIER_JOBS_IN_APP``)."""
    settings = container.settings()
    configure_logging(settings.log_level, settings.log_json)
    metrics = Metrics()
    for factory in [*routes.DOMAIN_GAUGES, *PLATFORM_GAUGES]:
        metrics.add_gauge(factory(container))
    api = Router(
        path=routes.API_PREFIX,
        route_handlers=routes.api_routers(container),
    )
    handlers: list[Any] = [api, *OPERATION_HANDLERS, *extra_route_handlers]
    # jobs and event deliveries run in the serving process unless `atelier worker` runs them
    run_background = (serving and settings.jobs_in_app) if background is None else background
    jobs = Background(container, observer=metrics.observe_job) if run_background else None
    if settings.docs_enabled:
        handlers.append(static_router())
    channels = ChannelsPlugin(
        backend=container.channels_backend(),
        arbitrary_channels_allowed=True,
        # a bounded queue per socket; a socket whose queue overflows is closed (4408),
        # nothing is dropped silently (entrypoints/http/realtime.py)
        subscriber_max_backlog=settings.ws_queue_size,
        subscriber_backlog_strategy="backoff",
        subscriber_class=BoundedSubscriber,
    )
    app = Litestar(
        route_handlers=handlers,
        plugins=[channels],
        state=State({CONTAINER_STATE_KEY: container, "metrics": metrics}),
        middleware=list(routes.route_middleware()),
        exception_handlers=exception_handlers(),
        cors_config=_cors(settings.cors_origins),
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config() if settings.docs_enabled else None,
        on_startup=[
            partial(start, container),
            partial(_start_modules, container),
            *([tune_gc_for_serving] if serving else []),
            *([jobs.start] if jobs else []),
        ],
        on_shutdown=[*([jobs.stop] if jobs else []), partial(_close, container)],
        logging_config=None,
        debug=False,
    )
    _options_answer_every_method(app)
    _resolve_dependencies_in_turn(app)
    openapi_truth.install(app)
    # Outermost layer, around Litestar's router, CORS and exception handling, so 404/405 and
    # preflight answers get a request id, hardening headers, metrics and an access-log line.
    app.asgi_handler = EdgeMiddleware(
        app.asgi_handler,
        metrics,
        max_in_flight=settings.max_in_flight,
        in_flight_wait_seconds=settings.in_flight_wait_seconds,
    )
    return app
