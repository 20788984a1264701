"""What psycopg is given: every statement an async cursor executes in a block.

Both of the adapters' paths end in ``psycopg.AsyncCursor.execute``: SQLAlchemy's execution
(its async adapter's cursor) and the driver's own (``DriverSelect``, ``DriverStatement``), so
a test sees the SQL really sent, whichever path sends it. (``driver_writes.commit_with``
queues its rows with ``executemany`` in a pipeline: not seen here.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg


@contextmanager
def sent_to_psycopg(containing: str = "") -> Iterator[list[tuple[str, Any]]]:
    """The ``(statement, parameters)`` executed in the block whose text has ``containing``."""
    captured: list[tuple[str, Any]] = []
    execute = psycopg.AsyncCursor.execute

    async def capture(cursor: Any, query: Any, params: Any = None, **kw: Any) -> Any:
        text = query.decode() if isinstance(query, bytes) else str(query)
        if containing in text:
            captured.append((text, params))
        return await execute(cursor, query, params, **kw)

    psycopg.AsyncCursor.execute = capture  # type: ignore[method-assign,assignment]
    try:
        yield captured
    finally:
        psycopg.AsyncCursor.execute = execute  # type: ignore[method-assign]
