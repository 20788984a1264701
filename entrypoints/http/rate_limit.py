"""Per-route rate limits for the API, from one table (part of the HTTP platform).

The table is ``default`` plus the buckets the installed modules declare
(``ModuleSpec.rate_limits``, e.g. identity's ``login``). A handler names its bucket with
``opt={"rate_limit": "login"}``; every other API route is in ``default``. Limits count per
bucket and per caller: the user id when the request carries a valid access token, else the
client address (``client_ip.py``, resolved only then). Counters live in the shared Cache
(fixed windows), so every app instance enforces the same limit.

``settings.rate_limits`` entries ``"route=N/period"`` override the table (period: ``s``,
``m``, ``h``, ``d`` or ``second``, ``minute``, ``hour``, ``day``, optionally with a count such
as ``10/5m``); ``settings.rate_limit_enabled=false`` turns the limits off.

Every limited route answers with ``RateLimit-Limit``, ``RateLimit-Remaining`` and
``RateLimit-Reset``; past the limit it is a 429 problem with ``Retry-After``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from application.shared.rate_limit import RateLimiter
from domain.shared.access import Actor
from domain.shared.errors import RateLimited
from entrypoints.bootstrap.container import installed_specs
from entrypoints.http.auth import ACTOR_KEY, trusted_networks
from entrypoints.http.client_ip import client_ip_of
from entrypoints.http.state import CONTAINER_STATE_KEY

OPT_KEY = "rate_limit"
DEFAULT_ROUTE = "default"


@dataclass(frozen=True, slots=True)
class Limit:
    requests: int
    window_seconds: int


# The platform's own bucket; the modules add theirs (see ``limits_table``).
RATE_LIMITS: Mapping[str, Limit] = {DEFAULT_ROUTE: Limit(300, 60)}


def limits_table(buckets: Mapping[str, tuple[int, int]]) -> dict[str, Limit]:
    """``default`` plus the modules' buckets (``{name: (requests, window seconds)}``)."""
    table = dict(RATE_LIMITS)
    table.update({name: Limit(*limit) for name, limit in buckets.items()})
    return table


_UNITS = {"s": 1, "second": 1, "m": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400}
_UNITS["day"] = 86400
_ENTRY = re.compile(r"^\s*([a-z_]+)\s*=\s*(\d{1,9})\s*/\s*(\d{0,6})\s*([a-z]+?)s?\s*$")


def parse_limits(
    entries: Iterable[str], base: Mapping[str, Limit] = RATE_LIMITS
) -> dict[str, Limit]:
    """``base`` with ``route=N/period`` overrides applied (a bad entry is a ValueError)."""
    table = dict(base)
    for entry in entries:
        match = _ENTRY.match(entry.lower())
        unit = _UNITS.get(match.group(4)) if match else None
        if match is None or unit is None or match.group(1) not in table:
            raise ValueError(
                f"ATELIER_RATE_LIMITS: {entry!r} must look like route=N/period with route one "
                f"of {', '.join(sorted(table))} and period s, m, h or d"
            )
        count = int(match.group(3) or 1)
        table[match.group(1)] = Limit(max(1, int(match.group(2))), max(1, count * unit))
    return table


@dataclass(frozen=True, slots=True)
class _Config:
    enabled: bool
    limits: Mapping[str, Limit]
    limiter: RateLimiter


_STATE_KEY = "rate_limit_config"


def _config(scope: Scope) -> _Config:
    app_state = scope["litestar_app"].state
    config: _Config | None = app_state.get(_STATE_KEY)
    if config is None:
        container: Any = getattr(app_state, CONTAINER_STATE_KEY)
        settings = container.settings()
        buckets = {
            name: limit
            for spec in installed_specs(container)
            for name, limit in spec.rate_limits.items()
        }
        config = _Config(
            enabled=settings.rate_limit_enabled,
            limits=parse_limits(settings.rate_limits, limits_table(buckets)),
            limiter=RateLimiter(container.cache(), prefix="ratelimit:route:"),
        )
        app_state[_STATE_KEY] = config
    return config


def _bucket(scope: Scope) -> str:
    handler = scope.get("route_handler")
    opt = getattr(handler, "opt", None) or {}
    return str(opt.get(OPT_KEY, DEFAULT_ROUTE))


def _caller(scope: Scope) -> str:
    state = scope.get("state", {})
    actor: Actor | None = state.get(ACTOR_KEY)
    if actor is not None:
        return f"user:{actor.user_id}"
    return f"ip:{client_ip_of(scope, trusted_networks(scope)) or '-'}"


class RateLimitMiddleware(ASGIMiddleware):
    """Runs after :class:`AuthenticationMiddleware` (it needs the actor), on the API's paths
    only (``/health``, ``/metrics`` and the docs are not limited)."""

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        return not scope["path"].startswith("/api/")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        config = _config(scope)
        if not config.enabled or scope.get("method") == "OPTIONS":
            await next_app(scope, receive, send)
            return
        bucket = _bucket(scope)
        limit = config.limits.get(bucket, config.limits[DEFAULT_ROUTE])
        decision = await config.limiter.hit(
            f"{bucket}:{_caller(scope)}", limit.requests, limit.window_seconds
        )
        if not decision.allowed:
            error = RateLimited(retry_after=decision.reset_seconds)
            error.extra = {"limit": decision.limit}
            raise error
        headers = {
            "RateLimit-Limit": str(decision.limit),
            "RateLimit-Remaining": str(decision.remaining),
            "RateLimit-Reset": str(decision.reset_seconds),
        }

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                mutable = MutableScopeHeaders.from_message(message)
                for name, value in headers.items():
                    mutable.setdefault(name, value)
            await send(message)

        await next_app(scope, receive, send_with_headers)
