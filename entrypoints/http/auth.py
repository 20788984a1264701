"""Bearer-token authentication for the API (part of the HTTP platform, for every module).

:class:`AuthenticationMiddleware` (app middleware, after routing, for every route), when an
``Authorization: Bearer`` header is present, runs the identity module's published
``identity.authenticate`` port once: the :class:`Actor` (or the reason it failed) is kept in
``scope["state"]``. It never answers by itself, so public routes ignore a bad token and the
rate limiter can key on the user id. The client address is resolved on demand
(:func:`client_address`), once per request. Protected handlers declare ``actor: Actor`` through
``Provide(provide_actor)``, which raises ``Unauthenticated`` (401 with ``WWW-Authenticate:
Bearer``) when there is no valid token; ``guard.request_guard`` does so for every handler that
declares a security requirement, before anything else about the request is checked.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from domain.shared.access import Actor
from domain.shared.errors import DomainError, Unauthenticated
from entrypoints.bootstrap.container import published_port
from entrypoints.http.client_ip import IPNetwork, client_ip_of, parse_networks
from entrypoints.http.state import CONTAINER_STATE_KEY

ACTOR_KEY = "actor"
AUTH_ERROR_KEY = "auth_error"
TOKEN_KEY = "access_token"  # noqa: S105 - a state key, not a secret
MAX_TOKEN_CHARS = 4_096


def bearer_token(scope: Scope) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


def _container(scope: Scope) -> Any:
    return getattr(scope["litestar_app"].state, CONTAINER_STATE_KEY)


_AUTHENTICATE_KEY = "authenticate_port"
AUTHENTICATE_PORT = "identity.authenticate"


def authenticator(scope: Scope) -> Any:
    """The ``identity.authenticate`` port (an ``Authenticator``), resolved once per app;
    the real-time sockets (``realtime.py``) authenticate through it too."""
    app_state = scope["litestar_app"].state
    authenticate = app_state.get(_AUTHENTICATE_KEY)
    if authenticate is None:
        authenticate = published_port(_container(scope), AUTHENTICATE_PORT)()
        app_state[_AUTHENTICATE_KEY] = authenticate
    return authenticate


_NETWORKS_KEY = "trusted_proxy_networks"


def trusted_networks(scope: Scope) -> tuple[IPNetwork, ...]:
    """``settings.trusted_proxies``, parsed once per app."""
    app_state = scope["litestar_app"].state
    networks: tuple[IPNetwork, ...] | None = app_state.get(_NETWORKS_KEY)
    if networks is None:
        networks = parse_networks(_container(scope).settings().trusted_proxies)
        app_state[_NETWORKS_KEY] = networks
    return networks


class AuthenticationMiddleware(ASGIMiddleware):
    def __call__(self, app: ASGIApp) -> ASGIApp:
        """Every request of the routes it wraps (no exclusions, so no per-request checks)."""
        handle = self.handle

        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            await handle(scope, receive, send, app)

        return middleware

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        state = scope.setdefault("state", {})
        token = bearer_token(scope)
        if token is not None:
            state[TOKEN_KEY] = token
            if len(token) > MAX_TOKEN_CHARS:
                state[AUTH_ERROR_KEY] = Unauthenticated(
                    "The token is invalid.", code="invalid_token"
                )
            else:
                try:
                    state[ACTOR_KEY] = await authenticator(scope)(token)
                except DomainError as exc:  # Unauthenticated, or a dependency is down
                    state[AUTH_ERROR_KEY] = exc
        await next_app(scope, receive, send)


def current_actor(request: Request[Any, Any, Any]) -> Actor:
    state = request.scope.get("state", {})
    actor: Actor | None = state.get(ACTOR_KEY)
    if actor is not None:
        return actor
    error: DomainError | None = state.get(AUTH_ERROR_KEY)
    if error is not None:
        raise error
    raise Unauthenticated("A bearer access token is required.", code="missing_token")


def current_token(request: Request[Any, Any, Any]) -> str:
    """The access token of an authenticated request (call after ``current_actor``)."""
    current_actor(request)
    token: str = request.scope["state"][TOKEN_KEY]
    return token


def client_address(request: Request[Any, Any, Any]) -> str | None:
    """The client address resolved by the middleware (see ``client_ip.py``)."""
    return client_ip_of(request.scope, trusted_networks(request.scope))


provide_actor = Provide(current_actor, sync_to_thread=False)
provide_access_token = Provide(current_token, sync_to_thread=False)
provide_client_address = Provide(client_address, sync_to_thread=False)
