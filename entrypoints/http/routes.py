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


def api_middleware() -> Sequence[Any]:
    """Middleware of the /api/v1 router, outermost first: authentication, then the rate
    limits (which key on the caller the authentication found)."""
    return [AuthenticationMiddleware(), RateLimitMiddleware()]


# Factories of the domain gauges exposed on /metrics.
DOMAIN_GAUGES: list[Callable[[Container], DomainGauge]] = []
