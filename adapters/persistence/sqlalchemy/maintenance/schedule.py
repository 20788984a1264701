"""``SqlScheduleRepository``: planning entries and the per-technician booking lock.

Clashes: on PostgreSQL the exclusion constraint ``ex_schedule_entries_technician_slot``
refuses an overlapping entry of the same technician, whatever the instance; ``add`` skips
such a row (``ON CONFLICT DO NOTHING`` waits for a concurrent booking to commit, then skips)
and raises ``ScheduleConflict`` naming the entry it clashes with. On SQLite every unit of
work begins with ``BEGIN IMMEDIATE`` (see ``engine.install_sqlite_pragmas``) and holds the
write lock for its whole life: a check made in the transaction holds until its commit.

``lock_technician`` still serialises the multi-entry operations of one technician
(rescheduling, the weekly preventive plan) on PostgreSQL (``SELECT ... FOR UPDATE`` on the
technician row); bookings no longer take it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from adapters.persistence import constraints
from adapters.persistence.sqlalchemy.driver_writes import DriverStatement
from adapters.persistence.sqlalchemy.errors import execute_checked, execute_unguarded
from adapters.persistence.sqlalchemy.maintenance import mapping
from adapters.persistence.sqlalchemy.maintenance.tables import schedule_entries, technicians
from adapters.persistence.sqlalchemy.queries import (
    execute_guarded,
    update_if_version,
)
from adapters.persistence.sqlalchemy.repository import SqlRepository
from application.maintenance.ports import ScheduleFilters, ScheduleRepository
from domain.maintenance.scheduling import ScheduleConflict, ScheduleEntry, find_conflict
from domain.shared.errors import DuplicateValue, PreconditionFailed

S = schedule_entries.c
#: A new entry on PostgreSQL (values bound at execution, on psycopg's connection): a
#: duplicate or a clash is skipped, so the transaction stays usable without a SAVEPOINT.
_ADD = DriverStatement(postgresql.insert(schedule_entries).on_conflict_do_nothing().returning(S.id))
INTERVENTION_UNIQUE = "uq_schedule_entries_intervention_id"


def _entry_exists() -> DuplicateValue:
    return constraints.duplicate("schedule_entries", ["intervention_id"], INTERVENTION_UNIQUE)


class SqlScheduleRepository(SqlRepository, ScheduleRepository):
    async def lock_technician(self, technician_id: UUID) -> None:
        if not self._postgres:
            return  # SQLite: this transaction holds the write lock since BEGIN IMMEDIATE
        statement = (
            sa.select(technicians.c.id).where(technicians.c.id == technician_id).with_for_update()
        )
        await self._conn.execute(statement)

    async def _rows(
        self, *conditions: sa.ColumnElement[bool], limit: int | None = None, offset: int = 0
    ) -> list[ScheduleEntry]:
        statement = sa.select(schedule_entries).where(*conditions).order_by(S.starts_at, S.id)
        if limit is not None:
            statement = statement.limit(limit).offset(offset)
        return [mapping.entry(row) for row in await self._conn.execute(statement)]

    async def get(self, entry_id: UUID) -> ScheduleEntry | None:
        found = await self._rows(S.id == entry_id)
        return found[0] if found else None

    async def get_for_intervention(self, intervention_id: UUID) -> ScheduleEntry | None:
        found = await self._rows(S.intervention_id == intervention_id)
        return found[0] if found else None

    async def overlapping(
        self, starts_at: datetime, ends_at: datetime, *, technician_id: UUID | None = None
    ) -> Sequence[ScheduleEntry]:
        conditions = [S.starts_at < ends_at, S.ends_at > starts_at]
        if technician_id is not None:
            conditions.insert(0, S.technician_id == technician_id)
        return await self._rows(*conditions)

    async def add(self, entry: ScheduleEntry) -> None:
        if self._postgres:  # no SAVEPOINT: a duplicate is skipped, the transaction stays usable
            # a foreign key that points nowhere still fails (unknown_reference)
            added = await execute_unguarded(self._conn, _ADD, mapping.entry_row(entry))
            if not added.rows:
                # skipped: the intervention has an entry, or the exclusion constraint found a
                # clash (a concurrent booking waited for and committed): this statement's
                # fresh snapshot names it
                clash = find_conflict(
                    entry,
                    await self.overlapping(
                        entry.starts_at, entry.ends_at, technician_id=entry.technician_id
                    ),
                )
                if clash is not None:
                    raise ScheduleConflict(entry, clash)
                raise _entry_exists()
            return
        await execute_guarded(
            self._conn, sa.insert(schedule_entries).values(mapping.entry_row(entry))
        )

    async def save(self, entry: ScheduleEntry, *, expected_version: int) -> None:
        row = mapping.entry_row(entry)
        values = {k: v for k, v in row.items() if k not in {"id", "version"}}
        saved = await update_if_version(
            self._conn,
            schedule_entries,
            entry.id,
            expected_version=expected_version,
            new_version=entry.version,
            values=values,
            guarded=False,  # no caller goes on after a clash (ScheduleConflict): no SAVEPOINT
        )
        if not saved:
            raise PreconditionFailed("The planning entry was changed by someone else.")

    async def remove(self, entry_id: UUID) -> None:
        await execute_checked(
            self._conn, sa.delete(schedule_entries).where(S.id == entry_id), guarded=False
        )

    async def list(
        self, filters: ScheduleFilters, *, limit: int, offset: int
    ) -> tuple[Sequence[ScheduleEntry], int]:
        f = filters
        conditions: list[sa.ColumnElement[bool]] = []
        if f.technician_id is not None:
            conditions.append(S.technician_id == f.technician_id)
        if f.starts_before is not None:
            conditions.append(S.starts_at < f.starts_before)
        if f.ends_after is not None:
            conditions.append(S.ends_at > f.ends_after)
        count = sa.select(sa.func.count()).select_from(schedule_entries).where(*conditions)
        total = int((await self._conn.execute(count)).scalar_one())
        if limit <= 0 or offset >= total:
            return [], total
        return await self._rows(*conditions, limit=limit, offset=offset), total
