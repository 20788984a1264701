"""``SqlTechnicianRepository``: profiles, one per user (unique ``user_id``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.driver_reads import DriverSelect
from adapters.persistence.sqlalchemy.maintenance import mapping
from adapters.persistence.sqlalchemy.maintenance.tables import (
    schedule_entries,
    technician_loads,
    technicians,
)
from adapters.persistence.sqlalchemy.queries import (
    execute_guarded,
    page_and_total,
    update_if_version,
)
from adapters.persistence.sqlalchemy.repository import SqlRepository
from application.maintenance.ports import (
    TECHNICIAN_SORT_FIELDS,
    RankingPool,
    TechnicianFilters,
    TechnicianRepository,
)
from application.shared.pagination import Sort
from domain.maintenance.enums import ExperienceLevel
from domain.maintenance.scheduling import ScheduleEntry
from domain.maintenance.technician import Technician
from domain.shared.errors import PreconditionFailed

T = technicians.c
S = schedule_entries.c
L = technician_loads.c

_LEVEL_RANK = sa.case(
    {level.value: level.rank for level in ExperienceLevel}, value=T.experience_level
)


class SqlTechnicianRepository(SqlRepository, TechnicianRepository):
    async def _rows(self, *conditions: sa.ColumnElement[bool]) -> list[Technician]:
        statement = sa.select(technicians).where(*conditions).order_by(T.id)
        return [mapping.technician(row) for row in await self._conn.execute(statement)]

    async def _tracked(self, condition: sa.ColumnElement[bool]) -> Technician | None:
        found = await self._rows(condition)
        if not found:
            return None
        self._uow.track(found[0])
        return found[0]

    async def get(self, technician_id: UUID) -> Technician | None:
        return await self._tracked(T.id == technician_id)

    async def get_by_user(self, user_id: UUID) -> Technician | None:
        return await self._tracked(T.user_id == user_id)

    async def get_many(self, ids: Collection[UUID]) -> Mapping[UUID, Technician]:
        if not ids:
            return {}
        return {t.id: t for t in await self._rows(T.id.in_(list(ids)))}

    async def all(self) -> Sequence[Technician]:
        return await self._rows()

    async def ranking_pool(
        self, starts_at: datetime, ends_at: datetime, *, intervention_id: UUID | None
    ) -> RankingPool:
        if not self._postgres:  # no LATERAL on SQLite: three plain queries
            clashes: dict[UUID, ScheduleEntry] = {}
            uow: Any = self._uow
            for entry in await uow.schedule.overlapping(starts_at, ends_at):
                if entry.intervention_id != intervention_id:
                    clashes.setdefault(entry.technician_id, entry)
            return RankingPool(
                technicians=await self.all(),
                clashes=list(clashes.values()),
                loads=await uow.interventions.booked_minutes(),
            )
        parameters = {
            "starts_at": starts_at,
            "ends_at": ends_at,
            "intervention_id": intervention_id,
        }
        rows = await _POOL_STATEMENT.tuples(self._conn, parameters)
        profiles = await self._pool_profiles([(r[0], r[1]) for r in rows])
        pool, loads, found = [], {}, []
        # the columns of ``_build_pool_statement``, in order
        for technician_id, _, booked, clash_id, clash_of, starts_at, ends_at, version in rows:
            technician = profiles.get(technician_id)
            if technician is None:  # deleted between the two statements
                continue
            pool.append(technician)
            if booked:
                loads[technician_id] = int(booked)
            if clash_id is not None:
                found.append(
                    ScheduleEntry(
                        id=clash_id,
                        intervention_id=clash_of,
                        technician_id=technician_id,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        version=version,
                    )
                )
        return RankingPool(technicians=pool, clashes=found, loads=loads)

    async def _pool_profiles(self, keys: list[tuple[UUID, int]]) -> dict[UUID, Technician]:
        """The profiles of ``(id, version)`` keys: mapped ones from ``_POOL_TECHNICIANS``,
        the others read in one statement (only after a profile changed, or on a worker's
        first assignment) and remembered under the version read."""
        profiles: dict[UUID, Technician] = {}
        missing: list[UUID] = []
        for key in keys:
            cached = _POOL_TECHNICIANS.get(key)
            if cached is None:
                missing.append(key[0])
            else:
                profiles[key[0]] = cached
        if missing:
            if len(_POOL_TECHNICIANS) + len(missing) > _POOL_TECHNICIANS_MAX:
                _POOL_TECHNICIANS.clear()
            for technician in await self._rows(T.id.in_(missing)):
                _POOL_TECHNICIANS[(technician.id, technician.version)] = technician
                profiles[technician.id] = technician
        return profiles

    async def add(self, technician: Technician) -> None:
        # violations are their domain errors: technician_exists, unknown_reference (user_id)
        await execute_guarded(
            self._conn, sa.insert(technicians).values(mapping.technician_row(technician))
        )
        self._uow.track(technician)

    async def save(self, technician: Technician, *, expected_version: int) -> None:
        saved = await update_if_version(
            self._conn,
            technicians,
            technician.id,
            expected_version=expected_version,
            new_version=technician.version,
            values=mapping.technician_values(technician),
            guarded=False,  # no caller goes on after a violation: no SAVEPOINT
        )
        if not saved:
            raise PreconditionFailed("The technician was changed by someone else.")
        self._uow.track(technician)

    def _sort_key(self, field: str) -> sa.ColumnElement[Any]:
        if field not in TECHNICIAN_SORT_FIELDS:
            raise ValueError(f"cannot sort technicians by {field!r}")
        if field == "experience_level":
            return _LEVEL_RANK
        if field == "specialty":
            return self._text_key(T.specialty)
        if field == "base_location":
            return self._text_key(T.base_location)
        return T[field]

    def _skill(self, skill: str) -> sa.ColumnElement[bool]:
        if self._postgres:
            return T.skills.op("@>")(sa.func.jsonb_build_array(skill))
        each = sa.func.json_each(T.skills).table_valued("value")
        return sa.exists(sa.select(1).select_from(each).where(each.c.value == skill))

    async def list(
        self, filters: TechnicianFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Technician], int]:
        f = filters
        conditions: list[sa.ColumnElement[bool]] = []
        if f.available is not None:
            conditions.append(T.available == f.available)
        if f.skill is not None:
            conditions.append(self._skill(f.skill))
        if f.specialty is not None:
            conditions.append(T.specialty_key == mapping.fold(f.specialty))
        if f.level is not None:
            conditions.append(T.experience_level == f.level.value)
        if f.user_id is not None:
            conditions.append(T.user_id == f.user_id)
        rows, total = await page_and_total(
            self._conn,
            technicians,
            conditions,
            self._sort_key(sort.field),
            sort,
            limit=limit,
            offset=offset,
        )
        return [mapping.technician(row) for row in rows], total


def _build_pool_statement() -> sa.Select[Any]:
    """PostgreSQL: every technician's id and version with its booked minutes
    (``technician_loads``, kept by triggers) and its earliest clashing entry, ordered by id:
    one round trip. The profiles come from ``_POOL_TECHNICIANS`` (decoding 100 profiles' JSON
    columns on every assignment cost more than ranking them). Built once; each assignment
    binds ``starts_at``, ``ends_at`` and ``intervention_id`` (None: none excluded).

    One technician's entries never overlap (``SCHEDULE_NO_OVERLAP``) and are never empty
    (``ck_schedule_entries_ends_after_start``): ordered by their end, they are ordered by
    their start too. So the earliest entry clashing with the slot is the first entry (other
    than the intervention's own) that ends after the slot starts, if it starts before the
    slot ends: one step down the ``(technician_id, ends_at)`` index per technician
    (``LATERAL ... LIMIT 1``), the start compared in the join. Filtering on both bounds
    inside the ``LIMIT`` read every entry of a technician ending after the slot starts (its
    whole future agenda for a slot in the near future) before finding none."""
    following = (
        sa.select(S.id, S.intervention_id, S.starts_at, S.ends_at, S.version)
        .where(
            S.technician_id == T.id,
            S.ends_at > sa.bindparam("starts_at", type_=S.ends_at.type),
            S.intervention_id.is_distinct_from(
                sa.bindparam("intervention_id", type_=S.intervention_id.type)
            ),
        )
        .order_by(S.ends_at)
        .limit(1)
        .lateral("clash")
    )
    clashes = following.c.starts_at < sa.bindparam("ends_at", type_=S.starts_at.type)
    return (
        sa.select(
            T.id,
            T.version,
            L.minutes.label("booked_minutes"),
            following.c.id.label("clash_id"),
            following.c.intervention_id.label("clash_intervention_id"),
            following.c.starts_at.label("clash_starts_at"),
            following.c.ends_at.label("clash_ends_at"),
            following.c.version.label("clash_version"),
        )
        .select_from(
            technicians.outerjoin(technician_loads, L.technician_id == T.id).outerjoin(
                following, clashes
            )
        )
        .order_by(T.id)
    )


_POOL_STATEMENT = DriverSelect(_build_pool_statement())  # one round trip, on the driver

#: Technicians mapped from rows, by (id, version): the ranking reads every profile on each
#: assignment, and a profile only changes with its version. Read-only copies (the ranking
#: never changes them); bounded.
_POOL_TECHNICIANS: dict[tuple[UUID, int], Technician] = {}
_POOL_TECHNICIANS_MAX = 50_000
