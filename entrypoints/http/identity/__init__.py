"""The identity module's HTTP edge: ``router`` (for ``routes.API_ROUTERS``) and ``MIDDLEWARE``
(authentication, then per-route rate limits) for the ``/api/v1`` router."""

from __future__ import annotations

from litestar import Router

from entrypoints.http.identity.auth import AuthenticationMiddleware
from entrypoints.http.identity.auth_controller import AuthController
from entrypoints.http.identity.rate_limit import RateLimitMiddleware
from entrypoints.http.identity.users_controller import UsersController

router = Router(path="/", route_handlers=[AuthController, UsersController])

# Order matters: the rate limiter keys on the actor the authentication found.
MIDDLEWARE = [AuthenticationMiddleware(), RateLimitMiddleware()]

__all__ = ["MIDDLEWARE", "router"]
