"""Every constraint of the schema becomes a 4xx domain error naming the field, on SQLite and
PostgreSQL: one case per foreign key and per unique constraint, generated from the
SQLAlchemy metadata (a table or key added later is covered without touching this file).

Rows are synthesised from the column types; the parent rows a valid row needs are inserted
first, then the one foreign key under test is pointed at an id that does not exist. Each case
runs in a transaction that is rolled back, so the shared PostgreSQL database keeps nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sqlalchemy import tables
from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.errors import execute_checked
from adapters.persistence.sqlalchemy.maintenance import SqlMaintenanceUnitOfWork
from adapters.persistence.sqlalchemy.metadata import NAMING_CONVENTION
from adapters.persistence.sqlalchemy.migrations import upgrade
from domain.shared.errors import (
    DomainError,
    DuplicateValue,
    StillReferenced,
    UnknownReference,
    ValidationFailed,
)
from entrypoints.http.errors import domain_status

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
METADATA = tables.load_all()

FOREIGN_KEYS = sorted(
    (fk for table in METADATA.sorted_tables for fk in table.foreign_key_constraints),
    key=lambda fk: str(fk.name),
)
#: deleting what these refer to is refused (the others cascade)
RESTRICTING = [
    fk for fk in FOREIGN_KEYS if (fk.ondelete or "").upper() not in {"CASCADE", "SET NULL"}
]
UNIQUES = sorted(
    (
        (table, item)
        for table in METADATA.sorted_tables
        for item in [*table.constraints, *table.indexes]
        if isinstance(item, sa.UniqueConstraint | sa.PrimaryKeyConstraint)
        or (isinstance(item, sa.Index) and item.unique)
    ),
    key=lambda pair: str(pair[1].name),
)
#: columns whose API field has another name (derived, normalised or hashed columns)
RENAMED = {
    "users.email_normalized": "email",
    "equipment.serial_key": "serial_number",
    "categories.name_key": "name",
    "colors.name_key": "name",
    "themes.name_key": "name",
    "theme_colors.color_id": "color_ids",
}
#: unique constraints with a code of their own (API.md and the existing answers)
CODES = {
    "uq_users_email_normalized": "email_taken",
    "uq_equipment_serial_key": "serial_taken",
    "uq_technicians_user_id": "technician_exists",
    "uq_interventions_preventive_key": "preventive_exists",
    "uq_variable_types_name": "variable_type_taken",
    "uq_categories_name_key": "name_taken",
    "uq_colors_name_key": "name_taken",
    "uq_themes_name_key": "name_taken",
}


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One migrated SQLite file for the module (every case rolls back)."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('constraints') / 'constraints.db'}"
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest) -> AsyncIterator[SqlDatabase]:
    if request.param == "sqlite":
        url: str = request.getfixturevalue("sqlite_url")
    else:
        url = request.getfixturevalue("migrated_postgres_url")
    db = SqlDatabase.from_settings(url=url, pool_size=2, max_overflow=1)
    try:
        yield db
    finally:
        await db.aclose()


@pytest.fixture
async def conn(database: SqlDatabase) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction that is rolled back at the end."""
    async with database.engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


#: columns a check constraint orders after another column's sample (``NOW``)
LATER = {"schedule_entries.ends_at"}


def _sample(column: sa.Column[Any]) -> Any:
    kind = column.type
    if f"{column.table.name}.{column.name}" in LATER:
        return NOW + timedelta(hours=1)
    if isinstance(kind, sa.Uuid):
        return uuid.uuid4()
    if isinstance(kind, sa.JSON):
        return []
    if isinstance(kind, sa.Boolean):
        return True
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, sa.Date):
        return date(2026, 11, 21)
    if isinstance(kind, sa.DateTime) or "DateTime" in type(kind).__name__:
        return NOW
    if isinstance(kind, sa.String):
        text = uuid.uuid4().hex
        return text[: kind.length] if kind.length else text
    raise AssertionError(f"no sample for {column} ({kind!r})")


async def make_row(
    conn: AsyncConnection, table: sa.Table, *, every_reference: bool = False, **given: Any
) -> dict[str, Any]:
    """A valid row of ``table``: its parent rows are inserted, nullable columns left out
    (``every_reference``: nullable foreign keys are filled too)."""
    row: dict[str, Any] = {}
    for column in table.columns:
        if column.name in given:
            row[column.name] = given[column.name]
            continue
        foreign = next(iter(column.foreign_keys), None)
        if foreign is not None:
            if column.nullable and not every_reference:
                continue
            parent = await insert_row(conn, foreign.column.table)
            row[column.name] = parent[foreign.column.name]
        elif not column.nullable or column.primary_key:
            row[column.name] = _sample(column)
    return row


async def insert_row(
    conn: AsyncConnection, table: sa.Table, *, every_reference: bool = False, **given: Any
) -> dict[str, Any]:
    row = await make_row(conn, table, every_reference=every_reference, **given)
    await conn.execute(sa.insert(table).values(row))
    return row


def _key(table: sa.Table, row: dict[str, Any]) -> sa.ColumnElement[bool]:
    return sa.and_(*(column == row[column.name] for column in table.primary_key.columns))


def _field(table: sa.Table, column: str) -> str:
    return RENAMED.get(f"{table.name}.{column}", column)


