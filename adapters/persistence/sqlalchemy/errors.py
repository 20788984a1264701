"""Reading driver errors the same way on SQLite and PostgreSQL.

**Constraint violations** become domain errors in one place, for every repository:
:func:`execute_checked` (and the ``execute_guarded`` / ``update_if_version`` helpers built
on it) runs a statement and turns an ``IntegrityError`` into the error
``adapters/persistence/constraints.py`` builds for the violated constraint, naming the API
field: 422 ``unknown_reference`` (foreign key), 409 ``serial_taken`` / ``email_taken`` /
``duplicate_value``... (unique), 422 ``invalid_value`` (check, NOT NULL), 409
``still_referenced`` (a referred row), 409 with the rule's code for an exclusion constraint
(PostgreSQL: ``schedule_conflict``). The SQL unit of work applies the same translation to
any ``IntegrityError`` that reaches the end of its block (the safety net).

Which constraint failed: PostgreSQL names it (``diag.constraint_name``, SQLSTATE 23505,
23503, 23514, 23502, 23P01); it is looked up in the shared ``metadata`` (the naming convention makes
the names predictable) to find its table, column(s) and referred table. SQLite names the
columns of a unique or NOT NULL constraint and the name of a check, but not the foreign key
that failed: the failed statement's table and values (kept on the exception by
:func:`install_error_context`, or given by the caller) are probed, one referred table per
foreign key, on the error path only.

``unavailable`` turns "the database did not answer" (pool timeout, refused connection, lost
connection) into ``DependencyUnavailable``, which the HTTP edge answers with 503.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import ExceptionContext, Result
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import Delete, Update

from adapters.persistence import constraints
from adapters.persistence.sqlalchemy.driver_writes import DriverStatement, Executed
from adapters.persistence.sqlalchemy.metadata import metadata as shared_metadata
from domain.shared.errors import DependencyUnavailable, DomainError

Kind = Literal["unique", "foreign_key", "check", "not_null", "exclusion"]

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
CHECK_VIOLATION = "23514"
NOT_NULL_VIOLATION = "23502"
EXCLUSION_VIOLATION = "23P01"
_PG_KINDS: dict[str, Kind] = {
    EXCLUSION_VIOLATION: "exclusion",
    UNIQUE_VIOLATION: "unique",
    FOREIGN_KEY_VIOLATION: "foreign_key",
    CHECK_VIOLATION: "check",
    NOT_NULL_VIOLATION: "not_null",
}

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<what>.+)$")
_SQLITE_NOT_NULL = re.compile(r"NOT NULL constraint failed: (?P<what>.+)$")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (?P<what>.+)$")
_SQLITE_FOREIGN_KEY = "FOREIGN KEY constraint failed"
_CONTEXT = "atelier_statement"
"""Attribute of a StatementError: ``(statement, [parameters per row])`` that failed."""


@dataclass(frozen=True, slots=True)
class Violation:
    """What the driver said about a violated constraint."""

    kind: Kind
    constraint: str | None = None
    """Its name (PostgreSQL always; SQLite for checks and expression indexes)."""
    table: str | None = None
    columns: tuple[str, ...] = ()
    """SQLite (unique, NOT NULL) and PostgreSQL (NOT NULL) name the columns."""
    referred_side: bool = False
    """PostgreSQL foreign key: the change was to the referred row (update or delete)."""


def _sqlstate(exc: sa_exc.DBAPIError) -> str | None:
    state = getattr(exc.orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def _diag(exc: sa_exc.DBAPIError, name: str) -> str | None:
    value = getattr(getattr(exc.orig, "diag", None), name, None)
    return value if isinstance(value, str) else None


def _pg_constraint(exc: sa_exc.DBAPIError) -> str | None:
    return _diag(exc, "constraint_name")


def _table_columns(what: str) -> tuple[str | None, tuple[str, ...]]:
    """``"t.a, t.b"`` (SQLite) -> ``("t", ("a", "b"))``."""
    table, columns = None, []
    for part in what.split(","):
        name, _, column = part.strip().rpartition(".")
        table = name or table
        columns.append(column)
    return table, tuple(columns)


def read_violation(exc: sa_exc.DBAPIError) -> Violation | None:
    """The violated constraint, as far as the driver tells; None if not a violation."""
    state = _sqlstate(exc)
    if state is not None:
        kind = _PG_KINDS.get(state)
        if kind is None:
            return None
        column = _diag(exc, "column_name")
        message = _diag(exc, "message_primary") or ""
        return Violation(
            kind=kind,
            constraint=_pg_constraint(exc),
            table=_diag(exc, "table_name"),
            columns=(column,) if column else (),
            referred_side=message.startswith("update or delete on table"),
        )
    text = str(exc.orig)
    if _SQLITE_FOREIGN_KEY in text:
        return Violation(kind="foreign_key")
    if match := _SQLITE_UNIQUE.search(text):
        what = match.group("what").strip()
        if what.startswith("index "):
            return Violation(kind="unique", constraint=what.removeprefix("index ").strip("'\""))
        table, columns = _table_columns(what)
        return Violation(kind="unique", table=table, columns=columns)
    if match := _SQLITE_NOT_NULL.search(text):
        table, columns = _table_columns(match.group("what").strip())
        return Violation(kind="not_null", table=table, columns=columns)
    if match := _SQLITE_CHECK.search(text):
        return Violation(kind="check", constraint=match.group("what").strip())
    return None


# -- the schema's constraints, by name --------------------------------------------------------
def _named(metadata: sa.MetaData, name: str) -> tuple[sa.Table, Any] | None:
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if str(constraint.name) == name:
                return table, constraint
        for index in table.indexes:
            if str(index.name) == name:
                return table, index
    return None


def _unique_named_by_columns(
    metadata: sa.MetaData, table_name: str, columns: Sequence[str]
) -> str | None:
    """SQLite names columns, not the constraint: find the unique constraint over them."""
    table = metadata.tables.get(table_name)
    if table is None:
        return None
    wanted = set(columns)
    items: list[Any] = [*table.constraints, *table.indexes]
    for item in items:
        unique = isinstance(item, sa.UniqueConstraint | sa.PrimaryKeyConstraint) or (
            isinstance(item, sa.Index) and item.unique
        )
        if unique and {c.name for c in item.columns} == wanted:
            return str(item.name)
    return None


def _check_columns(constraint: Any) -> list[str]:
    """The columns a check constraint reads: its own, the Column objects of its expression,
    else the table's column names that appear in its SQL text."""
    columns = [c.name for c in getattr(constraint, "columns", ())]
    if columns:
        return columns
    found: list[str] = []
    for element in sa.sql.visitors.iterate(constraint.sqltext):
        if isinstance(element, sa.Column) and element.name not in found:
            found.append(element.name)
    table = getattr(constraint, "table", None)
    if not found and isinstance(table, sa.Table):
        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", str(constraint.sqltext)))
        found = [column.name for column in table.columns if column.name in words]
    return found


