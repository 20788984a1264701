"""``SqlInterventionRepository``: work orders, their list filters and the counts others need.

``GET /interventions?status=open&priority=critical`` (newest first) reads the
``(status, priority, created_at)`` index range in order and stops after one page.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.driver_reads import DriverSelect
from adapters.persistence.sqlalchemy.driver_writes import DriverStatement
from adapters.persistence.sqlalchemy.errors import execute_checked, execute_unguarded
from adapters.persistence.sqlalchemy.maintenance import mapping
from adapters.persistence.sqlalchemy.maintenance.tables import (
    equipment,
    interventions,
    technician_loads,
)
from adapters.persistence.sqlalchemy.queries import (
    KeptPages,
    contains_text,
    like_pattern,
    page_statements,
    update_if_version,
)
from adapters.persistence.sqlalchemy.repository import SqlRepository
from application.maintenance.ports import (
    INTERVENTION_SORT_FIELDS,
    LIST_COUNT_CAP,
    InterventionFilters,
    InterventionRepository,
)
from application.maintenance.views import InterventionView
from application.shared.pagination import Sort
from domain.maintenance.enums import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    InterventionStatus,
    Priority,
)
from domain.maintenance.equipment import Equipment
from domain.maintenance.intervention import Intervention
from domain.shared.errors import PreconditionFailed

I = interventions.c  # noqa: E741
L = technician_loads.c
_CLOSED = sorted(s.value for s in CLOSED_STATUSES)
_ACTIVE = sorted(s.value for s in ACTIVE_STATUSES)
_VIEW_COLUMNS = [I[name] for name in mapping.VIEW_COLUMNS]
#: Built once: a request only binds the id (no statement construction, one compiled-cache
#: entry, prepared by psycopg after its first uses).
#: Values bound at execution: built once, no per-call coercion or cache-key walk.
_INSERT = DriverStatement(sa.insert(interventions))
#: One intervention: every command on one loads it first (``driver_reads``).
_BY_ID = DriverSelect(sa.select(interventions).where(I.id == sa.bindparam("intervention_id")))
#: An intervention with its equipment (every command on one): one joined statement, the
#: equipment's columns prefixed (``_EQ``) so that no name meets an intervention's.
_EQ = "e__"
_EQUIPMENT_NAMES = tuple(c.name for c in equipment.c)
_WITH_EQUIPMENT = DriverSelect(
    sa.select(interventions, *[c.label(_EQ + c.name) for c in equipment.c])
    .join_from(interventions, equipment, I.equipment_id == equipment.c.id)
    .where(I.id == sa.bindparam("intervention_id"))
)
#: ``GET /interventions/{id}``: the hottest read, on the driver's connection (``driver_reads``).
_VIEW_BY_ID = DriverSelect(sa.select(*_VIEW_COLUMNS).where(I.id == sa.bindparam("intervention_id")))


def overdue(now: datetime | sa.BindParameter[datetime]) -> sa.ColumnElement[bool]:
    """``due_at < now`` and neither done nor cancelled (``Intervention.is_overdue``)."""
    return sa.and_(I.due_at.is_not(None), I.due_at < now, I.status.not_in(_CLOSED))


#: Filters compared for equality with a column of the same name.
_EQUAL = ("status", "priority", "type", "equipment_id", "technician_id")


def _filter_shape(f: InterventionFilters) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The filters present (the list statement's shape) and their bound values."""
    shape: list[str] = []
    values: dict[str, Any] = {}
    for name in _EQUAL:
        value = getattr(f, name)
        if value is not None:
            shape.append(name)
            values[f"f_{name}"] = getattr(value, "value", value)  # an enum's stored value
    if f.overdue is not None:
        shape.append(f"overdue={f.overdue}" + ("" if f.now is not None else ",never"))
        if f.now is not None:
            values["f_now"] = f.now
    if f.q is not None:
        shape.append("q")
        values["f_q"] = like_pattern(mapping.fold(f.q) or "")
    for name in ("created_from", "created_to", "equipment_owner_id"):
        value = getattr(f, name)
        if value is not None:
            shape.append(name)
            values[f"f_{name}"] = value
    return tuple(shape), values


def _bound_conditions(shape: tuple[str, ...], dialect: str) -> list[sa.ColumnElement[bool]]:
    """The conditions of a shape of ``_filter_shape``, every value a bound parameter."""
    conditions: list[sa.ColumnElement[bool]] = []
    for name in shape:
        if name in _EQUAL:
            conditions.append(I[name] == sa.bindparam(f"f_{name}"))
        elif name.startswith("overdue="):
            wanted = name.startswith("overdue=True")
            is_overdue = sa.false() if name.endswith(",never") else overdue(sa.bindparam("f_now"))
            conditions.append(is_overdue if wanted else sa.not_(is_overdue))
        elif name == "q":
            pattern = sa.bindparam("f_q", type_=sa.String)
            conditions.append(contains_text(pattern, I.title, I.description, dialect=dialect))
        elif name == "created_from":
            conditions.append(I.created_at >= sa.bindparam("f_created_from"))
        elif name == "created_to":
            conditions.append(I.created_at < sa.bindparam("f_created_to"))
        elif name == "equipment_owner_id":
            owned = sa.select(equipment.c.id).where(
                equipment.c.owner_id == sa.bindparam("f_equipment_owner_id")
            )
            conditions.append(I.equipment_id.in_(owned))
    return conditions


#: Intervention lists' statements and large totals (see ``KeptPages``).
_PAGES = KeptPages()


