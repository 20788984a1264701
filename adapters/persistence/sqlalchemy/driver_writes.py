"""Writes on psycopg's own connection: a command's statements (:class:`DriverStatement`), and a
unit of work's closing inserts with its COMMIT in one round trip (:func:`commit_with`).

A write through SQLAlchemy's execution layer (the greenlet hop of the async layer, the
execution context, the result) costs more CPU than psycopg's own work. A ``DriverStatement``
stays a SQLAlchemy construct, built once and compiled once per set of parameters; on
PostgreSQL it runs on the unit of work's connection with each value through its column's
bind processor, so it sends what SQLAlchemy sends. ``errors.execute_unguarded`` translates
its violations as ``execute_checked`` does.

Every command's transaction ends the same way: its audit rows, its outbox rows, ``COMMIT``.
Through SQLAlchemy that is three round trips, each through its execution layer. On
PostgreSQL :func:`commit_with` queues them in psycopg's pipeline and waits for the server
once; the rows still pass SQLAlchemy's bind processing (``UtcDateTime`` refuses a naive
timestamp, JSON columns are encoded with the engine's serializer), from a statement compiled
once per set of columns. A driver error is raised as SQLAlchemy raises it (an
``IntegrityError`` is translated by the unit of work as ever, a lost connection is 503), and
nothing is committed: the transaction is rolled back by the unit of work. Elsewhere (SQLite)
the inserts and the commit run through SQLAlchemy, one after the other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from psycopg.rows import dict_row
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sqlalchemy.driver_reads import on_driver


@dataclass(frozen=True, slots=True)
class Executed:
    """What a write did: rows changed (``rowcount``) and the rows it returned."""

    rowcount: int
    rows: list[Mapping[str, Any]]


class DriverStatement:
    """An INSERT, UPDATE or DELETE built once: on PostgreSQL run on psycopg's connection
    (the unit of work's: same transaction, prepared-statement cache and deadline), compiled
    once per set of parameters given, each value through its column's bind processor;
    elsewhere (SQLite) through SQLAlchemy. A statement that would leave a column to a
    Python-side default (which only SQLAlchemy's execution fills) runs through SQLAlchemy."""

    def __init__(self, statement: sa.Insert | sa.Update | sa.Delete) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, ...], Any] = {}

    def compiled_for(self, conn: AsyncConnection, row: Mapping[str, Any]) -> Any | None:
        """The statement compiled for ``conn``'s dialect and the parameters ``row`` gives
        (once per set of names), or None when SQLAlchemy would fill one more."""
        names = tuple(row)
        key = (conn.dialect.name, *names)
        if key not in self._compiled:
            compiled = self.statement.compile(dialect=conn.dialect, column_keys=list(names))
            self._compiled[key] = None if set(compiled.binds) - set(names) else compiled
        return self._compiled[key]

    def bound(self, compiled: Any, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Each row's values as SQLAlchemy sends them: through the columns' bind
        processors, ``None`` included (a JSON column encodes it as ``null``, as SQLAlchemy
        does)."""
        processors: Mapping[str, Any] = compiled._bind_processors
        bound = []
        for row in rows:
            params = compiled.construct_params(dict(row))
            for key, process in processors.items():
                if key in params:
                    params[key] = process(params[key])
            bound.append(params)
        return bound

    async def execute(self, conn: AsyncConnection, params: Mapping[str, Any]) -> Executed:
        """Run with ``params``; errors are SQLAlchemy's (``DBAPIError.instance``)."""
        compiled = None if conn.dialect.name != "postgresql" else self.compiled_for(conn, params)
        if compiled is None:
            result: Any = await conn.execute(self.statement, dict(params))
            rows = [row._mapping for row in result] if result.returns_rows else []
            return Executed(result.rowcount, rows)
        sql: str = compiled.string
        (bound,) = self.bound(compiled, [params])
        async with (
            on_driver(conn, sql, bound) as driver,
            driver.cursor(row_factory=dict_row) as cursor,
        ):
            await cursor.execute(sql, bound)
            found = await cursor.fetchall() if cursor.description is not None else []
            return Executed(cursor.rowcount, found)


class DriverInsert(DriverStatement):
    """``INSERT INTO table`` of many rows, each row giving every column it inserts (for
    :func:`commit_with`)."""

    def __init__(self, table: sa.Table) -> None:
        super().__init__(sa.insert(table))

    def checked_for(self, conn: AsyncConnection, rows: Sequence[Mapping[str, Any]]) -> Any:
        """``compiled_for`` the rows' columns, refused when a column would be left to a
        Python-side default: the batch is written whole on the driver or not at all."""
        compiled = self.compiled_for(conn, rows[0])
        if compiled is None:
            names = list(rows[0])
            binds = self.statement.compile(dialect=conn.dialect, column_keys=names).binds
            raise ValueError(f"rows give no value for {sorted(set(binds) - set(names))}")
        return compiled


async def commit_with(
    conn: AsyncConnection, writes: Sequence[tuple[DriverInsert, Sequence[Mapping[str, Any]]]]
) -> None:
    """Insert each batch of rows, then commit: one round trip on PostgreSQL."""
    writes = [(insert, rows) for insert, rows in writes if rows]
    if not writes:
        await conn.commit()
        return
    if conn.dialect.name != "postgresql":
        for insert, rows in writes:
            insert.checked_for(conn, rows)  # the same refusal of unfilled columns
            await conn.execute(insert.statement, [dict(row) for row in rows])
        await conn.commit()
        return
    batches: list[tuple[str, list[dict[str, Any]]]] = []
    for insert, rows in writes:
        compiled = insert.checked_for(conn, rows)
        batches.append((compiled.string, insert.bound(compiled, rows)))
    # the server answers the whole pipeline at once: an error names every statement
    statements = "; ".join([*(sql for sql, _ in batches), "COMMIT"])
    async with on_driver(conn, statements, {}) as driver, driver.pipeline():
        async with driver.cursor() as cursor:
            for sql, batch in batches:
                await cursor.executemany(sql, batch)
        await driver.commit()  # queued with the inserts; waits for all of them
    # SQLAlchemy's own transaction: the driver's is committed, so no round trip
    await conn.commit()
