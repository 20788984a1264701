"""A unit of work's closing inserts and its COMMIT in one round trip, on psycopg's pipeline.

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
from typing import Any

import sqlalchemy as sa
from psycopg import Error as DriverError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sqlalchemy.driver_reads import as_sqlalchemy_error, checked_out


class DriverInsert:
    """``INSERT INTO table`` of many rows, each row giving every column it inserts."""

    def __init__(self, table: sa.Table) -> None:
        self.statement = sa.insert(table)
        self._compiled: dict[tuple[str, ...], Any] = {}

    def compiled_for(self, conn: AsyncConnection, rows: Sequence[Mapping[str, Any]]) -> Any:
        """The statement compiled for ``conn``'s dialect and the columns ``rows`` give
        (once per set of columns); refused when it would leave a column to a Python-side
        default, which only SQLAlchemy's execution fills."""
        columns = tuple(rows[0])
        key = (conn.dialect.name, *columns)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self.statement.compile(dialect=conn.dialect, column_keys=list(columns))
            unfilled = set(compiled.binds) - set(columns)
            if unfilled:  # a Python-side default SQLAlchemy's execution would have filled
                raise ValueError(f"rows give no value for {sorted(unfilled)}")
            self._compiled[key] = compiled
        return compiled

    def bound(
        self, conn: AsyncConnection, rows: Sequence[Mapping[str, Any]]
    ) -> tuple[str, list[dict[str, Any]]]:
        """The SQL (``%(name)s`` placeholders) and each row's values as SQLAlchemy sends
        them: through the columns' bind processors, ``None`` included (a JSON column
        encodes it as ``null``, as SQLAlchemy does)."""
        compiled = self.compiled_for(conn, rows)
        processors: Mapping[str, Any] = compiled._bind_processors
        bound = []
        for row in rows:
            params = compiled.construct_params(dict(row))
            for key, process in processors.items():
                if key in params:
                    params[key] = process(params[key])
            bound.append(params)
        return compiled.string, bound


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
            insert.compiled_for(conn, rows)  # the same refusal of unfilled columns
            await conn.execute(insert.statement, [dict(row) for row in rows])
        await conn.commit()
        return
    batches = [insert.bound(conn, rows) for insert, rows in writes]
    fairy = checked_out(conn) or await conn.get_raw_connection()  # (re)connects or raises
    driver: Any = fairy.driver_connection
    try:
        async with driver.pipeline():
            async with driver.cursor() as cursor:
                for sql, batch in batches:
                    await cursor.executemany(sql, batch)
            await driver.commit()  # queued with the inserts; waits for all of them
    except DriverError as exc:
        # the server answers the whole pipeline at once: the error names every statement
        statements = "; ".join([*(sql for sql, _ in batches), "COMMIT"])
        raise await as_sqlalchemy_error(conn, fairy, statements, {}, exc) from exc
    # SQLAlchemy's own transaction: the driver's is committed, so no round trip
    await conn.commit()
