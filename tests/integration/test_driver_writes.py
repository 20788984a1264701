"""``commit_with``: a unit of work's closing inserts and its COMMIT (one round trip on
PostgreSQL, through psycopg's pipeline) write what SQLAlchemy writes, and fail as it fails:
nothing is committed, the error is SQLAlchemy's, and the connection stays usable."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from adapters.persistence.sqlalchemy.driver_writes import DriverInsert, DriverStatement, commit_with
from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.errors import execute_unguarded
from adapters.persistence.sqlalchemy.metadata import (
    NAMING_CONVENTION,
    json_column,
    utc_timestamp,
    uuid_pk,
)
from domain.shared.errors import DuplicateValue
from domain.shared.ids import new_id
from tests.support.databases import database_with_tables

SUFFIX = uuid.uuid4().hex[:8]
metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
notes = sa.Table(
    f"t_driver_notes_{SUFFIX}",
    metadata,
    uuid_pk(),
    sa.Column("title", sa.String(50), nullable=False),
    json_column("body", nullable=True),
    utc_timestamp("at"),
)
marks = sa.Table(
    f"t_driver_marks_{SUFFIX}",
    metadata,
    uuid_pk(),
    sa.Column("label", sa.String(20), nullable=False, unique=True),
    utc_timestamp("at", default=lambda: datetime.now(UTC)),
)
NOTES, MARKS = DriverInsert(notes), DriverInsert(marks)
AT = datetime(2026, 11, 2, 9, 15, 30, 120, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlDatabase]:
    async with database_with_tables(
        request, metadata, tmp_path / "writes.db", pool_size=1, pool_timeout=2
    ) as db:
        yield db


def note(title: str, body: Any, at: datetime = AT) -> dict[str, Any]:
    return {"id": new_id(), "title": title, "body": body, "at": at}


async def stored(database: SqlDatabase, table: sa.Table) -> list[dict[str, Any]]:
    async with database.engine.connect() as conn:
        rows = await conn.execute(sa.select(table).order_by(table.c.id))
        return [dict(row._mapping) for row in rows]


async def test_rows_are_written_as_sqlalchemy_writes_them(database: SqlDatabase) -> None:
    mine = [note("json", {"a": [1, "é", None], "b": 2.5}), note("null", None), note("text", "x")]
    theirs = [note(n["title"], n["body"]) for n in mine]
    mark = {"id": new_id(), "label": "first", "at": AT}
    async with database.engine.connect() as conn:
        await conn.begin()
        await commit_with(conn, [(NOTES, mine), (MARKS, [mark]), (NOTES, [])])
        assert not conn.in_transaction()
        await conn.begin()
        await conn.execute(sa.insert(notes), theirs)
        await conn.commit()
    rows = await stored(database, notes)
    assert rows[:3] == mine
    # what SQLAlchemy's own insert stored, value for value (JSON null included)
    assert [{**r, "id": None} for r in rows[3:]] == [{**r, "id": None} for r in rows[:3]]
    assert await stored(database, marks) == [mark]


async def test_a_failing_insert_commits_nothing_and_the_connection_goes_on(
    database: SqlDatabase,
) -> None:
    async with database.engine.begin() as conn:
        await conn.execute(sa.insert(marks), [{"id": new_id(), "label": "taken", "at": AT}])
    async with database.engine.connect() as conn:
        await conn.begin()
        await conn.execute(sa.insert(notes), [note("made in the transaction", None)])
        with pytest.raises(sa_exc.IntegrityError):
            await commit_with(
                conn,
                [
                    (NOTES, [note("queued first", [1])]),
                    (MARKS, [{"id": new_id(), "label": "taken", "at": AT}]),
                ],
            )
        await conn.rollback()
    assert await stored(database, notes) == []
    assert [m["label"] for m in await stored(database, marks)] == ["taken"]
    async with database.engine.connect() as conn:  # the pool's one connection, usable
        await conn.begin()
        await commit_with(conn, [(NOTES, [note("after", None)])])
    assert [n["title"] for n in await stored(database, notes)] == ["after"]


async def test_values_pass_the_columns_bind_processing(database: SqlDatabase) -> None:
    naive = note("naive", None, at=datetime(2026, 11, 2, 9, 15))
    async with database.engine.connect() as conn:
        await conn.begin()
        with pytest.raises((ValueError, sa_exc.StatementError), match=r"timezone|aware|naive"):
            await commit_with(conn, [(NOTES, [naive])])
        await conn.rollback()
    assert await stored(database, notes) == []


async def test_rows_must_give_what_a_python_side_default_would_fill(
    database: SqlDatabase,
) -> None:
    async with database.engine.connect() as conn:
        await conn.begin()
        with pytest.raises(ValueError, match="at"):
            await commit_with(conn, [(MARKS, [{"id": new_id(), "label": "no time"}])])
        await conn.rollback()


async def test_with_nothing_to_insert_it_commits_the_transaction(database: SqlDatabase) -> None:
    row = note("earlier", {"k": "v"})
    async with database.engine.connect() as conn:
        await conn.begin()
        await conn.execute(sa.insert(notes), [row])
        await commit_with(conn, [(NOTES, []), (MARKS, [])])
    assert await stored(database, notes) == [row]


RENAME = DriverStatement(
    sa.update(notes).where(notes.c.id == sa.bindparam("note_id")).values(title=sa.bindparam("to"))
)
ADD_RETURNING = DriverStatement(sa.insert(notes).returning(notes.c.id, notes.c.title))
ADD_MARK = DriverStatement(sa.insert(marks))


async def test_a_statement_reports_its_rowcount_and_returned_rows(database: SqlDatabase) -> None:
    row = note("old", {"k": 1})
    async with database.engine.connect() as conn:
        await conn.begin()
        added = await execute_unguarded(conn, ADD_RETURNING, row)
        assert [dict(r) for r in added.rows] == [{"id": row["id"], "title": "old"}]
        renamed = await execute_unguarded(conn, RENAME, {"note_id": row["id"], "to": "new"})
        assert (renamed.rowcount, renamed.rows) == (1, [])
        missing = await execute_unguarded(conn, RENAME, {"note_id": new_id(), "to": "x"})
        assert missing.rowcount == 0
        await conn.commit()
    assert [n["title"] for n in await stored(database, notes)] == ["new"]


async def test_a_python_side_default_is_left_to_sqlalchemy(database: SqlDatabase) -> None:
    async with database.engine.connect() as conn:
        await conn.begin()
        await execute_unguarded(conn, ADD_MARK, {"id": new_id(), "label": "defaulted"})
        await conn.commit()
    (mark,) = await stored(database, marks)
    assert mark["label"] == "defaulted"
    assert mark["at"].utcoffset() is not None


async def test_a_violation_is_its_domain_error_and_the_connection_goes_on(
    database: SqlDatabase,
) -> None:
    taken = {"id": new_id(), "label": "taken", "at": AT}
    async with database.engine.connect() as conn:
        await conn.begin()
        await execute_unguarded(conn, ADD_MARK, taken)
        with pytest.raises(DuplicateValue) as raised:  # as execute_checked translates it
            await execute_unguarded(conn, ADD_MARK, {**taken, "id": new_id()})
        assert isinstance(raised.value.__cause__, sa_exc.IntegrityError)
        await conn.rollback()
        await conn.begin()
        await execute_unguarded(conn, ADD_MARK, taken)
        await conn.commit()
    assert await stored(database, marks) == [taken]
