"""The outermost ASGI layer: request id, hardening headers, access log and metrics.

It wraps Litestar's whole handler (router, CORS and exception handling), so it also sees the
answers Litestar produces before any route middleware runs (404, 405, CORS preflight).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http.errors import PROBLEM_JSON, problem_body
from entrypoints.http.metrics import Metrics

REQUEST_ID_HEADER = "x-request-id"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The viewers run inline bootstrap scripts, Redoc compiles validators (new Function) and
# starts a blob: worker; every source stays this origin, so nothing loads from the internet.
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)
DOCS_PREFIXES = ("/schema", "/static/")

_HARDENING: Mapping[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

access_log = structlog.get_logger("atelier.http.access")


def request_id_from(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SANE_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def _is_preflight(scope: Scope) -> bool:
    if scope.get("method") != "OPTIONS":
        return False
    names = {name for name, _ in scope.get("headers", ())}
    return b"origin" in names and b"access-control-request-method" in names


def _preflight_problem(start: Message, body: Message, path: str, request_id: str) -> Message:
    """Litestar answers a refused CORS preflight in text/plain; answer a problem instead."""
    raw: bytes = body.get("body", b"")  # type: ignore[assignment]
    reason = raw.decode("utf-8", "replace") or "Disallowed CORS request"
    content = problem_body(
        status=400,
        code="cors_rejected",
        title="CORS request refused",
        detail=f"{reason}.",
        instance=path,
        request_id=request_id,
    )
    headers = MutableScopeHeaders.from_message(start)
    headers["Content-Type"] = PROBLEM_JSON
    headers["Content-Length"] = str(len(content))
    return {"type": "http.response.body", "body": content, "more_body": False}


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        path: str = scope["path"]
        csp = DOCS_CSP if path.startswith(DOCS_PREFIXES) else API_CSP
        status = 500
        started = time.perf_counter()

        preflight = _is_preflight(scope)
        held_start: Message | None = None

        async def send_wrapper(message: Message) -> None:
            nonlocal status, held_start
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableScopeHeaders.from_message(message)
                headers["X-Request-ID"] = request_id
                for name, value in _HARDENING.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", csp)
                if preflight and status == 400:
                    held_start = message  # Litestar's text answer: rewritten below
                    return
            elif held_start is not None and message["type"] == "http.response.body":
                message = _preflight_problem(held_start, message, path, request_id)
                await send(held_start)
                held_start = None
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_wrapper)
            finally:
                elapsed = time.perf_counter() - started
                route: Any = scope.get("path_template") if "route_handler" in scope else None
                method = str(scope.get("method", "GET"))
                self.metrics.observe(method, route, status, elapsed)
                access_log.info(
                    "request",
                    method=method,
                    route=route or "<unmatched>",
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                )
