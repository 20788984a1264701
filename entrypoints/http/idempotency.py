"""``Idempotency-Key`` on creating POSTs, stored behind the Cache port for 24 hours.

Usage in a handler (``idempotency`` is the :class:`Idempotency` dependency)::

    return await idempotency.run(
        request, actor, route="POST /equipment", key=idempotency_key,
        produce=produce,   # async () -> Stored (status, JSON body, headers)
    )

- no key: ``produce`` runs as usual;
- keyed by (actor, route, key); the body's fingerprint is the SHA-256 of the decoded JSON
  document re-encoded with sorted keys (so key order and blanks do not matter);
- a retry with the same key and body gets the first answer back (status, body, ``Location``,
  ``ETag``) with ``Idempotent-Replayed: true`` and creates nothing;
- the same key with another body: 422 ``idempotency_key_reused``;
- a concurrent request with the same key waits up to ``WAIT_SECONDS`` for the first one to
  finish (``Cache.set_if_absent`` is the lock), then replays it or answers 409
  ``idempotency_in_progress``;
- error answers are not stored: a retry after a failure runs again.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import msgspec
from litestar import Request, Response
from litestar.params import HeaderParameter

from application.shared.cache import Cache
from domain.shared.access import Actor
from entrypoints.http.errors import EdgeProblem

TTL_SECONDS = 24 * 3600
LOCK_TTL_SECONDS = 30.0
WAIT_SECONDS = 3.0
POLL_SECONDS = 0.05
MAX_KEY_CHARS = 255
JSON = "application/json"
_KEPT_HEADERS = ("Location", "ETag")
#: 1 to 255 printable ASCII characters, not starting or ending with a space (HTTP strips them).
KEY_PATTERN = r"^[!-~](?:[ -~]{0,253}[!-~])?$"

IdempotencyKeyHeader = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        max_length=MAX_KEY_CHARS,
        pattern=KEY_PATTERN,
        description="Any unique string (e.g. a UUID); a retry with the same key and body "
        "within 24 h returns the first answer and creates nothing.",
    ),
]


class Stored(msgspec.Struct, kw_only=True):
    """A response worth replaying."""

    status: int
    body: bytes
    headers: dict[str, str] = {}
    fingerprint: str = ""

    def response(self, *, replayed: bool = False) -> Response[bytes]:
        headers = {k: v for k, v in self.headers.items() if k in _KEPT_HEADERS}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(
            content=self.body, status_code=self.status, media_type=JSON, headers=headers
        )


def stored_json(value: Any, *, status: int, headers: dict[str, str] | None = None) -> Stored:
    """A JSON answer (a msgspec Struct or plain data) ready to store and send."""
    return Stored(status=status, body=msgspec.json.encode(value), headers=dict(headers or {}))


async def fingerprint_of(request: Request[Any, Any, Any]) -> str:
    body = await request.body()
    try:
        document = msgspec.json.decode(body) if body else None
        canonical = msgspec.json.encode(document, order="sorted")
    except msgspec.MsgspecError:
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


def _check_key(key: str) -> str:
    text = key.strip()
    if not text or len(text) > MAX_KEY_CHARS or not text.isascii() or not text.isprintable():
        raise EdgeProblem(
            422,
            "invalid_idempotency_key",
            f"Idempotency-Key must be 1 to {MAX_KEY_CHARS} printable ASCII characters.",
            title="Validation failed",
        )
    return text


def _replay(raw: bytes, fingerprint: str) -> Response[bytes]:
    stored = msgspec.json.decode(raw, type=Stored)
    if stored.fingerprint != fingerprint:
        raise EdgeProblem(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was already used with another request body.",
            title="Idempotency key reused",
        )
    return stored.response(replayed=True)


class Idempotency:
    """The handlers' entry point (a dependency): ``await idempotency.run(...)``."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache

    async def run(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        *,
        route: str,
        key: str | None,
        produce: Callable[[], Awaitable[Stored]],
    ) -> Response[bytes]:
        return await idempotent(request, self._cache, actor, route=route, key=key, produce=produce)


async def idempotent(
    request: Request[Any, Any, Any],
    cache: Cache,
    actor: Actor,
    *,
    route: str,
    key: str | None,
    produce: Callable[[], Awaitable[Stored]],
) -> Response[bytes]:
    """Run ``produce`` at most once per (actor, route, key) within 24 hours."""
    if key is None:
        return (await produce()).response()
    digest = hashlib.sha256(_check_key(key).encode()).hexdigest()
    record_key = f"idempotency:{actor.user_id}:{route}:{digest}"
    lock_key = f"{record_key}:lock"
    fingerprint = await fingerprint_of(request)

    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_SECONDS
    while True:
        existing = await cache.get(record_key)
        if existing is not None:
            return _replay(existing, fingerprint)
        if await cache.set_if_absent(lock_key, b"1", ttl_seconds=LOCK_TTL_SECONDS):
            break
        if loop.time() >= deadline:
            raise EdgeProblem(
                409,
                "idempotency_in_progress",
                "A request with this Idempotency-Key is still being processed; retry shortly.",
                title="Request in progress",
                headers={"Retry-After": "1"},
            )
        await asyncio.sleep(POLL_SECONDS)
    try:
        existing = await cache.get(record_key)  # stored between our read and our lock
        if existing is not None:
            return _replay(existing, fingerprint)
        stored = await produce()
        if stored.status < 400:
            stored.fingerprint = fingerprint
            await cache.set(record_key, msgspec.json.encode(stored), ttl_seconds=TTL_SECONDS)
        return stored.response()
    finally:
        await cache.delete(lock_key)


async def idempotent_upload(
    cache: Cache,
    actor: Actor,
    *,
    route: str,
    key: str | None,
    produce: Callable[[], Awaitable[tuple[Stored, str]]],
    fingerprint_only: Callable[[], Awaitable[str]],
    lock_ttl_seconds: float = 900.0,
) -> Response[bytes]:
    """``Idempotency-Key`` for streamed uploads, whose body is never held: the fingerprint
    is known only once the body has been read. ``produce`` stores the upload and returns
    its answer with the fingerprint of what it read; ``fingerprint_only`` reads (and
    discards) the body of a retry to compare it with the first one. The lock lives as long
    as a long upload may take (``lock_ttl_seconds``)."""
    if key is None:
        return (await produce())[0].response()
    digest = hashlib.sha256(_check_key(key).encode()).hexdigest()
    record_key = f"idempotency:{actor.user_id}:{route}:{digest}"
    lock_key = f"{record_key}:lock"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_SECONDS
    while True:
        existing = await cache.get(record_key)
        if existing is not None:
            return _replay(existing, await fingerprint_only())
        if await cache.set_if_absent(lock_key, b"1", ttl_seconds=lock_ttl_seconds):
            break
        if loop.time() >= deadline:
            raise EdgeProblem(
                409,
                "idempotency_in_progress",
                "A request with this Idempotency-Key is still being processed; retry shortly.",
                title="Request in progress",
                headers={"Retry-After": "1"},
            )
        await asyncio.sleep(POLL_SECONDS)
    try:
        existing = await cache.get(record_key)
        if existing is not None:
            return _replay(existing, await fingerprint_only())
        stored, fingerprint = await produce()
        if stored.status < 400:
            stored.fingerprint = fingerprint
            await cache.set(record_key, msgspec.json.encode(stored), ttl_seconds=TTL_SECONDS)
        return stored.response()
    finally:
        await cache.delete(lock_key)
