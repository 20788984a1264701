"""The outermost ASGI layer: request id, hardening headers, access log, metrics, and the
per-worker limit of requests in progress.

It wraps Litestar's whole handler (router, CORS and exception handling), so it also sees the
answers Litestar produces before any route middleware runs (404, 405, CORS preflight).

It also gives every route two HTTP basics, so no module has to declare them:

- ``HEAD`` on every ``GET`` route (uptime checkers use it): the request is routed as a ``GET``
  and the answer's status and headers (``Content-Length`` included) are sent without the body;
  ``Allow`` (of ``OPTIONS`` and 405 answers) lists ``HEAD`` wherever it lists ``GET``;
- ``Content-Type`` carries one ``charset`` (Litestar appends ``; charset=utf-8`` to every
  ``text/*`` type, even one that already has it: ``text/calendar``, Prometheus' ``text/plain``).
Overload: at most ``ATELIER_MAX_IN_FLIGHT`` requests of a worker are in progress at once; a
request beyond waits up to ``ATELIER_IN_FLIGHT_WAIT_SECONDS`` for a place, then gets a 503
``overloaded`` problem with ``Retry-After`` at once, before Litestar does any work for it. A
worker flooded with connections thus keeps answering every request within about
``wait + (in flight x time per request)``: what it admits runs at a bounded concurrency
instead of every request slowing down together. ``/health/*`` and ``/metrics`` are never
limited.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http.errors import PROBLEM_JSON, problem_body
from entrypoints.http.logging import REQUEST_ID, AccessLog
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
# The same, as raw ASGI header pairs (names lower-case), added without MutableScopeHeaders.
_RAW_HARDENING = tuple((k.lower().encode(), v.encode("latin-1")) for k, v in _HARDENING.items())
_CSP = b"content-security-policy"
_RAW_API_CSP = API_CSP.encode("latin-1")
_RAW_DOCS_CSP = DOCS_CSP.encode("latin-1")
_REQUEST_ID = REQUEST_ID_HEADER.encode()


def request_id_from(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SANE_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


_CONTENT_TYPE = b"content-type"
_ALLOW = b"allow"


def one_charset(content_type: bytes) -> bytes:
    """``text/plain; charset=utf-8; charset=utf-8`` -> ``text/plain; charset=utf-8``."""
    if content_type.lower().count(b"charset=") < 2:
        return content_type
    seen = False
    kept: list[bytes] = []
    for part in content_type.split(b";"):
        if part.strip().lower().startswith(b"charset="):
            if seen:
                continue
            seen = True
        kept.append(part.strip())
    return b"; ".join(kept)


def with_head(allow: bytes) -> bytes:
    """``GET, POST`` -> ``GET, HEAD, POST`` (``HEAD`` is answered wherever ``GET`` is)."""
    methods = [m.strip() for m in allow.split(b",") if m.strip()]
    if b"GET" in methods and b"HEAD" not in methods:
        methods.insert(methods.index(b"GET") + 1, b"HEAD")
    return b", ".join(methods)


def _http_basics(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    out = []
    for name, value in headers:
        lower = name.lower()
        if lower == _CONTENT_TYPE:
            value = one_charset(value)
        elif lower == _ALLOW:
            value = with_head(value)
        out.append((name, value))
    return out


def _is_preflight(scope: Scope) -> bool:
    if scope.get("method") != "OPTIONS":
        return False
    names = {name for name, _ in scope.get("headers", ())}
    return b"origin" in names and b"access-control-request-method" in names


def with_edge_headers(
    headers: Iterable[tuple[bytes, bytes]], request_id: bytes, csp: bytes
) -> list[tuple[bytes, bytes]]:
    """``headers`` with ``X-Request-ID`` set (replaced) and the hardening headers and CSP
    added where the response did not set them."""
    out = [(n, v) for n, v in headers if n.lower() != _REQUEST_ID]
    present = {n.lower() for n, _ in out}
    out.append((_REQUEST_ID, request_id))
    out.extend(pair for pair in _RAW_HARDENING if pair[0] not in present)
    if _CSP not in present:
        out.append((_CSP, csp))
    return out


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


UNLIMITED_PREFIXES = ("/health/", "/metrics")
OVERLOADED_RETRY_AFTER = b"1"


class InFlightLimit:
    """At most ``limit`` holders at once; others wait (first come, first served) up to
    ``wait_seconds``. ``limit`` 0: no limit."""

    def __init__(self, limit: int, wait_seconds: float) -> None:
        self.limit, self.wait_seconds = limit, wait_seconds
        self.in_flight = 0
        self._waiters: list[asyncio.Future[None]] = []

    def try_enter(self) -> bool:
        if self.limit <= 0 or (self.in_flight < self.limit and not self._waiters):
            self.in_flight += 1
            return True
        return False

    async def enter(self) -> bool:
        """True once admitted (call ``leave`` after); False when no place freed in time."""
        if self.try_enter():
            return True
        if self.wait_seconds <= 0:
            return False
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), self.wait_seconds)
        except TimeoutError:
            if waiter.done() and not waiter.cancelled():
                return True  # handed a place just as the wait ended: keep it
            waiter.cancel()
            return False
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
        return True

    def leave(self) -> None:
        while self._waiters:  # hand the place over to the oldest waiter
            waiter = self._waiters.pop(0)
            if not waiter.done():
                waiter.set_result(None)
                return
        self.in_flight -= 1


def _overloaded_messages(path: str, request_id: str, csp: bytes) -> tuple[Message, Message]:
    body = problem_body(
        status=503,
        code="overloaded",
        title="Service overloaded",
        detail="Too many requests are in progress; retry shortly.",
        instance=path,
        request_id=request_id,
    )
    headers = with_edge_headers(
        [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", OVERLOADED_RETRY_AFTER),
        ],
        request_id.encode("latin-1"),
        csp,
    )
    start: Message = {"type": "http.response.start", "status": 503, "headers": headers}
    return start, {"type": "http.response.body", "body": body, "more_body": False}


class EdgeMiddleware:
    """Per request: a request id (``scope["state"]`` and :data:`REQUEST_ID` for log lines),
    the in-flight limit, the edge headers on the answer, one metrics observation and one
    access-log line."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics,
        *,
        max_in_flight: int = 0,
        in_flight_wait_seconds: float = 0.5,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = AccessLog()
        self.limit = InFlightLimit(max_in_flight, in_flight_wait_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        state = scope.get("state")
        if state is None:
            state = scope["state"] = {}
        state["request_id"] = request_id
        path: str = scope["path"]
        raw_id = request_id.encode("latin-1")
        csp = _RAW_DOCS_CSP if path.startswith(DOCS_PREFIXES) else _RAW_API_CSP
        status = 500
        started = time.perf_counter()

        method: str = scope["method"]
        preflight = method == "OPTIONS" and _is_preflight(scope)
        held_start: Message | None = None
        head = method == "HEAD"
        if head:  # routed as a GET; the server's own scope keeps HEAD (it sends no body)
            scope = {**scope, "method": "GET"}

        async def send_wrapper(message: Message) -> None:
            nonlocal status, held_start
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = _http_basics(list(message.get("headers", ())))
                message["headers"] = with_edge_headers(headers, raw_id, csp)
                if preflight and status == 400:
                    held_start = message  # Litestar's text answer: rewritten below
                    return
            elif held_start is not None and message["type"] == "http.response.body":
                message = _preflight_problem(held_start, message, path, request_id)
                await send(held_start)
                held_start = None
            elif head and message["type"] == "http.response.body":
                message = {
                    "type": "http.response.body",
                    "body": b"",
                    "more_body": message.get("more_body", False),
                }
            await send(message)

        token = REQUEST_ID.set(request_id)
        limited = self.limit.limit > 0 and not path.startswith(UNLIMITED_PREFIXES)
        try:
            if limited and not await self.limit.enter():
                start, body = _overloaded_messages(path, request_id, csp)
                status = 503
                await send(start)
                await send(body)
                return
            try:
                await self.app(scope, receive, send_wrapper)
            finally:
                if limited:
                    self.limit.leave()
        finally:
            REQUEST_ID.reset(token)
            elapsed = time.perf_counter() - started
            route: Any = scope.get("path_template") if "route_handler" in scope else None
            self.metrics.observe(method, route, status, elapsed)
            self.access_log.request(
                request_id=request_id,
                method=method,
                route=route or "<unmatched>",
                status=status,
                seconds=elapsed,
            )
