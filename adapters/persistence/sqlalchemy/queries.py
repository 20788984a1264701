"""SQL helpers every repository shares: guarded statements (a SAVEPOINT on PostgreSQL),
optimistic-version updates, LIKE escaping and text folding, ordering with NULLs last, a page
and its total in one round trip, short read connections."""

from __future__ import annotations

import functools
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable

from adapters.persistence.sqlalchemy.driver_reads import DriverSelect
from adapters.persistence.sqlalchemy.driver_writes import DriverStatement
from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.errors import (
    execute_checked,
    execute_unguarded,
    is_unavailable,
    unavailable,
)
from application.shared.pagination import Sort

S = TypeVar("S")
R = TypeVar("R")


async def execute_guarded(conn: AsyncConnection, statement: Executable) -> Result[Any]:
    """Run a statement that may violate a constraint; the transaction stays usable and a
    violation is raised as its domain error (``errors.execute_checked``).

    PostgreSQL aborts the whole transaction on an error, so the statement runs in a
    SAVEPOINT there; SQLite only undoes the failed statement, so no savepoint is needed.
    """
    return await execute_checked(conn, statement, guarded=True)


async def update_if_version(
    conn: AsyncConnection,
    table: sa.Table,
    id: Any,
    *,
    expected_version: int,
    new_version: int,
    values: Mapping[str, Any],
    guarded: bool = True,
) -> bool:
    """``UPDATE ... SET ..., version = :new WHERE id = :id AND version = :expected``.

    The aggregates bump their own version (possibly more than once per change), so the new
    version is the entity's, not ``version + 1``. Returns whether a row changed.
    ``guarded=False``: the caller will not go on after a violation, so no SAVEPOINT (two
    round trips fewer on PostgreSQL). Either way a violated constraint is raised as its
    domain error.
    """
    parameters = {**values, "version": new_version, _ID: id, _EXPECTED: expected_version}
    if not guarded:  # on psycopg's connection (PostgreSQL): ``driver_writes``
        executed = await execute_unguarded(conn, _driver_update(table), parameters)
        return executed.rowcount == 1
    result = await execute_checked(conn, _versioned_update(table), parameters, guarded=True)
    return isinstance(result, CursorResult) and result.rowcount == 1


_ID, _EXPECTED = "where_id", "where_version"  # no column is named so


@functools.cache
def _versioned_update(table: sa.Table) -> sa.Update:
    """One statement per table, its values bound at execution (the SET clause lists the
    parameters' columns): ``.values({...})`` on each call made SQLAlchemy coerce every value
    into a bound parameter and walk them all for its cache key, a sixth of a save's CPU."""
    return sa.update(table).where(
        table.c.id == sa.bindparam(_ID), table.c.version == sa.bindparam(_EXPECTED)
    )


@functools.cache
def _driver_update(table: sa.Table) -> DriverStatement:
    return DriverStatement(_versioned_update(table))


def const(*values: str) -> list[sa.ColumnElement[Any]]:
    """String constants rendered into the SQL text (our own enum values, never user input),
    so that PostgreSQL matches partial-index predicates even with generic (prepared) plans."""
    for value in values:
        if not value.replace("_", "").isalnum():
            raise ValueError(f"not a plain constant: {value!r}")
    return [sa.literal_column(f"'{value}'", sa.String()) for value in values]


