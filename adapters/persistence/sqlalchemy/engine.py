"""``SqlDatabase``: one AsyncEngine configured for SQLite (aiosqlite) or PostgreSQL (psycopg).

Construction does no I/O; the first connection is opened on first use.

Every wait on PostgreSQL is bounded, so a database that stops answering (frozen, a dead
host, a partition) costs a request a known time and then a 503: waiting for a pooled
connection (``pool_timeout``), opening one (``connect_timeout``), and each round trip of an
open connection: the server cancels a statement after ``statement_timeout``, and the client
gives up ``OPERATION_GRACE_SECONDS`` later (a server that cannot even cancel). A connection
that timed out on the client side is closed at once instead of being cancelled: psycopg's
cancellation waits for the server (up to 10 s), which is what made a cancelled
``asyncio.wait_for`` block.

The pool is fixed-size by default (``max_overflow`` 0): SQLAlchemy closes an overflow
connection as soon as it is returned while the pool is full, so under a steady load above
``pool_size`` every request opened a new PostgreSQL backend (a process fork, authentication,
and its prepared statements lost) -- 21 % fewer reads per second in the benchmark than a
request waiting its turn for a pooled connection (bounded by ``pool_timeout``).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from adapters.filesystem import ensure_private_dir, ensure_private_file
from adapters.persistence.sqlalchemy.errors import (
    install_error_context,
    is_unavailable,
    unavailable,
)
from adapters.persistence.sqlalchemy.metadata import POSTGRES_SESSION_OPTIONS

IDLE_PING_SECONDS = 5.0
OPERATION_GRACE_SECONDS = 1.0
"""The client waits this much longer than ``statement_timeout`` for an answer."""
POOL_RECYCLE_SECONDS = 1800
PREPARE_THRESHOLD = 1
"""psycopg prepares a statement on its second execution (its default: the sixth)."""
PREPARED_MAX = 512
"""Prepared statements kept per connection (psycopg's default: 100)."""
QUERY_CACHE_SIZE = 2_000
"""SQLAlchemy's compiled-statement cache per engine (its default: 500): every statement of
every module stays compiled (a statement not in it is compiled again on each run)."""
_LAST_USED = "atelier_last_used"

SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA synchronous=NORMAL",
)