def _sorted_foreign_keys(table: sa.Table) -> list[sa.ForeignKeyConstraint]:
    """In the order of their first column in the table (the memory twins check alike)."""
    order = {column.name: n for n, column in enumerate(table.columns)}
    keys = [c for c in table.constraints if isinstance(c, sa.ForeignKeyConstraint)]
    return sorted(keys, key=lambda fk: min(order.get(key, 0) for key in fk.column_keys))


# -- statement context --------------------------------------------------------------------
Rows = list[Mapping[str, Any]]


def install_error_context(engine: AsyncEngine) -> None:
    """Keep the failed Core statement and its parameters on the error, so that the unit of
    work can still tell which SQLite foreign key failed when a repository did not."""

    @event.listens_for(engine.sync_engine, "handle_error")
    def _keep_statement(context: ExceptionContext) -> None:
        error, execution = context.sqlalchemy_exception, context.execution_context
        compiled = getattr(execution, "compiled", None)
        if error is None or compiled is None:
            return
        rows = list(getattr(execution, "compiled_parameters", None) or [])
        setattr(error, _CONTEXT, (compiled.statement, rows))


def _rows_of(statement: Any, parameters: Any) -> Rows:
    """The values each row of ``statement`` wrote, by column key."""
    if isinstance(parameters, Sequence) and parameters and not isinstance(parameters, str):
        return [row for row in parameters if isinstance(row, Mapping)]
    try:
        compiled: dict[str, Any] = dict(statement.compile().params)
    except (sa_exc.SQLAlchemyError, AttributeError, TypeError):  # nothing to probe
        compiled = {}
    if isinstance(parameters, Mapping):
        compiled.update(parameters)
    return [compiled]


