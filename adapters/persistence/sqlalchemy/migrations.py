"""Running Alembic from Python: the CLI, app start-up and the tests call these.

They are synchronous. Alembic's env.py runs its own event loop (``asyncio.run``), so when
called from inside a running loop the work is done in a worker thread (the caller's loop
is blocked meanwhile: call them at start-up, not per request).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

import migrations as migrations_package
from adapters.persistence.sqlalchemy import tables
from adapters.persistence.sqlalchemy.engine import SqlDatabase

T = TypeVar("T")


def script_location() -> Path:
    return Path(migrations_package.__path__[0])


def alembic_config(url: str) -> Config:
    """A programmatic config: the installed ``migrations`` scripts, this database URL."""
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _outside_loop(function: Callable[[], T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="alembic") as executor:
        return executor.submit(function).result()


def upgrade(url: str, revision: str = "head") -> None:
    _outside_loop(lambda: command.upgrade(alembic_config(url), revision))


def downgrade(url: str, revision: str = "base") -> None:
    _outside_loop(lambda: command.downgrade(alembic_config(url), revision))


def _with_connection(url: str, work: Callable[[Connection], T]) -> T:
    async def run() -> T:
        database = SqlDatabase.from_settings(url=url, pool_size=1, max_overflow=0)
        try:
            async with database.engine.connect() as conn:
                return await conn.run_sync(work)
        finally:
            await database.aclose()

    return _outside_loop(lambda: asyncio.run(run()))


def current(url: str) -> str | None:
    """The revision the database is at (``None`` before the first upgrade)."""
    return _with_connection(
        url, lambda conn: MigrationContext.configure(conn).get_current_revision()
    )


def only_on_its_dialect(dialect_name: str) -> Callable[..., bool]:
    """Autogenerate's ``include_object``: an index or constraint declared for one dialect
    only (``.ddl_if(dialect=...)``, e.g. PostgreSQL's list indexes) is compared on that
    dialect only; expression indexes (``lower(title) COLLATE "C"``) are not compared (the
    reflected text never equals the model's expression; ``test_list_plans`` checks they are
    used)."""

    def include(obj: Any, _name: Any, type_: str, _reflected: bool, _compare_to: Any) -> bool:
        if type_ == "index" and any(
            not isinstance(element, sa.Column) for element in getattr(obj, "expressions", ())
        ):
            return False  # an expression index: reflected as text, never equal to the model's
        condition = getattr(obj, "_ddl_if", None)
        wanted = getattr(condition, "dialect", None)
        if wanted is None:
            return True
        return dialect_name in ((wanted,) if isinstance(wanted, str) else tuple(wanted))

    return include


def pending_differences(url: str) -> list[Any]:
    """Autogenerate's diff between the tables' metadata and the live schema.

    Empty means the migrations create exactly what the code declares.
    """

    def compare(conn: Connection) -> list[Any]:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "render_as_batch": conn.dialect.name == "sqlite",
                "include_object": only_on_its_dialect(conn.dialect.name),
            },
        )
        return list(compare_metadata(context, tables.load_all()))

    return _with_connection(url, compare)
