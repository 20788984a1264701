"""Cache on Redis (production): shared by every app instance, atomic across them.

Every key is prefixed. ``increment`` runs one Lua script (INCRBY, then PEXPIRE only when
the key has no expiry yet), so a fixed window starts at the first hit and is never
extended; ``set_if_absent`` is ``SET NX PX``.

Failing fast: every command is bounded by the connect and socket timeouts (a frozen Redis
accepts connections and answers nothing); a broken connection (a restarted Redis) is retried
on a new one, a timeout never is. After a failure, commands fail at once for ``cooldown``
seconds (a small circuit breaker) instead of each waiting its own timeout, so a request that
needs several commands does not wait several timeouts; a readiness ping that Redis answers
ends the cooldown. Every failure is
``DependencyUnavailable(code="cache_unavailable")``, a 503.

Reads (``get``, ``get_many``) and deletes are auto-pipelined: the reads issued during one
event-loop iteration go to Redis as one ``MGET``, the deletes as one ``DEL`` (see
:class:`_Batcher`). Every command is still sent after it was asked for, and its caller
resumes only once Redis answered it: a read sees every write that completed before it, and a
delete is done when it returns (a dashboard's figures invalidated after a commit cannot be
read back stale). Under load the per-command client overhead is paid once per batch instead
of once per request: at 64 connections creating interventions, about four deletes of the
dashboard's key share one ``DEL``.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from application.shared.cache import Cache, Counter
from domain.shared.errors import DependencyUnavailable

_INCREMENT = """
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {value, ttl}
"""

_FAILURES: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    asyncio.TimeoutError,
    OSError,
)


def _unavailable() -> DependencyUnavailable:
    return DependencyUnavailable("The cache is not reachable.", code="cache_unavailable")


_POOL_EXHAUSTED = "No connection available."


class _Breaker:
    """Open for ``cooldown`` seconds after Redis failed to answer: calls fail at once.

    A pool with no free connection (a burst, Redis healthy) does not open it."""

    def __init__(self, cooldown: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._cooldown = cooldown
        self._clock = clock
        self._open_until = 0.0

    def check(self) -> None:
        if self._open_until and self._clock() < self._open_until:
            raise _unavailable()

    def failed(self, exc: BaseException) -> None:
        if self._cooldown > 0 and str(exc) != _POOL_EXHAUSTED:
            self._open_until = self._clock() + self._cooldown

    def answered(self) -> None:
        """Redis answered just now (a readiness ping): the cooldown is over."""
        self._open_until = 0.0


_BATCH_MAX_KEYS = 512

_Waiter = tuple[list[str], "asyncio.Future[Any]"]


class _Batcher:
    """Coalesces the calls of one multi-key command (``MGET``, ``DEL``) made in one
    event-loop iteration into one call per ``_BATCH_MAX_KEYS`` keys. With ``split`` each
    caller gets its own slice of the answer (``MGET``), else None; every caller of a batch
    gets its error."""

    def __init__(
        self,
        command: Callable[[list[str]], Awaitable[Any]],
        breaker: _Breaker,
        *,
        split: bool,
    ) -> None:
        self._command = command
        self._breaker = breaker
        self._split = split
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[_Waiter] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, keys: list[str]) -> Any:
        self._breaker.check()
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop (tests): nothing pending belongs to it
            self._loop, self._pending = loop, []
        future: asyncio.Future[Any] = loop.create_future()
        if not self._pending:
            loop.call_soon(self._flush)
        self._pending.append((keys, future))
        return await future

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        chunk: list[_Waiter] = []
        size = 0
        for waiter in pending:
            if waiter[1].done():  # the caller was cancelled meanwhile
                continue
            chunk.append(waiter)
            size += len(waiter[0])
            if size >= _BATCH_MAX_KEYS:
                self._start(chunk)
                chunk, size = [], 0
        if chunk:
            self._start(chunk)

    def _start(self, chunk: list[_Waiter]) -> None:
        task = asyncio.ensure_future(self._run(chunk))
        self._tasks.add(task)  # keep a reference until it is done
        task.add_done_callback(self._tasks.discard)

    async def _run(self, chunk: list[_Waiter]) -> None:
        keys = chunk[0][0] if len(chunk) == 1 else [key for keys, _ in chunk for key in keys]
        try:
            values: Any = await self._command(keys)
        except asyncio.CancelledError:
            for _, future in chunk:
                future.cancel()
            raise
        except Exception as exc:  # noqa: BLE001 - handed to every caller of the batch
            if isinstance(exc, _FAILURES):
                self._breaker.failed(exc)
            for _, future in chunk:
                if not future.done():
                    error = _unavailable() if isinstance(exc, _FAILURES) else exc
                    if error is not exc:
                        error.__cause__ = exc
                    future.set_exception(error)
            return
        start = 0
        for waiter_keys, future in chunk:
            end = start + len(waiter_keys)
            if not future.done():
                future.set_result(values[start:end] if self._split else None)
            start = end


def _ms(ttl_seconds: float) -> int:
    return max(1, math.ceil(ttl_seconds * 1000))


class RedisCache(Cache):
    def __init__(
        self,
        client: Redis,
        prefix: str = "",
        *,
        close_client: bool = True,
        cooldown_seconds: float = 0.0,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._close_client = close_client
        self._increment = client.register_script(_INCREMENT)
        self._breaker = _Breaker(cooldown_seconds)
        self._reads = _Batcher(self._mget_now, self._breaker, split=True)
        self._deletes = _Batcher(self._delete_now, self._breaker, split=False)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        prefix: str = "",
        connect_timeout_seconds: float = 1.0,
        socket_timeout_seconds: float = 1.0,
        max_connections: int = 50,
        retries: int = 1,
        cooldown_seconds: float = 0.5,
    ) -> RedisCache:
        """A cache owning a bounded pool: beyond ``max_connections`` callers wait for a free
        connection at most ``socket_timeout_seconds``. ``retries``: how often a command that
        met a broken connection is sent again on a new one (never after a timeout)."""
        pool: Any = BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=socket_timeout_seconds,
            socket_connect_timeout=connect_timeout_seconds,
            socket_timeout=socket_timeout_seconds,
            socket_keepalive=True,
            retry=Retry(
                ExponentialBackoff(cap=0.2, base=0.01),
                retries=retries,
                supported_errors=(RedisConnectionError,),
            ),
        )
        return cls(Redis(connection_pool=pool), prefix, cooldown_seconds=cooldown_seconds)

    @staticmethod
    def worst_case_seconds(
        *, connect_timeout_seconds: float, socket_timeout_seconds: float, retries: int
    ) -> float:
        """The longest one command can take before ``cache_unavailable`` when Redis does not
        answer: the wait for a pooled connection, connecting, the connection's handshake
        and the command itself, for the first attempt and each retry."""
        attempt = connect_timeout_seconds + 2 * socket_timeout_seconds
        return socket_timeout_seconds + attempt * (1 + retries)

    def _key(self, key: str) -> str:
        return self._prefix + key

    @asynccontextmanager
    async def _guard(self) -> AsyncIterator[None]:
        self._breaker.check()
        try:
            yield
        except _FAILURES as exc:
            self._breaker.failed(exc)
            raise _unavailable() from exc

    async def get(self, key: str) -> bytes | None:
        value = (await self._reads.submit([self._prefix + key]))[0]
        return None if value is None else bytes(value)

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        prefix = self._prefix
        values = await self._reads.submit([prefix + key for key in keys])
        return [None if value is None else bytes(value) for value in values]

    async def set(self, key: str, value: bytes, *, ttl_seconds: float | None = None) -> None:
        async with self._guard():
            if ttl_seconds is None:
                await self._client.set(self._key(key), value)
            else:
                await self._client.set(self._key(key), value, px=_ms(ttl_seconds))

    async def set_many(self, items: Sequence[tuple[str, bytes, float | None]]) -> None:
        if not items:
            return
        async with self._guard():
            pipe = self._client.pipeline(transaction=False)
            for key, value, ttl_seconds in items:
                if ttl_seconds is None:
                    pipe.set(self._key(key), value)
                else:
                    pipe.set(self._key(key), value, px=_ms(ttl_seconds))
            await pipe.execute()

    async def set_if_absent(self, key: str, value: bytes, *, ttl_seconds: float) -> bool:
        async with self._guard():
            stored = await self._client.set(self._key(key), value, nx=True, px=_ms(ttl_seconds))
        return bool(stored)

    async def delete(self, key: str) -> None:
        await self._deletes.submit([self._prefix + key])

    async def _mget_now(self, keys: list[str]) -> Any:
        return await self._client.mget(keys)

    async def _delete_now(self, keys: list[str]) -> Any:
        return await self._client.delete(*dict.fromkeys(keys))  # each key once

    async def increment(self, key: str, *, ttl_seconds: float, amount: int = 1) -> Counter:
        async with self._guard():
            value, ttl_ms = await self._increment(
                keys=[self._key(key)], args=[int(amount), _ms(ttl_seconds)]
            )
        return Counter(value=int(value), expires_in=max(0.0, int(ttl_ms) / 1000))

    async def ping(self) -> None:
        """Asks Redis even while the breaker is open: readiness reports the cache as it is
        now, not a failure remembered from the last ``cooldown`` seconds (a timeout in a
        busy moment made a healthy cache read as down). An answer ends the cooldown, so a
        ready cache serves the next request instead of refusing it until the cooldown is
        over."""
        try:
            await self._client.ping()  # type: ignore[misc]
        except _FAILURES as exc:
            self._breaker.failed(exc)
            raise _unavailable() from exc
        self._breaker.answered()

    async def aclose(self) -> None:
        if self._close_client:
            # the connection pool was created by from_url, so it is ours to close
            await self._client.aclose(close_connection_pool=True)