def _four_xx(error: DomainError) -> int:
    status = domain_status(error)
    assert 400 <= status < 500, status
    return status


def test_the_schema_has_foreign_keys_and_unique_constraints_to_check() -> None:
    names = {str(fk.name) for fk in FOREIGN_KEYS}
    assert "fk_equipment_owner_id_users" in names
    assert "fk_interventions_equipment_id_equipment" in names
    assert "fk_technicians_user_id_users" in names
    assert "uq_equipment_serial_key" in {str(item.name) for _, item in UNIQUES}


@pytest.mark.parametrize("fk", FOREIGN_KEYS, ids=lambda fk: str(fk.name))
async def test_a_foreign_key_that_points_nowhere_is_unknown_reference(
    conn: AsyncConnection, fk: sa.ForeignKeyConstraint
) -> None:
    table, column = fk.table, fk.column_keys[0]
    expected = _field(table, column)
    # insert
    row = await make_row(conn, table)
    row[column] = uuid.uuid4()
    with pytest.raises(UnknownReference) as inserted:
        await execute_checked(conn, sa.insert(table).values(row))
    assert inserted.value.code == "unknown_reference"
    assert [e.field for e in inserted.value.errors] == [expected]
    assert _four_xx(inserted.value) == 422
    # update (the transaction is still usable after a guarded statement)
    valid = await insert_row(conn, table)
    change = sa.update(table).where(_key(table, valid)).values({column: uuid.uuid4()})
    with pytest.raises(UnknownReference) as updated:
        await execute_checked(conn, change)
    assert [e.field for e in updated.value.errors] == [expected]


@pytest.mark.parametrize("fk", RESTRICTING, ids=lambda fk: str(fk.name))
async def test_deleting_a_referred_row_is_still_referenced(
    conn: AsyncConnection, fk: sa.ForeignKeyConstraint
) -> None:
    child = await insert_row(conn, fk.table, every_reference=True)
    value = child[fk.column_keys[0]]
    referred = fk.referred_table
    target = fk.elements[0].column
    with pytest.raises(StillReferenced) as caught:
        await execute_checked(conn, sa.delete(referred).where(target == value))
    assert _four_xx(caught.value) == 409


@pytest.mark.parametrize(
    ("table", "unique"), UNIQUES, ids=lambda item: str(getattr(item, "name", "") or "")
)
async def test_a_taken_unique_value_is_409_naming_the_field(
    conn: AsyncConnection, table: sa.Table, unique: Any
) -> None:
    nullable = {c.name: _sample(c) for c in unique.columns if c.nullable and not c.foreign_keys}
    first = await insert_row(conn, table, every_reference=True, **nullable)
    columns = [column.name for column in unique.columns]
    second = await make_row(conn, table, **{name: first[name] for name in columns})
    with pytest.raises(DuplicateValue) as caught:
        await execute_checked(conn, sa.insert(table).values(second))
    assert [e.field for e in caught.value.errors] == [_field(table, c) for c in columns]
    assert caught.value.code == CODES.get(str(unique.name), caught.value.code)
    if str(unique.name) not in CODES and not str(unique.name).startswith("uq_schedule"):
        assert caught.value.code in {"duplicate_value", "calendar_feed_exists"}
    assert _four_xx(caught.value) == 409


async def test_the_unit_of_work_translates_what_a_repository_left_raw(
    database: SqlDatabase,
) -> None:
    """The safety net: a raw statement inside a unit of work, no helper around it."""
    equipment = METADATA.tables["equipment"]
    async with database.engine.connect() as conn:
        row = await make_row(conn, equipment, owner_id=uuid.uuid4())
        await conn.rollback()
    with pytest.raises(UnknownReference) as caught:
        async with SqlMaintenanceUnitOfWork(database) as uow:
            await uow.connection.execute(sa.insert(equipment).values(row))
    assert [e.field for e in caught.value.errors] == ["owner_id"]
    async with SqlMaintenanceUnitOfWork(database) as uow:  # nothing was kept
        found = await uow.connection.execute(sa.select(equipment.c.id).where(_key(equipment, row)))
        assert found.first() is None


async def test_check_and_not_null_constraints_are_422_naming_the_field(
    conn: AsyncConnection,
) -> None:
    scratch = sa.MetaData(naming_convention=NAMING_CONVENTION)
    name = f"probe_{uuid.uuid4().hex[:8]}"
    probe = sa.Table(
        name,
        scratch,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("label", sa.String(20), nullable=False),
        sa.CheckConstraint("quantity > 0", name="positive_quantity"),
    )
    await conn.run_sync(scratch.create_all)
    with pytest.raises(ValidationFailed) as checked:
        await execute_checked(
            conn, sa.insert(probe).values(id=1, quantity=0, label="x"), metadata=scratch
        )
    assert checked.value.code == "invalid_value"
    assert [e.field for e in checked.value.errors] == ["quantity"]
    with pytest.raises(ValidationFailed) as missing:
        await execute_checked(
            conn, sa.insert(probe).values(id=2, quantity=1, label=None), metadata=scratch
        )
    assert missing.value.code == "invalid_value"
    assert [e.field for e in missing.value.errors] == ["label"]
    assert _four_xx(missing.value) == 422