def _context(exc: BaseException, statement: Any, parameters: Any) -> tuple[Any, Rows]:
    if statement is not None:
        return statement, _rows_of(statement, parameters)
    kept = getattr(exc, _CONTEXT, None)
    if isinstance(kept, tuple) and len(kept) == 2:
        return kept[0], list(kept[1])
    return None, []


# -- translation ------------------------------------------------------------------------------
async def constraint_error(
    conn: AsyncConnection | None,
    exc: sa_exc.IntegrityError,
    *,
    statement: Any = None,
    parameters: Any = None,
    metadata: sa.MetaData = shared_metadata,
) -> DomainError | None:
    """The domain error for a violated constraint, or None when ``exc`` is something else.

    ``conn`` is used on SQLite only, to find which foreign key points nowhere (the
    transaction must still be usable: SQLite undoes only the failed statement).
    """
    violation = read_violation(exc)
    if violation is None:
        return None
    if metadata is shared_metadata:  # every module's tables, for constraints across modules
        from adapters.persistence.sqlalchemy.tables import load_all

        load_all()
    statement, rows = _context(exc, statement, parameters)
    target: sa.Table | None = getattr(statement, "table", None)
    if not isinstance(target, sa.Table):
        target = None
    if violation.kind == "unique":
        return _unique_error(violation, target, metadata)
    if violation.kind == "exclusion":  # PostgreSQL only; it names the constraint
        name = violation.constraint or ""
        found = _named(metadata, name)
        table_name = found[0].name if found else (violation.table or "")
        return constraints.excluded(table_name, name)
    if violation.kind == "foreign_key":
        return await _foreign_key_error(conn, violation, statement, target, rows, metadata)
    if violation.kind == "check":
        name = violation.constraint or "check"
        found = _named(metadata, name)
        table_name = found[0].name if found else (target.name if target is not None else "")
        columns = _check_columns(found[1]) if found else []
        return constraints.invalid_value(table_name, columns, name)
    table_name = violation.table or (target.name if target is not None else "")
    return constraints.invalid_value(table_name, violation.columns, "not null")


def _unique_error(
    violation: Violation, target: sa.Table | None, metadata: sa.MetaData
) -> DomainError:
    name = violation.constraint
    if name is None and violation.table is not None:
        name = _unique_named_by_columns(metadata, violation.table, violation.columns)
    found = _named(metadata, name) if name else None
    if found is not None:
        table, item = found
        return constraints.duplicate(table.name, [c.name for c in item.columns], name)
    table_name = violation.table or (target.name if target is not None else "")
    return constraints.duplicate(table_name, violation.columns, name)


async def _foreign_key_error(
    conn: AsyncConnection | None,
    violation: Violation,
    statement: Any,
    target: sa.Table | None,
    rows: Rows,
    metadata: sa.MetaData,
) -> DomainError:
    if violation.constraint is not None:  # PostgreSQL names it
        found = _named(metadata, violation.constraint)
        if found is not None and isinstance(found[1], sa.ForeignKeyConstraint):
            fk: sa.ForeignKeyConstraint = found[1]
            referred = fk.referred_table.name
            if violation.referred_side:
                return constraints.still_referenced(referred, fk.table.name)
            return constraints.unknown_reference(fk.table.name, fk.column_keys[0], referred)
    if target is None:
        return constraints.unknown_reference(violation.table or "", "reference", "row")
    if isinstance(statement, Delete):
        return constraints.still_referenced(target.name)
    foreign_keys = _sorted_foreign_keys(target)
    written = [fk for fk in foreign_keys if any(fk.column_keys[0] in row for row in rows)]
    if isinstance(statement, Update) and not written:
        return constraints.still_referenced(target.name)  # the row's own key changed
    if conn is not None:
        for fk in written:
            for row in rows:
                if not await _refers_to_existing(conn, fk, row):
                    return constraints.unknown_reference(
                        target.name, fk.column_keys[0], fk.referred_table.name
                    )
    # the probes found every row (a race with a concurrent delete): name the likeliest key
    candidates = written or foreign_keys
    if not candidates:
        return constraints.still_referenced(target.name)
    likeliest = candidates[0]
    return constraints.unknown_reference(
        target.name, likeliest.column_keys[0], likeliest.referred_table.name
    )