def escape_like(value: str) -> str:
    """``value`` as a literal inside a LIKE pattern (escape character ``\\``)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


FOLD_FUNCTION = "atelier_fold"
_folding_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def fold_text(value: str | None) -> str | None:
    """What the memory adapter compares: blanks collapsed, casefolded (any alphabet)."""
    return None if value is None else " ".join(value.split()).casefold()


def install_fold_function(database: SqlDatabase) -> None:
    """SQLite: ``atelier_fold(text)`` (:func:`fold_text`) on every pooled connection, so
    ``q`` filters match accented capitals ("étalonnage" finds "Étalonnage"); SQLite's own
    LIKE and lower() fold ASCII letters only. Registered on checkout (once per connection),
    so connections pooled before the first maintenance unit of work get it too."""
    engine = database.engine.sync_engine
    if engine.dialect.name != "sqlite" or engine in _folding_engines:
        return
    _folding_engines.add(engine)

    @event.listens_for(engine, "checkout")
    def _register(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.get(FOLD_FUNCTION):
            return
        dbapi_connection.create_function(FOLD_FUNCTION, 1, fold_text, deterministic=True)
        record.info[FOLD_FUNCTION] = True


def contains_text(
    q: str | sa.BindParameter[str], *columns: sa.ColumnElement[Any], dialect: str
) -> sa.ColumnElement[bool]:
    """Case-insensitive substring of any column (``q`` already folded): ILIKE on
    PostgreSQL; on SQLite LIKE over ``atelier_fold(column)`` (see
    :func:`install_fold_function`). ``q`` may be a bound parameter: its value is then the
    whole pattern, ``like_pattern(q)``."""
    pattern = like_pattern(q) if isinstance(q, str) else q
    if dialect == "sqlite":
        return sa.or_(
            *(
                getattr(sa.func, FOLD_FUNCTION)(column).like(pattern, escape="\\")
                for column in columns
            )
        )
    return sa.or_(*(column.ilike(pattern, escape="\\") for column in columns))


def like_pattern(q: str) -> str:
    """The LIKE pattern of ``contains_text``: ``q`` anywhere, taken literally."""
    return f"%{escape_like(q)}%"


def ordered(
    statement: sa.Select[Any], key: sa.ColumnElement[Any], sort: Sort, id_column: sa.Column[Any]
) -> sa.Select[Any]:
    """As the memory adapter: ``None`` last in both directions, ties by id ascending.

    A NOT NULL column gets no ``NULLS`` clause, so PostgreSQL can read it from an index in
    either direction (``DESC`` means ``NULLS FIRST`` there).
    """
    direction = key.desc() if sort.descending else key.asc()
    nullable = not isinstance(key, sa.Column) or key.nullable
    order = direction.nulls_last() if nullable else direction
    return statement.order_by(order, id_column.asc())


#: The extra column of ``page_and_total``'s rows holding the total.
PAGE_TOTAL = "page_total_"


@dataclass(frozen=True, slots=True)
class PageStatements:
    """A list's two statements, built once per shape of filters when their values are bound
    parameters (see ``page_statements``)."""

    page: sa.Select[Any]  # the page's rows, each carrying the total; LIMIT/OFFSET bound
    count: sa.Select[Any]  # the total alone (for an empty page)
    rows: sa.Select[Any]  # the page's rows alone (the total known: see ``fetch_page``)


def page_statements(
    table: sa.Table,
    conditions: list[sa.ColumnElement[bool]],
    key: sa.ColumnElement[Any],
    sort: Sort,
    *,
    columns: Sequence[sa.ColumnElement[Any]] | None = None,
    count_cap: int | None = None,
) -> PageStatements:
    """One page of rows (every column, or only ``columns``) and the total by ``COUNT(*)``,
    in one round trip: the count is an uncorrelated scalar subquery (evaluated once,
    index-only where an index covers the filters) carried by every row. ``count_cap``:
    count at most that many matches (``SELECT count(*) FROM (SELECT 1 ... LIMIT cap)``): a
    bounded cost however large the table; a larger list reports ``count_cap``.

    ``LIMIT`` and ``OFFSET`` are the bound parameters ``page_limit`` and ``page_offset``. A
    caller whose ``conditions`` bind their values (``sa.bindparam``) can keep the result and
    run it again with other values: SQLAlchemy then neither rebuilds the statement nor
    recomputes its cache key, which cost more than mapping the page's rows."""
    if count_cap is None:
        count = sa.select(sa.func.count()).select_from(table).where(*conditions)
    else:
        matches = sa.select(sa.literal(1)).select_from(table).where(*conditions)
        count = sa.select(sa.func.count()).select_from(matches.limit(count_cap).subquery())
    selected = sa.select(*columns) if columns is not None else sa.select(table)
    total_column = count.scalar_subquery().label(PAGE_TOTAL)
    page = ordered(selected.add_columns(total_column).where(*conditions), key, sort, table.c.id)
    rows = ordered(selected.where(*conditions), key, sort, table.c.id)
    window = (
        sa.bindparam("page_limit", type_=sa.Integer),
        sa.bindparam("page_offset", type_=sa.Integer),
    )
    return PageStatements(
        page=page.limit(window[0]).offset(window[1]),
        count=count,
        rows=rows.limit(window[0]).offset(window[1]),
    )


async def fetch_page(
    conn: AsyncConnection,
    statements: PageStatements,
    parameters: Mapping[str, Any],
    *,
    limit: int,
    offset: int,
    known_total: int | None = None,
) -> tuple[list[sa.Row[Any]], int]:
    """Run ``statements`` with the conditions' ``parameters``: the page's rows and the
    total (only an empty page needs a second query for it). ``known_total``: the caller
    knows the total already (a count cap reached moments ago): the page is read without
    counting and that total returned, unless the page is empty (then it is counted)."""

    async def read(statement: sa.Select[Any], bound: dict[str, Any]) -> list[sa.Row[Any]]:
        return list((await conn.execute(statement, bound)).all())

    async def count() -> int:
        return int((await conn.execute(statements.count, dict(parameters))).scalar_one())

    return await _paged(
        read,
        count,
        statements.page,
        statements.rows,
        lambda row: int(row._mapping[PAGE_TOTAL]),
        parameters,
        limit=limit,
        offset=offset,
        known_total=known_total,
    )


