"""The one ``MetaData`` every context's tables join, and portable column helpers.

Constraint and index names come from the naming convention, so migrations can name
them (``pk_<table>``, ``uq_<table>_<cols>``, ``fk_<table>_<cols>_<referred>``...) and
``is_unique_violation`` can find a constraint by name on both backends.

Types are portable: ``sa.Uuid`` (native on PostgreSQL, CHAR(32) on SQLite), JSON (JSONB on
PostgreSQL), and ``UtcDateTime``, which always hands back aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


POSTGRES_SESSION_OPTIONS = "-c TimeZone=UTC"
"""Given to every PostgreSQL connection (libpq ``options``): timestamps come back in UTC."""


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back as an aware UTC ``datetime``.

    Naive datetimes are refused (they are the bug this type exists to prevent). SQLite
    stores the UTC wall time as text; PostgreSQL uses ``timestamp with time zone``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UtcDateTime expects a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("UtcDateTime refuses a naive datetime; pass an aware one")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """None on PostgreSQL: every connection pins its session to ``TimeZone=UTC``
        (``POSTGRES_SESSION_OPTIONS``), so psycopg already returns aware ``datetime``s in
        ``datetime.UTC``, and no Python call per value is made (a list of 50 rows reads
        hundreds of timestamps)."""
        if dialect.name == "postgresql":
            return None
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def copy(self, **kw: Any) -> UtcDateTime:
        return UtcDateTime()


def json_type() -> sa.types.TypeEngine[Any]:
    """JSON on SQLite, JSONB on PostgreSQL."""
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def uuid_pk(name: str = "id") -> sa.Column[Any]:
    """A UUID primary key; values come from the domain (``new_id()``, UUIDv7)."""
    return sa.Column(name, sa.Uuid(), primary_key=True)


def uuid_column(name: str, *, nullable: bool = False, **kw: Any) -> sa.Column[Any]:
    return sa.Column(name, sa.Uuid(), nullable=nullable, **kw)


def utc_timestamp(name: str, *, nullable: bool = False, **kw: Any) -> sa.Column[Any]:
    return sa.Column(name, UtcDateTime(), nullable=nullable, **kw)


def json_column(name: str, *, nullable: bool = False, **kw: Any) -> sa.Column[Any]:
    return sa.Column(name, json_type(), nullable=nullable, **kw)


def version_column() -> sa.Column[Any]:
    """The optimistic-concurrency counter (see ``update_versioned``)."""
    return sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
