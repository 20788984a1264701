"""Alembic environment: async engine, the shared metadata, batch mode on SQLite."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any

import sqlalchemy as sa
from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import async_engine_from_config

from adapters.persistence.sqlalchemy.engine import normalise_url, prepare_sqlite_file
from adapters.persistence.sqlalchemy.metadata import UtcDateTime
from adapters.persistence.sqlalchemy.migrations import only_on_its_dialect
from adapters.persistence.sqlalchemy.tables import load_all

config = context.config

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = load_all()  # the platform's tables and every module's


def database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from entrypoints.bootstrap.settings import load_settings

        url = load_settings().effective_database_url
    if not url:
        raise RuntimeError("no database URL: set ATELIER_DATABASE_URL (or sqlalchemy.url)")
    return normalise_url(url).render_as_string(hide_password=False)


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Autogenerate writes plain SQLAlchemy types, never our Python-side decorators."""
    if type_ != "type":
        return False
    if isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, sa.JSON) and "postgresql" in getattr(obj, "_variant_mapping", {}):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'
    return False


def _options(dialect_name: str) -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "compare_type": True,
        "render_as_batch": dialect_name == "sqlite",
        "render_item": render_item,
        "include_object": only_on_its_dialect(dialect_name),
    }


def run_migrations_offline() -> None:
    url = database_url()
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **_options(make_url(url).get_backend_name()),
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, **_options(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


def ensure_sqlite_folder(url: str) -> None:
    """The SQLite file is created 0600 in a 0700 folder (see ``prepare_sqlite_file``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        prepare_sqlite_file(parsed)


async def run_async_migrations(url: str) -> None:
    section = dict(config.get_section(config.config_ini_section, {}))
    section["sqlalchemy.url"] = url
    connectable = async_engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    try:
        async with connectable.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await connectable.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    _url = database_url()
    ensure_sqlite_folder(_url)
    asyncio.run(run_async_migrations(_url))
