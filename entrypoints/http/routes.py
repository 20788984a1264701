"""Everything mounted under ``/api/v1``: adding a module's router is one line here.

A module exposes a ``Router`` (or ``Controller`` classes) from its package, e.g.
``entrypoints/http/identity/__init__.py: router = Router(path="/", route_handlers=[...])``,
and appends it to ``API_ROUTERS``. Domain gauges for ``/metrics`` are registered the same way,
as factories taking the container and returning a :class:`DomainGauge`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from entrypoints.bootstrap.container import Container
from entrypoints.http import identity, maintenance
from entrypoints.http.metrics import DomainGauge

API_PREFIX = "/api/v1"

# Routers / controllers mounted under /api/v1 (e.g. identity.router, maintenance.router).
API_ROUTERS: list[Any] = [identity.router, maintenance.router]

# Middleware of the /api/v1 router, outermost first (authentication, then rate limits).
API_MIDDLEWARE: list[Any] = [*identity.MIDDLEWARE]

# Factories of the domain gauges exposed on /metrics.
DOMAIN_GAUGES: list[Callable[[Container], DomainGauge]] = []