class SqlInterventionRepository(SqlRepository, InterventionRepository):
    async def _rows(
        self, *conditions: sa.ColumnElement[bool], order: Sequence[Any] = (I.id,)
    ) -> list[Intervention]:
        statement = sa.select(interventions).where(*conditions).order_by(*order)
        return [mapping.intervention(row) for row in await self._conn.execute(statement)]

    async def get(self, intervention_id: UUID) -> Intervention | None:
        found = await _BY_ID.first(self._conn, {"intervention_id": intervention_id})
        if found is None:
            return None
        intervention = mapping.intervention_of(found)
        self._uow.track(intervention)
        return intervention

    async def get_with_equipment(
        self, intervention_id: UUID
    ) -> tuple[Intervention, Equipment] | None:
        found = await _WITH_EQUIPMENT.first(self._conn, {"intervention_id": intervention_id})
        if found is None:
            return None
        intervention = mapping.intervention_of(found)
        item = mapping.equipment_of({name: found[_EQ + name] for name in _EQUIPMENT_NAMES})
        self._uow.track(intervention)
        self._uow.track(item)
        return intervention, item

    async def view(self, intervention_id: UUID, now: datetime) -> InterventionView | None:
        found = await _VIEW_BY_ID.first(self._conn, {"intervention_id": intervention_id})
        return None if found is None else mapping.intervention_view_of(found, now)

    async def get_many(self, ids: Collection[UUID]) -> Mapping[UUID, Intervention]:
        if not ids:
            return {}
        return {i.id: i for i in await self._rows(I.id.in_(list(ids)))}

    async def add(self, intervention: Intervention) -> None:
        # violations are their domain errors (preventive_exists, unknown_reference...); a
        # preventive one runs in a SAVEPOINT so the transaction goes on after its conflict
        # (as ``save``: only the preventive key is unique among the columns written)
        row = mapping.intervention_row(intervention)
        if intervention.preventive_key is not None:
            await execute_checked(self._conn, _INSERT.statement, row, guarded=True)
        else:
            await execute_unguarded(self._conn, _INSERT, row)
        self._uow.track(intervention)

    async def save(self, intervention: Intervention, *, expected_version: int) -> None:
        saved = await update_if_version(
            self._conn,
            interventions,
            intervention.id,
            expected_version=expected_version,
            new_version=intervention.version,
            values=mapping.intervention_values(intervention),
            # only the preventive key is unique among the columns written
            guarded=intervention.preventive_key is not None,
        )
        if not saved:
            raise PreconditionFailed("The intervention was changed by someone else.")
        self._uow.track(intervention)

    def _sort_key(self, field: str) -> sa.ColumnElement[Any]:
        if field not in INTERVENTION_SORT_FIELDS:
            raise ValueError(f"cannot sort interventions by {field!r}")
        if field == "priority":
            return I.priority_rank
        if field == "title":
            return self._text_key(I.title)
        return I[field]

    async def list(
        self, filters: InterventionFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Intervention], int]:
        rows, total = await self._page(filters, sort, limit=limit, offset=offset, views=False)
        return [mapping.intervention_of(row) for row in rows], total

    async def list_views(
        self,
        filters: InterventionFilters,
        *,
        limit: int,
        offset: int,
        sort: Sort,
        now: datetime,
    ) -> tuple[Sequence[InterventionView], int]:
        rows, total = await self._page(filters, sort, limit=limit, offset=offset, views=True)
        return [mapping.intervention_view_of(row, now) for row in rows], total

    async def _page(
        self, filters: InterventionFilters, sort: Sort, *, limit: int, offset: int, views: bool
    ) -> tuple[Sequence[Mapping[str, Any]], int]:
        shape, values = _filter_shape(filters)
        dialect, cap = self._conn.dialect.name, LIST_COUNT_CAP
        return await _PAGES.fetch(
            self._conn,
            (shape, sort.field, sort.descending, dialect, views, cap),
            lambda: page_statements(
                interventions,
                _bound_conditions(shape, dialect),
                self._sort_key(sort.field),
                sort,
                count_cap=cap,
                columns=_VIEW_COLUMNS if views else None,
            ),
            (shape, cap),
            values,
            limit=limit,
            offset=offset,
        )

    async def count_open_for_equipment(self, equipment_id: UUID) -> int:
        statement = (
            sa.select(sa.func.count())
            .select_from(interventions)
            .where(I.equipment_id == equipment_id, I.status.in_(_ACTIVE))
        )
        return int((await self._conn.execute(statement)).scalar_one())

    async def count_by_equipment(self, equipment_ids: Collection[UUID]) -> Mapping[UUID, int]:
        if not equipment_ids:
            return {}
        statement = (
            sa.select(I.equipment_id, sa.func.count())
            .where(I.equipment_id.in_(list(equipment_ids)))
            .group_by(I.equipment_id)
        )
        return {row[0]: int(row[1]) for row in await self._conn.execute(statement)}

    async def booked_minutes(self) -> Mapping[UUID, int]:
        # kept by the triggers of migration 0014 in every writing transaction
        statement = sa.select(L.technician_id, L.minutes).where(L.minutes != 0)
        return {row[0]: int(row[1]) for row in await self._conn.execute(statement)}

    async def with_preventive_keys(self, keys: Collection[str]) -> Sequence[Intervention]:
        if not keys:
            return []
        return await self._rows(I.preventive_key.in_(list(keys)))

    async def escalation_candidates(self, created_at_or_before: datetime) -> Sequence[Intervention]:
        found = await self._rows(
            I.status == InterventionStatus.OPEN.value,
            I.priority == Priority.CRITICAL.value,
            I.technician_id.is_(None),
            I.escalated_at.is_(None),
            I.created_at <= created_at_or_before,
            order=(I.created_at, I.id),
        )
        for item in found:
            self._uow.track(item)
        return found