async def _refers_to_existing(
    conn: AsyncConnection, fk: sa.ForeignKeyConstraint, row: Mapping[str, Any]
) -> bool:
    conditions = []
    for element in fk.elements:
        value = row.get(element.parent.key)
        if value is None:
            return True  # NULL refers to nothing and is always allowed
        conditions.append(element.column == value)
    probe = sa.select(sa.literal(1)).select_from(fk.referred_table).where(*conditions).limit(1)
    return (await conn.execute(probe)).first() is not None


async def execute_checked(
    conn: AsyncConnection,
    statement: Executable,
    parameters: Any = None,
    *,
    guarded: bool = True,
    metadata: sa.MetaData = shared_metadata,
) -> Result[Any]:
    """Execute ``statement``; a violated constraint becomes its domain error.

    ``guarded``: the transaction stays usable after a violation (PostgreSQL aborts the whole
    transaction on an error, so the statement runs in a SAVEPOINT there; SQLite only undoes
    the failed statement and needs none -- a SAVEPOINT is even harmful there, see
    ``identity/guard.py``). Unguarded statements save two round trips on PostgreSQL when the
    caller will not go on after a violation.
    """
    try:
        if guarded and conn.dialect.name == "postgresql":
            async with conn.begin_nested():
                return await conn.execute(statement, parameters)
        return await conn.execute(statement, parameters)
    except sa_exc.IntegrityError as exc:
        error = await constraint_error(
            conn, exc, statement=statement, parameters=parameters, metadata=metadata
        )
        if error is None:
            raise
        raise error from exc


async def execute_unguarded(
    conn: AsyncConnection, statement: DriverStatement, parameters: Mapping[str, Any]
) -> Executed:
    """``execute_checked(..., guarded=False)`` of a statement built once, on psycopg's
    connection on PostgreSQL (``driver_writes.DriverStatement``): for the writes of a
    command, which does not go on after a violation. A violated constraint becomes its
    domain error, as there."""
    try:
        return await statement.execute(conn, parameters)
    except sa_exc.IntegrityError as exc:
        error = await constraint_error(
            conn, exc, statement=statement.statement, parameters=parameters
        )
        if error is None:
            raise
        raise error from exc


# -- older predicates (still handy in tests and special cases) --------------------------------
def is_unique_violation(
    exc: sa_exc.IntegrityError,
    constraint_name: str | None = None,
    *,
    metadata: sa.MetaData = shared_metadata,
) -> bool:
    """True when ``exc`` is a unique violation (of ``constraint_name`` when given)."""
    violation = read_violation(exc)
    if violation is None or violation.kind != "unique":
        return False
    if constraint_name is None:
        return True
    name = violation.constraint
    if name is None and violation.table is not None:
        name = _unique_named_by_columns(metadata, violation.table, violation.columns)
    return name == constraint_name


def is_foreign_key_violation(
    exc: sa_exc.IntegrityError, constraint_name: str | None = None
) -> bool:
    """True when ``exc`` is a foreign-key violation (``constraint_name`` is only checked on
    PostgreSQL: SQLite does not say which foreign key failed)."""
    violation = read_violation(exc)
    if violation is None or violation.kind != "foreign_key":
        return False
    return constraint_name is None or violation.constraint in (None, constraint_name)


UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    sa_exc.TimeoutError,  # the pool had no connection to give within pool_timeout
    sa_exc.OperationalError,  # refused, lost, timed out, "database is locked"
    sa_exc.InterfaceError,
    ConnectionError,
)


def is_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, UNAVAILABLE_ERRORS):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


def unavailable(exc: BaseException | None = None) -> DependencyUnavailable:
    """The error a use case's caller sees when the database does not answer."""
    return DependencyUnavailable(
        "The database is not available; try again shortly.", code="database_unavailable"
    )


__all__ = [
    "Violation",
    "constraint_error",
    "execute_checked",
    "install_error_context",
    "is_foreign_key_violation",
    "is_unavailable",
    "is_unique_violation",
    "read_violation",
    "unavailable",
]
