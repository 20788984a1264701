"""``SqlEquipmentRepository``: equipment with a unique serial key and a stored
``next_maintenance_at`` (so ``maintenance_due`` and the dashboard use an index)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence import constraints
from adapters.persistence.sqlalchemy.driver_reads import DriverSelect
from adapters.persistence.sqlalchemy.maintenance import mapping
from adapters.persistence.sqlalchemy.maintenance.tables import equipment
from adapters.persistence.sqlalchemy.queries import (
    contains_text,
    execute_guarded,
    page_and_total,
    update_if_version,
)
from adapters.persistence.sqlalchemy.repository import SqlRepository
from application.maintenance.ports import (
    EQUIPMENT_SORT_FIELDS,
    LIST_COUNT_CAP,
    EquipmentFilters,
    EquipmentRepository,
)
from application.shared.pagination import Sort
from domain.maintenance.enums import EquipmentStatus
from domain.maintenance.equipment import Equipment
from domain.shared.errors import DuplicateValue, PreconditionFailed

E = equipment.c
SERIAL_UNIQUE = "uq_equipment_serial_key"
#: One equipment: every intervention command loads its intervention's (``driver_reads``).
_BY_ID = DriverSelect(sa.select(equipment).where(E.id == sa.bindparam("equipment_id")))
_TEXT_SORTS = {"name", "serial_number"}
_FOLDED_SORTS = {"type": E.type_key, "location": E.location_key}


def _serial_taken() -> DuplicateValue:
    return constraints.duplicate("equipment", ["serial_key"], SERIAL_UNIQUE)


def due(now: datetime) -> sa.ColumnElement[bool]:
    """Not retired and ``next_maintenance_at <= now`` (``Equipment.is_maintenance_due``)."""
    return sa.and_(
        E.status != EquipmentStatus.RETIRED.value,
        E.next_maintenance_at.is_not(None),
        E.next_maintenance_at <= now,
    )


class SqlEquipmentRepository(SqlRepository, EquipmentRepository):
    async def _rows(self, *conditions: sa.ColumnElement[bool]) -> list[Equipment]:
        statement = sa.select(equipment).where(*conditions).order_by(E.id)
        return [mapping.equipment(row) for row in await self._conn.execute(statement)]

    async def get(self, equipment_id: UUID) -> Equipment | None:
        found = await _BY_ID.first(self._conn, {"equipment_id": equipment_id})
        if found is None:
            return None
        item = mapping.equipment_of(found)
        self._uow.track(item)
        return item

    async def get_many(self, ids: Collection[UUID]) -> Mapping[UUID, Equipment]:
        if not ids:
            return {}
        return {e.id: e for e in await self._rows(E.id.in_(list(ids)))}

    async def add(self, item: Equipment) -> None:
        # a violated constraint is its domain error: serial_taken, unknown_reference (owner_id)
        await execute_guarded(self._conn, sa.insert(equipment).values(mapping.equipment_row(item)))
        self._uow.track(item)

    async def save(self, item: Equipment, *, expected_version: int) -> None:
        # the memory twin answers serial_taken before looking at the version
        taken = sa.select(E.id).where(E.serial_key == item.serial_key, E.id != item.id).limit(1)
        if (await self._conn.execute(taken)).first() is not None:
            raise _serial_taken()
        saved = await update_if_version(
            self._conn,
            equipment,
            item.id,
            expected_version=expected_version,
            new_version=item.version,
            values=mapping.equipment_values(item),
            guarded=False,  # no caller goes on after a violation: no SAVEPOINT
        )
        if not saved:
            raise PreconditionFailed("The equipment was changed by someone else.")
        self._uow.track(item)

    def _sort_key(self, field: str) -> sa.ColumnElement[Any]:
        if field not in EQUIPMENT_SORT_FIELDS:
            raise ValueError(f"cannot sort equipment by {field!r}")
        if field in _FOLDED_SORTS:
            return self._text_key(_FOLDED_SORTS[field], folded=True)
        if field in _TEXT_SORTS:
            return self._text_key(E[field])
        return E[field]

    async def list(
        self, filters: EquipmentFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Equipment], int]:
        f = filters
        conditions: list[sa.ColumnElement[bool]] = []
        if f.location is not None:
            conditions.append(E.location_key == mapping.fold(f.location))
        if f.type is not None:
            conditions.append(E.type_key == mapping.fold(f.type))
        if f.status is not None:
            conditions.append(E.status == f.status.value)
        if f.owner_id is not None:
            conditions.append(E.owner_id == f.owner_id)
        if f.maintenance_due is not None:
            # as in memory: without ``now`` nothing is due
            is_due = due(f.now) if f.now is not None else sa.false()
            conditions.append(is_due if f.maintenance_due else sa.not_(is_due))
        if f.q is not None:
            q = mapping.fold(f.q) or ""
            conditions.append(
                contains_text(
                    q,
                    E.name,
                    E.serial_number,
                    sa.func.coalesce(E.model, ""),
                    sa.func.coalesce(E.location, ""),
                    dialect=self._conn.dialect.name,
                )
            )
        rows, total = await page_and_total(
            self._conn,
            equipment,
            conditions,
            self._sort_key(sort.field),
            sort,
            limit=limit,
            offset=offset,
            count_cap=LIST_COUNT_CAP,
        )
        return [mapping.equipment(row) for row in rows], total

    async def list_due_before(self, moment: datetime) -> Sequence[Equipment]:
        return await self._rows(
            E.status != EquipmentStatus.RETIRED.value,
            E.next_maintenance_at.is_not(None),
            E.next_maintenance_at < moment,
        )
