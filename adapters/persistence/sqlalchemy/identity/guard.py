"""Running a statement that may violate a constraint without spoiling the transaction;
a violation becomes its domain error (``errors.execute_checked``).

PostgreSQL aborts the whole transaction on an error, so the statement runs inside a
SAVEPOINT. SQLite only undoes the failed statement, and a SAVEPOINT there is harmful: the
pysqlite driver emits no BEGIN before it, so the SAVEPOINT itself opens the transaction and
its RELEASE commits everything done so far (a later rollback would undo nothing).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable

from adapters.persistence.sqlalchemy.errors import execute_checked


async def execute_guarded(conn: AsyncConnection, statement: Executable) -> Result[Any]:
    """Execute ``statement``; if it fails, the transaction stays usable on both backends and
    a violated constraint is raised as its domain error."""
    return await execute_checked(conn, statement, guarded=True)
