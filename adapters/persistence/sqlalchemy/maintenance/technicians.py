"""``SqlTechnicianRepository``: profiles, one per user (unique ``user_id``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from adapters.persistence.sqlalchemy.errors import is_unique_violation
from adapters.persistence.sqlalchemy.maintenance import mapping
from adapters.persistence.sqlalchemy.maintenance.base import SqlRepository
from adapters.persistence.sqlalchemy.maintenance.queries import (
    execute_guarded,
    page_and_total,
    update_if_version,
)
from adapters.persistence.sqlalchemy.tables.maintenance import technicians
from application.maintenance.ports import (
    TECHNICIAN_SORT_FIELDS,
    TechnicianFilters,
    TechnicianRepository,
)
from application.shared.pagination import Sort
from domain.maintenance.enums import ExperienceLevel
from domain.maintenance.technician import Technician
from domain.shared.errors import Conflict, PreconditionFailed

T = technicians.c
USER_ID_UNIQUE = "uq_technicians_user_id"

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

    async def add(self, technician: Technician) -> None:
        try:
            await execute_guarded(
                self._conn, sa.insert(technicians).values(mapping.technician_row(technician))
            )
        except sa_exc.IntegrityError as exc:
            if is_unique_violation(exc, USER_ID_UNIQUE):
                raise Conflict(
                    "This user already has a technician profile.", code="technician_exists"
                ) from exc
            if is_unique_violation(exc):
                raise Conflict("This technician already exists.") from exc
            raise
        self._uow.track(technician)

    async def save(self, technician: Technician, *, expected_version: int) -> None:
        saved = await update_if_version(
            self._conn,
            technicians,
            technician.id,
            expected_version=expected_version,
            new_version=technician.version,
            values=mapping.technician_values(technician),
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
