"""Running a statement that may violate a constraint without spoiling the transaction.

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


async def execute_guarded(conn: AsyncConnection, statement: Executable) -> Result[Any]:
    """Execute ``statement``; if it fails, the transaction stays usable on both backends."""
    if conn.dialect.name != "postgresql":
        return await conn.execute(statement)
    async with conn.begin_nested():
        return await conn.execute(statement)
