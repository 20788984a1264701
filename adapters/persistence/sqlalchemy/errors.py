"""Reading driver errors the same way on SQLite and PostgreSQL.

``is_unique_violation`` / ``is_foreign_key_violation`` let repositories turn an
``IntegrityError`` into a domain ``Conflict``; ``unavailable`` turns "the database did not
answer" (pool timeout, refused connection, lost connection) into ``DependencyUnavailable``,
which the HTTP edge answers with 503.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from adapters.persistence.sqlalchemy.metadata import metadata as shared_metadata
from domain.shared.errors import DependencyUnavailable

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<what>.+)$")


def _sqlstate(exc: sa_exc.DBAPIError) -> str | None:
    state = getattr(exc.orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def _pg_constraint(exc: sa_exc.DBAPIError) -> str | None:
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return name if isinstance(name, str) else None


def _columns_of(constraint_name: str, metadata: sa.MetaData) -> set[str] | None:
    """``{"table.col", ...}`` of a named unique constraint or unique index, if known."""
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if (
                isinstance(constraint, sa.UniqueConstraint | sa.PrimaryKeyConstraint)
                and str(constraint.name) == constraint_name
            ):
                return {f"{table.name}.{col.name}" for col in constraint.columns}
        for index in table.indexes:
            if index.unique and str(index.name) == constraint_name:
                return {f"{table.name}.{col.name}" for col in index.columns}
    return None


def is_unique_violation(
    exc: sa_exc.IntegrityError,
    constraint_name: str | None = None,
    *,
    metadata: sa.MetaData = shared_metadata,
) -> bool:
    """True when ``exc`` is a unique violation (of ``constraint_name`` when given).

    PostgreSQL reports the constraint name; SQLite reports ``table.column`` names (or
    ``index 'name'`` for an expression index), so the name is looked up in ``metadata``.
    """
    state = _sqlstate(exc)
    if state is not None:
        if state != UNIQUE_VIOLATION:
            return False
        return constraint_name is None or _pg_constraint(exc) == constraint_name
    match = _SQLITE_UNIQUE.search(str(exc.orig))
    if match is None:
        return False
    if constraint_name is None:
        return True
    what = match.group("what").strip()
    if what.startswith("index "):
        return what.removeprefix("index ").strip("'\"") == constraint_name
    columns = _columns_of(constraint_name, metadata)
    return columns is not None and {c.strip() for c in what.split(",")} == columns


def is_foreign_key_violation(
    exc: sa_exc.IntegrityError, constraint_name: str | None = None
) -> bool:
    """True when ``exc`` is a foreign-key violation.

    SQLite does not say which foreign key failed, so ``constraint_name`` is only checked
    on PostgreSQL.
    """
    state = _sqlstate(exc)
    if state is not None:
        if state != FOREIGN_KEY_VIOLATION:
            return False
        return constraint_name is None or _pg_constraint(exc) == constraint_name
    return "FOREIGN KEY constraint failed" in str(exc.orig)


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