def normalise_url(url: str | URL) -> URL:
    """Pick the async driver: ``sqlite`` -> aiosqlite, ``postgresql`` -> psycopg."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite" and parsed.get_driver_name() != "aiosqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend not in {"sqlite", "postgresql"}:
        raise ValueError(f"unsupported database URL backend {backend!r} (sqlite or postgresql)")
    return parsed


def _sqlite_path(url: URL) -> Path | None:
    if not url.database or is_sqlite_memory(url) or url.database.startswith("file:"):
        return None
    return Path(url.database).expanduser()


def prepare_sqlite_file(url: URL) -> None:
    """Create the database file 0600 (its folder 0700) before SQLite does: SQLite creates
    the ``-wal`` and ``-shm`` files with the mode of the database file."""
    path = _sqlite_path(url)
    if path is not None:
        ensure_private_file(path)


def is_sqlite_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def install_sqlite_pragmas(engine: AsyncEngine) -> None:
    """Pragmas on every connection, and transactions that SQLAlchemy (not the driver) begins.

    The sqlite3 driver's own transaction handling sends no BEGIN before a SAVEPOINT or a
    SELECT, so reads are not isolated and a released savepoint commits. Turning it off
    (``isolation_level = None``) and emitting ``BEGIN IMMEDIATE`` ourselves gives every
    unit of work a real transaction that holds the write lock from its start: units of
    work are serialised (SERIALIZABLE, like the memory twin), so optimistic-version checks
    answer 412 and schedule checks answer 409 instead of "database is locked".
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def install_idle_ping(engine: AsyncEngine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """Pessimistic disconnect handling without a round trip on every checkout.

    A pooled connection that sat unused for more than ``idle_seconds`` (when a server restart,
    a failover or an idle timeout may have killed it) is pinged before it is handed out; a
    dead one is discarded and the pool checks out another (``DisconnectionError`` from a
    checkout listener). A connection used moments ago is handed out directly: if the server
    went away in between, the statement fails, SQLAlchemy sees the disconnect and invalidates
    the pool, and that request answers 503 (``DependencyUnavailable``) -- as one already in
    flight would have anyway. ``pool_pre_ping`` would cost a round trip per unit of work.
    """
    sync_engine = engine.sync_engine
    dialect = sync_engine.dialect

    @event.listens_for(sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_LAST_USED] = time.monotonic()

    @event.listens_for(sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last_used = record.info.get(_LAST_USED)  # None: connected just now
        if last_used is None or time.monotonic() - last_used <= idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise sa_exc.DisconnectionError("idle connection failed its ping") from exc


@functools.cache
def _bounded_connection_class() -> type[Any]:
    """``psycopg.AsyncConnection`` whose every wait for the server has a deadline.

    psycopg waits on the socket without a time limit (and a frozen server still has its
    kernel acknowledge the packets, so TCP timeouts never fire). ``wait`` is where every
    round trip of a connection waits; past ``operation_timeout`` psycopg raises its
    ``_WaitTimeout`` (an ``OperationalError``), and the connection, in an unknown state, is
    closed: SQLAlchemy then sees a disconnect and discards it from the pool.
    """
    import psycopg
    import psycopg.connection_async

    interval_default: float = getattr(psycopg.connection_async, "_WAIT_INTERVAL", 0.1)
    timeout_error: type[BaseException] = getattr(
        psycopg.errors, "_WaitTimeout", psycopg.errors.OperationalError
    )

    class BoundedAsyncConnection(psycopg.AsyncConnection[Any]):
        operation_timeout: float | None = None

        async def wait(
            self,
            gen: Any,
            interval: float = interval_default,
            timeout: float | None = None,  # noqa: ASYNC109 - psycopg's own signature
        ) -> Any:
            deadline = timeout if timeout is not None else self.operation_timeout
            try:
                return await super().wait(gen, interval, deadline)
            except timeout_error as exc:
                if timeout is not None or deadline is None:
                    raise  # a wait psycopg bounded itself
                self.pgconn.finish()
                raise psycopg.OperationalError(
                    f"the database did not answer within {deadline:g} s; connection closed"
                ) from exc

    return BoundedAsyncConnection


def bounded_connect(operation_timeout: float) -> Callable[..., Awaitable[Any]]:
    """The ``async_creator_fn`` of the psycopg dialect: connections with a deadline."""
    connection_class = _bounded_connection_class()

    async def connect(*args: Any, **kwargs: Any) -> Any:
        connection = await connection_class.connect(*args, **kwargs)
        connection.operation_timeout = operation_timeout
        # server-side prepared statements: a statement is prepared on its second run (a
        # one-off never takes server memory) and then only bound and executed; room for every
        # statement the modules run (SQLAlchemy's cached SQL strings), so none is evicted and
        # prepared again in a loop
        connection.prepare_threshold = PREPARE_THRESHOLD
        connection.prepared_max = PREPARED_MAX
        return connection

    return connect


class SqlDatabase:
    """The application's database: an engine plus health and shutdown hooks."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    def from_settings(
        cls,
        *,
        url: str,
        pool_size: int = 20,
        max_overflow: int = 0,
        pool_timeout: float = 2.0,
        statement_timeout_ms: int = 5_000,
        connect_timeout: float = 2.0,
        echo: bool = False,
    ) -> SqlDatabase:
        if not url:
            raise ValueError("a database URL is required (ATELIER_DATABASE_URL)")
        parsed = normalise_url(url)
        if parsed.get_backend_name() == "sqlite":
            return cls(_sqlite_engine(parsed, pool_timeout=pool_timeout, echo=echo))
        engine = create_async_engine(
            parsed,
            echo=echo,
            json_serializer=_json_encode,
            json_deserializer=msgspec.json.decode,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout=pool_timeout,
            pool_recycle=POOL_RECYCLE_SECONDS,
            query_cache_size=QUERY_CACHE_SIZE,
            connect_args={
                "application_name": "atelier",
                "options": f"-c statement_timeout={int(statement_timeout_ms)} "
                + POSTGRES_SESSION_OPTIONS,
                # libpq's minimum is 2 s; a black-holed host must not hang a request.
                "connect_timeout": max(2, math.ceil(connect_timeout)),
                "async_creator_fn": bounded_connect(
                    statement_timeout_ms / 1000 + OPERATION_GRACE_SECONDS
                ),
            },
        )
        install_idle_ping(engine)
        install_error_context(engine)
        return cls(engine)

    @staticmethod
    def worst_case_seconds(
        *, pool_timeout: float, statement_timeout_ms: int, connect_timeout: float
    ) -> float:
        """The longest one unit of work waits for a PostgreSQL that does not answer before
        ``database_unavailable``: the wait for a pooled connection, a round trip of that
        connection (an idle one is pinged first), and opening a new one in its place."""
        operation = statement_timeout_ms / 1000 + OPERATION_GRACE_SECONDS
        return pool_timeout + operation + max(2, math.ceil(connect_timeout))

    @property
    def dialect_name(self) -> str:
        return self.engine.dialect.name

    async def ping(self) -> None:
        """``SELECT 1``; raises ``DependencyUnavailable`` when the database does not answer."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        except Exception as exc:
            if is_unavailable(exc):
                raise unavailable(exc) from exc
            raise

    async def aclose(self) -> None:
        await self.engine.dispose()


def _json_encode(value: Any) -> str:
    """JSON columns through msgspec (faster than the standard library, same output types)."""
    return msgspec.json.encode(value).decode()


def _sqlite_engine(url: URL, *, pool_timeout: float, echo: bool) -> AsyncEngine:
    if is_sqlite_memory(url):
        engine = create_async_engine(
            url.set(database=":memory:"),
            echo=echo,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
        )
    else:
        path = _sqlite_path(url)
        if path is not None:
            ensure_private_dir(path.parent)  # the file itself on first connection
        engine = create_async_engine(
            url,
            echo=echo,
            pool_timeout=pool_timeout,
            json_serializer=_json_encode,
            json_deserializer=msgspec.json.decode,
        )

        @event.listens_for(engine.sync_engine, "do_connect")
        def _private_file(*_args: Any) -> None:
            prepare_sqlite_file(url)

    install_sqlite_pragmas(engine)
    install_error_context(engine)
    return engine
