"""Everything mounted under ``/api/v1``: the platform's routes and every installed module's.

A module's HTTP edge is the package ``entrypoints/http/<module>/`` exposing ``router`` (a
Litestar ``Router`` of its controllers) and, optionally, ``websocket_handlers``; the app finds
it by the module's name, so adding a module changes nothing here. Domain gauges for
``/metrics`` are factories taking the container and returning a :class:`DomainGauge`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

from entrypoints.bootstrap.container import Container, installed_specs
from entrypoints.http.audit import AuditController
from entrypoints.http.auth import AuthenticationMiddleware
from entrypoints.http.guard import request_guard
from entrypoints.http.metrics import DomainGauge
from entrypoints.http.rate_limit import RateLimitMiddleware

API_PREFIX = "/api/v1"

#: The platform's own API routes (the audit trail every module writes).
PLATFORM_ROUTERS: list[Any] = [AuditController]


def api_routers(container: Container) -> list[Any]:
    """The platform's routers and each installed module's ``entrypoints.http.<name>.router``."""
    routers = list(PLATFORM_ROUTERS)
    for spec in installed_specs(container):
        package = importlib.import_module(f"entrypoints.http.{spec.name}")
        routers.append(package.router)
    return routers


def route_middleware() -> Sequence[Any]:
    """The app's middleware (after routing, so they know the handler), outermost first: who is
    calling (authentication), the rate limits of the API routes (keyed on that caller, so a
    401 counts too), then the request guard (401 before anything about the request; query,
    path and body rules)."""
    return [AuthenticationMiddleware(), RateLimitMiddleware(), request_guard]


# Factories of the domain gauges exposed on /metrics.
DOMAIN_GAUGES: list[Callable[[Container], DomainGauge]] = []
