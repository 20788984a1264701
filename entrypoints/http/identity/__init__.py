"""The identity module's HTTP edge: ``router`` (mounted under ``/api/v1`` by the app).

Authentication and rate limiting are the HTTP platform's (``entrypoints/http/auth.py``,
``rate_limit.py``); identity publishes the ``identity.authenticate`` port they call."""

from __future__ import annotations

from litestar import Router

from entrypoints.http.identity.auth_controller import AuthController
from entrypoints.http.identity.users_controller import UsersController

router = Router(path="/", route_handlers=[AuthController, UsersController])

__all__ = ["router"]
