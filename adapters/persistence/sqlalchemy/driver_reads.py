"""Hot reads on psycopg's own connection, past SQLAlchemy's execution layer.

Reading one row by key, SQLAlchemy's execution path (the greenlet hop of the async layer, the
execution context, the result metadata, ``Row`` objects) costs more CPU than psycopg's own
work. :class:`DriverSelect` keeps the statement a SQLAlchemy construct, compiles it once, and
on PostgreSQL runs it on the unit of work's own connection: the same transaction, the same
prepared-statement cache (``engine.bounded_connect``: prepared on its second run) and the
same deadline on every wait for the server. Rows come back as dicts. A driver error is raised
as SQLAlchemy raises it (``DBAPIError.instance``: an ``OperationalError`` stays one, so the
unit of work answers 503 as ever), and a lost connection is invalidated so that the pool
discards it. Elsewhere (SQLite) it is ``AsyncConnection.execute``.

Parameters go to psycopg as given, without SQLAlchemy's bind processing: only for values
psycopg adapts to the column's type by itself (UUIDs, aware datetimes, text, numbers).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from psycopg import Error as DriverError
from psycopg.rows import dict_row, tuple_row
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection


def checked_out(conn: AsyncConnection) -> Any:
    """The pool's connection under ``conn`` (its ``driver_connection`` is psycopg's) while
    ``conn`` holds a valid one, else None: read with no I/O and no greenlet hop."""
    sync = conn.sync_connection
    if sync is None or sync.closed or sync.invalidated:
        return None
    return sync.connection


class DriverSelect:
    """A SELECT read on the driver's connection where that is psycopg."""

    def __init__(self, statement: sa.Select[Any]) -> None:
        self._statement = statement
        self._compiled: Any = None

    def _compile(self, conn: AsyncConnection) -> Any:
        """The statement compiled for PostgreSQL (once): ``%(name)s`` placeholders."""
        if self._compiled is None:
            self._compiled = self._statement.compile(dialect=conn.dialect)
        return self._compiled

    async def first(
        self, conn: AsyncConnection, params: Mapping[str, Any]
    ) -> Mapping[str, Any] | None:
        """The first row, or None."""
        if conn.dialect.name != "postgresql":
            row = (await conn.execute(self._statement, dict(params))).first()
            return None if row is None else row._mapping
        rows = await self._run(conn, params, many=False)
        return rows[0] if rows else None

    async def all(
        self, conn: AsyncConnection, params: Mapping[str, Any]
    ) -> list[Mapping[str, Any]]:
        """Every row."""
        if conn.dialect.name != "postgresql":
            return [row._mapping for row in await conn.execute(self._statement, dict(params))]
        return await self._run(conn, params, many=True)

    async def tuples(
        self, conn: AsyncConnection, params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """Every row as a tuple, in the order of the statement's columns: for many rows read
        by position (psycopg builds tuples in C; a dict per row costs a Python call)."""
        if conn.dialect.name != "postgresql":
            return [tuple(row) for row in await conn.execute(self._statement, dict(params))]
        rows: list[tuple[Any, ...]] = await self._run(conn, params, many=True, factory=tuple_row)
        return rows

    async def _run(
        self,
        conn: AsyncConnection,
        params: Mapping[str, Any],
        *,
        many: bool,
        factory: Any = dict_row,
    ) -> list[Any]:
        compiled = self._compile(conn)
        sql: str = compiled.string
        # the caller's values, with those the statement holds itself (a LIMIT 1); a
        # parameter left without a value is refused here, as SQLAlchemy refuses it
        params = compiled.construct_params(dict(params))
        if compiled.post_compile_params:  # an IN list: expanded as SQLAlchemy expands it
            expanded = compiled.construct_expanded_state(params)
            sql, params = expanded.statement, expanded.parameters
        async with (
            on_driver(conn, sql, params) as driver,
            driver.cursor(row_factory=factory) as cursor,
        ):
            await cursor.execute(sql, params)
            if many:
                rows: list[Any] = await cursor.fetchall()
                return rows
            found = await cursor.fetchone()
            return [] if found is None else [found]


@asynccontextmanager
async def on_driver(
    conn: AsyncConnection, sql: str, params: Mapping[str, Any]
) -> AsyncIterator[Any]:
    """psycopg's connection under ``conn`` (connecting it if need be); a driver error in the
    block is raised as SQLAlchemy raises it for ``sql`` and ``params``."""
    fairy = checked_out(conn) or await conn.get_raw_connection()  # (re)connects or raises
    try:
        yield fairy.driver_connection
    except DriverError as exc:
        raise await _as_sqlalchemy_error(conn, fairy, sql, params, exc) from exc


async def _as_sqlalchemy_error(
    conn: AsyncConnection, fairy: Any, sql: str, params: Mapping[str, Any], exc: DriverError
) -> BaseException:
    dialect = conn.dialect
    error: Any = exc
    lost = dialect.is_disconnect(error, fairy.dbapi_connection, None)
    if lost:
        await conn.invalidate(exc)
    return sa_exc.DBAPIError.instance(
        sql,
        dict(params),
        exc,
        dialect.loaded_dbapi.Error,
        connection_invalidated=lost,
        dialect=dialect,
    )