@dataclass(frozen=True, slots=True)
class DriverPages:
    """A ``PageStatements`` read on the driver's connection (``DriverSelect``): rows as
    mappings, with no pass through SQLAlchemy's execution layer on PostgreSQL."""

    page: DriverSelect
    count: DriverSelect
    rows: DriverSelect

    @classmethod
    def of(cls, statements: PageStatements) -> DriverPages:
        return cls(
            DriverSelect(statements.page),
            DriverSelect(statements.count),
            DriverSelect(statements.rows),
        )

    async def fetch(
        self,
        conn: AsyncConnection,
        parameters: Mapping[str, Any],
        *,
        limit: int,
        offset: int,
        known_total: int | None = None,
    ) -> tuple[list[Mapping[str, Any]], int]:
        """``fetch_page``, on the driver."""

        async def read(statement: DriverSelect, bound: dict[str, Any]) -> list[Mapping[str, Any]]:
            return await statement.all(conn, bound)

        async def count() -> int:
            found = await self.count.tuples(conn, parameters)
            return int(found[0][0])

        return await _paged(
            read,
            count,
            self.page,
            self.rows,
            lambda row: int(row[PAGE_TOTAL]),
            parameters,
            limit=limit,
            offset=offset,
            known_total=known_total,
        )


async def _paged(
    read: Callable[[S, dict[str, Any]], Awaitable[list[R]]],
    count: Callable[[], Awaitable[int]],
    page: S,
    rows: S,
    total_of: Callable[[R], int],
    parameters: Mapping[str, Any],
    *,
    limit: int,
    offset: int,
    known_total: int | None,
) -> tuple[list[R], int]:
    """``fetch_page``'s steps, whatever runs the statements."""
    if limit <= 0:
        return [], await count()
    bound = {**parameters, "page_limit": limit, "page_offset": offset}
    if known_total is not None:
        found = await read(rows, bound)
        if found:
            return found, known_total
    else:
        found = await read(page, bound)
        if found:
            return found, total_of(found[0])
    return [], await count()


#: A total of at least ``KEPT_TOTAL_MIN`` is kept ``KEPT_TOTAL_SECONDS`` by ``KeptPages``.
KEPT_TOTAL_MIN = 1_000
KEPT_TOTAL_SECONDS = 5.0
_KEPT_MAX = 4_096  # kept statements or totals before a map starts afresh


class KeptPages:
    """A list's ``PageStatements`` built once per key (a shape of filters and sort whose
    values are bound), and its large totals kept for a moment: a count of at least
    ``KEPT_TOTAL_MIN`` is kept ``KEPT_TOTAL_SECONDS`` per filters (shape and values, per
    database), and the pages of the same filters are read without counting meanwhile. At a
    million rows counting 7,000 matches took 2.7 ms of PostgreSQL per page (the page itself
    0.4 ms); a total that large is a pager's figure, and may lag that long. Smaller totals
    are counted on every page. Per process; both maps are bounded."""

    def __init__(self) -> None:
        self._statements: dict[Hashable, DriverPages] = {}
        self._totals: dict[Hashable, tuple[float, int]] = {}

    async def fetch(
        self,
        conn: AsyncConnection,
        key: Hashable,
        build: Callable[[], PageStatements],
        filters: Hashable,
        values: Mapping[str, Any],
        *,
        limit: int,
        offset: int,
    ) -> tuple[list[Mapping[str, Any]], int]:
        """One page (rows as mappings, read on the driver: ``DriverPages``) and the total:
        ``key`` names the statements (``build`` makes them the first time), ``filters`` the
        count (the shape of ``values``, without the sort)."""
        statements = self._statements.get(key)
        if statements is None:
            if len(self._statements) >= _KEPT_MAX:
                self._statements.clear()
            statements = self._statements[key] = DriverPages.of(build())
        counted = (conn.engine.url, filters, tuple(values.items()))
        now = time.monotonic()
        until, kept = self._totals.get(counted, (0.0, 0))
        known = kept if until > now else None
        rows, total = await statements.fetch(
            conn, values, limit=limit, offset=offset, known_total=known
        )
        if known is None and total >= KEPT_TOTAL_MIN:
            if len(self._totals) >= _KEPT_MAX:
                self._totals.clear()
            self._totals[counted] = (now + KEPT_TOTAL_SECONDS, total)
        return rows, total


async def page_and_total(
    conn: AsyncConnection,
    table: sa.Table,
    conditions: list[sa.ColumnElement[bool]],
    key: sa.ColumnElement[Any],
    sort: Sort,
    *,
    limit: int,
    offset: int,
    columns: Sequence[sa.ColumnElement[Any]] | None = None,
    count_cap: int | None = None,
) -> tuple[list[sa.Row[Any]], int]:
    """``page_statements`` built for this call (values in ``conditions``) and run."""
    statements = page_statements(table, conditions, key, sort, columns=columns, count_cap=count_cap)
    return await fetch_page(conn, statements, {}, limit=limit, offset=offset)


@asynccontextmanager
async def read_connection(database: SqlDatabase) -> AsyncIterator[AsyncConnection]:
    """A short connection for read-only queries of committed data; "the database did not
    answer" becomes ``DependencyUnavailable`` (503)."""
    try:
        async with database.engine.connect() as conn:
            yield conn
    except Exception as exc:
        if is_unavailable(exc):
            raise unavailable(exc) from exc
        raise
