"""Optimistic concurrency: update a row only if nobody changed it since it was read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sqlalchemy.errors import execute_checked


async def update_versioned(
    conn: AsyncConnection,
    table: sa.Table,
    id: Any,
    expected_version: int,
    values: Mapping[str, Any],
) -> bool:
    """``UPDATE table SET ..., version = version + 1 WHERE id = :id AND version = :expected``.

    Returns whether a row changed; ``False`` means the row is gone or was updated by
    someone else (the caller raises ``PreconditionFailed`` / ``Conflict``). A violated
    constraint is raised as its domain error (``errors.execute_checked``).
    """
    statement = (
        sa.update(table)
        .where(table.c.id == id, table.c.version == expected_version)
        .values({**values, "version": table.c.version + 1})
    )
    result = await execute_checked(conn, statement, guarded=False)
    return isinstance(result, CursorResult) and result.rowcount == 1
