"""In-memory maintenance repositories, unit of work and dashboard reader (the embedded twin
of the SQL ones; transactions are serialised by the store's lock)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from adapters.persistence import constraints
from adapters.persistence.memory.store import (
    MemoryStore,
    MemoryUnitOfWork,
    Reference,
    check_references,
    snapshot,
)
from application.maintenance.dashboard import compute_stats
from application.maintenance.ports import (
    LIST_COUNT_CAP,
    CalendarFeedRepository,
    DashboardReader,
    DashboardStats,
    EquipmentFilters,
    EquipmentRepository,
    InterventionFilters,
    InterventionRepository,
    MaintenanceUnitOfWork,
    RankingPool,
    ScheduleFilters,
    ScheduleRepository,
    TechnicianFilters,
    TechnicianRepository,
)
from application.maintenance.views import InterventionView
from application.shared.events import EventPublisher
from application.shared.pagination import Sort
from application.shared.uow import OutboxSignal
from domain.maintenance.calendar_feed import CalendarFeed
from domain.maintenance.enums import (
    ACTIVE_STATUSES,
    ExperienceLevel,
    InterventionStatus,
    Priority,
)
from domain.maintenance.equipment import Equipment
from domain.maintenance.intervention import Intervention
from domain.maintenance.scheduling import ScheduleEntry, overlaps
from domain.maintenance.technician import Technician
from domain.maintenance.validation import serial_number_key
from domain.shared.aggregate import Aggregate
from domain.shared.errors import PreconditionFailed

TECHNICIANS, EQUIPMENT, INTERVENTIONS = "mnt_technicians", "mnt_equipment", "mnt_interventions"
SCHEDULE, FEEDS = "mnt_schedule", "mnt_calendar_feeds"
USERS = "users"
"""The identity context's memory table of users (the same store on the memory profile)."""

# The foreign keys of the SQL schema, in column order (see ``store.check_references``).
TECHNICIAN_REFERENCES = (Reference("user_id", "users", USERS),)
EQUIPMENT_REFERENCES = (Reference("owner_id", "users", USERS),)
INTERVENTION_REFERENCES = (
    Reference("equipment_id", "equipment", EQUIPMENT),
    Reference("technician_id", "technicians", TECHNICIANS),
    Reference("created_by", "users", USERS),
)
SCHEDULE_REFERENCES = (
    Reference("intervention_id", "interventions", INTERVENTIONS),
    Reference("technician_id", "technicians", TECHNICIANS),
)
FEED_REFERENCES = (
    Reference("technician_id", "technicians", TECHNICIANS),
    Reference("created_by", "users", USERS),
)

A = TypeVar("A", bound=Aggregate)
_PRIORITY_RANK = {p: n for n, p in enumerate(Priority)}


def _sort_value(value: Any) -> Any:
    if isinstance(value, Priority):
        return _PRIORITY_RANK[value]
    if isinstance(value, ExperienceLevel):
        return value.rank
    if isinstance(value, str):
        return value.casefold()
    return value


def _page(
    rows: Iterable[A],
    keep: Callable[[A], bool],
    *,
    limit: int,
    offset: int,
    sort: Sort,
    cap: int | None = None,
) -> tuple[list[A], int]:
    matches = [r for r in rows if keep(r)]
    matches.sort(key=lambda r: r.id.int)
    present = [r for r in matches if getattr(r, sort.field) is not None]
    missing = [r for r in matches if getattr(r, sort.field) is None]
    present.sort(key=lambda r: _sort_value(getattr(r, sort.field)), reverse=sort.descending)
    ordered = present + missing  # NULLs last in both directions
    total = len(ordered) if cap is None else min(len(ordered), cap)
    return [snapshot(r) for r in ordered[offset : offset + limit]], total


def _fold(text: str | None) -> str | None:
    return None if text is None else " ".join(text.split()).casefold()


class _AggregateTable:
    """get / add / save with version guard for one aggregate table."""

    label = "item"
    sql_table = ""
    """The SQL table this one twins (the name its errors use)."""
    references: tuple[Reference, ...] = ()

    def __init__(self, uow: MemoryUnitOfWork, table: str) -> None:
        self._uow = uow
        self._rows: dict[UUID, Any] = uow.table(table)

    def _out(self, item: A) -> A:
        copy = snapshot(item)
        self._uow.track(copy)
        return copy

    def _get(self, item_id: UUID) -> Any:
        item = self._rows.get(item_id)
        return None if item is None else self._out(item)

    def _get_many(self, ids: Collection[UUID]) -> dict[UUID, Any]:
        return {i: snapshot(self._rows[i]) for i in ids if i in self._rows}

    def _store(self, item: Aggregate) -> None:
        stored = snapshot(item)
        stored.pull_events()
        self._rows[item.id] = stored
        self._uow.track(item)

    def _insert(self, item: Aggregate) -> None:
        if item.id in self._rows:
            raise constraints.duplicate(self.sql_table, ["id"], f"pk_{self.sql_table}")
        check_references(self._uow, self.sql_table, item, self.references)
        self._store(item)

    def _update(self, item: Aggregate, expected_version: int) -> None:
        stored = self._rows.get(item.id)
        if stored is None or stored.version != expected_version:
            raise PreconditionFailed(f"The {self.label} was changed by someone else.")
        check_references(self._uow, self.sql_table, item, self.references)
        self._store(item)


class MemoryTechnicianRepository(_AggregateTable, TechnicianRepository):
    label = "technician"
    sql_table = "technicians"
    references = TECHNICIAN_REFERENCES

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        super().__init__(uow, TECHNICIANS)

    async def get(self, technician_id: UUID) -> Technician | None:
        return self._get(technician_id)  # type: ignore[no-any-return]

    async def get_by_user(self, user_id: UUID) -> Technician | None:
        for t in self._rows.values():
            if t.user_id == user_id:
                return self._out(t)  # type: ignore[no-any-return]
        return None

    async def get_many(self, ids: Collection[UUID]) -> Mapping[UUID, Technician]:
        return self._get_many(ids)

    async def all(self) -> Sequence[Technician]:
        return [snapshot(t) for t in sorted(self._rows.values(), key=lambda t: t.id.int)]

    async def ranking_pool(
        self, starts_at: datetime, ends_at: datetime, *, intervention_id: UUID | None
    ) -> RankingPool:
        uow = self._uow
        assert isinstance(uow, MemoryMaintenanceUnitOfWork)
        first: dict[UUID, ScheduleEntry] = {}
        for entry in await uow.schedule.overlapping(starts_at, ends_at):  # by start, then id
            if entry.intervention_id != intervention_id:
                first.setdefault(entry.technician_id, entry)
        return RankingPool(
            technicians=await self.all(),
            clashes=list(first.values()),
            loads=await uow.interventions.booked_minutes(),
        )

    async def add(self, technician: Technician) -> None:
        if any(t.user_id == technician.user_id for t in self._rows.values()):
            raise constraints.duplicate("technicians", ["user_id"], "uq_technicians_user_id")
        self._insert(technician)

    async def save(self, technician: Technician, *, expected_version: int) -> None:
        self._update(technician, expected_version)

    async def list(
        self, filters: TechnicianFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Technician], int]:
        f = filters

        def keep(t: Technician) -> bool:
            return (
                (f.available is None or t.available == f.available)
                and (f.skill is None or f.skill in t.skills)
                and (f.specialty is None or _fold(t.specialty) == _fold(f.specialty))
                and (f.level is None or t.experience_level == f.level)
                and (f.user_id is None or t.user_id == f.user_id)
            )

        return _page(self._rows.values(), keep, limit=limit, offset=offset, sort=sort)


class MemoryEquipmentRepository(_AggregateTable, EquipmentRepository):
    label = "equipment"
    sql_table = "equipment"
    references = EQUIPMENT_REFERENCES

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        super().__init__(uow, EQUIPMENT)

    def _check_serial(self, equipment: Equipment) -> None:
        key = serial_number_key(equipment.serial_number)
        if any(e.serial_key == key and e.id != equipment.id for e in self._rows.values()):
            raise constraints.duplicate("equipment", ["serial_key"], "uq_equipment_serial_key")

    async def get(self, equipment_id: UUID) -> Equipment | None:
        return self._get(equipment_id)  # type: ignore[no-any-return]

    async def get_many(self, ids: Collection[UUID]) -> Mapping[UUID, Equipment]:
        return self._get_many(ids)

    async def add(self, equipment: Equipment) -> None:
        self._check_serial(equipment)
        self._insert(equipment)

    async def save(self, equipment: Equipment, *, expected_version: int) -> None:
        self._check_serial(equipment)
        self._update(equipment, expected_version)

    async def list(
        self, filters: EquipmentFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Equipment], int]:
        f = filters
        q = _fold(f.q)

        def keep(e: Equipment) -> bool:
            due = f.now is not None and e.is_maintenance_due(f.now)
            texts = (e.name, e.serial_number, e.model or "", e.location or "")
            return (
                (f.location is None or _fold(e.location) == _fold(f.location))
                and (f.type is None or _fold(e.type) == _fold(f.type))
                and (f.status is None or e.status == f.status)
                and (f.owner_id is None or e.owner_id == f.owner_id)
                and (f.maintenance_due is None or due == f.maintenance_due)
                and (q is None or any(q in (_fold(t) or "") for t in texts))
            )

        return _page(
            self._rows.values(), keep, limit=limit, offset=offset, sort=sort, cap=LIST_COUNT_CAP
        )

    async def list_due_before(self, moment: datetime) -> Sequence[Equipment]:
        return [
            snapshot(e)
            for e in sorted(self._rows.values(), key=lambda e: e.id.int)
            if not e.is_retired
            and e.next_maintenance_at is not None
            and e.next_maintenance_at < moment
        ]


class MemoryInterventionRepository(_AggregateTable, InterventionRepository):
    label = "intervention"
    sql_table = "interventions"
    references = INTERVENTION_REFERENCES

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        super().__init__(uow, INTERVENTIONS)
        self._equipment: dict[UUID, Equipment] = uow.table(EQUIPMENT)

    async def get(self, intervention_id: UUID) -> Intervention | None:
        return self._get(intervention_id)  # type: ignore[no-any-return]

    async def get_with_equipment(
        self, intervention_id: UUID
    ) -> tuple[Intervention, Equipment] | None:
        found = self._rows.get(intervention_id)
        equipment = None if found is None else self._equipment.get(found.equipment_id)
        if found is None or equipment is None:
            return None
        return self._out(found), self._out(equipment)

    async def view(self, intervention_id: UUID, now: datetime) -> InterventionView | None:
        found = self._rows.get(intervention_id)
        return None if found is None else InterventionView.of(found, now)

    async def get_many(self, ids: Collection[UUID]) -> Mapping[UUID, Intervention]:
        return self._get_many(ids)

    async def add(self, intervention: Intervention) -> None:
        key = intervention.preventive_key
        if key is not None and any(i.preventive_key == key for i in self._rows.values()):
            raise constraints.duplicate(
                "interventions", ["preventive_key"], "uq_interventions_preventive_key"
            )
        self._insert(intervention)

    async def save(self, intervention: Intervention, *, expected_version: int) -> None:
        self._update(intervention, expected_version)

    async def list(
        self, filters: InterventionFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Intervention], int]:
        f = filters
        q = _fold(f.q)

        def owner_of(i: Intervention) -> UUID | None:
            equipment = self._equipment.get(i.equipment_id)
            return None if equipment is None else equipment.owner_id

        def keep(i: Intervention) -> bool:
            overdue = f.now is not None and i.is_overdue(f.now)
            return (
                (f.status is None or i.status == f.status)
                and (f.priority is None or i.priority == f.priority)
                and (f.type is None or i.type == f.type)
                and (f.equipment_id is None or i.equipment_id == f.equipment_id)
                and (f.technician_id is None or i.technician_id == f.technician_id)
                and (f.overdue is None or overdue == f.overdue)
                and (q is None or any(q in (_fold(t) or "") for t in (i.title, i.description)))
                and (f.created_from is None or i.created_at >= f.created_from)
                and (f.created_to is None or i.created_at < f.created_to)
                and (f.equipment_owner_id is None or owner_of(i) == f.equipment_owner_id)
            )

        return _page(
            self._rows.values(), keep, limit=limit, offset=offset, sort=sort, cap=LIST_COUNT_CAP
        )

    async def count_open_for_equipment(self, equipment_id: UUID) -> int:
        return sum(
            1
            for i in self._rows.values()
            if i.equipment_id == equipment_id and i.status in ACTIVE_STATUSES
        )

    async def count_by_equipment(self, equipment_ids: Collection[UUID]) -> Mapping[UUID, int]:
        wanted = set(equipment_ids)
        counts: dict[UUID, int] = {}
        for i in self._rows.values():
            if i.equipment_id in wanted:
                counts[i.equipment_id] = counts.get(i.equipment_id, 0) + 1
        return counts

    async def list_views(
        self,
        filters: InterventionFilters,
        *,
        limit: int,
        offset: int,
        sort: Sort,
        now: datetime,
    ) -> tuple[Sequence[InterventionView], int]:
        items, total = await self.list(filters, limit=limit, offset=offset, sort=sort)
        return [InterventionView.of(i, now) for i in items], total

    async def booked_minutes(self) -> Mapping[UUID, int]:
        loads: dict[UUID, int] = {}
        for i in self._rows.values():
            if (
                i.status in (InterventionStatus.PLANNED, InterventionStatus.IN_PROGRESS)
                and i.technician_id is not None
            ):
                loads[i.technician_id] = loads.get(i.technician_id, 0) + (i.estimated_minutes or 0)
        return loads

    async def with_preventive_keys(self, keys: Collection[str]) -> Sequence[Intervention]:
        wanted = set(keys)
        return [snapshot(i) for i in self._rows.values() if i.preventive_key in wanted]

    async def escalation_candidates(self, created_at_or_before: datetime) -> Sequence[Intervention]:
        found = [
            i
            for i in self._rows.values()
            if i.priority == Priority.CRITICAL
            and i.status == InterventionStatus.OPEN
            and i.technician_id is None
            and i.escalated_at is None
            and i.created_at <= created_at_or_before
        ]
        found.sort(key=lambda i: (i.created_at, i.id.int))
        return [self._out(i) for i in found]


class MemoryScheduleRepository(ScheduleRepository):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._rows: dict[UUID, ScheduleEntry] = uow.table(SCHEDULE)
        self.locked: set[UUID] = set()

    async def lock_technician(self, technician_id: UUID) -> None:
        self.locked.add(technician_id)  # the memory unit of work is serialised already

    async def get(self, entry_id: UUID) -> ScheduleEntry | None:
        return self._rows.get(entry_id)  # frozen: safe to share

    async def get_for_intervention(self, intervention_id: UUID) -> ScheduleEntry | None:
        return next((e for e in self._rows.values() if e.intervention_id == intervention_id), None)

    async def overlapping(
        self, starts_at: datetime, ends_at: datetime, *, technician_id: UUID | None = None
    ) -> Sequence[ScheduleEntry]:
        return sorted(
            (
                e
                for e in self._rows.values()
                if (technician_id is None or e.technician_id == technician_id)
                and overlaps(e.starts_at, e.ends_at, starts_at, ends_at)
            ),
            key=lambda e: (e.starts_at, e.id.int),
        )

    async def add(self, entry: ScheduleEntry) -> None:
        if entry.id in self._rows:
            raise constraints.duplicate("schedule_entries", ["id"], "pk_schedule_entries")
        if any(e.intervention_id == entry.intervention_id for e in self._rows.values()):
            raise constraints.duplicate(
                "schedule_entries", ["intervention_id"], "uq_schedule_entries_intervention_id"
            )
        check_references(self._uow, "schedule_entries", entry, SCHEDULE_REFERENCES)
        self._rows[entry.id] = entry

    async def save(self, entry: ScheduleEntry, *, expected_version: int) -> None:
        stored = self._rows.get(entry.id)
        if stored is None or stored.version != expected_version:
            raise PreconditionFailed("The planning entry was changed by someone else.")
        check_references(self._uow, "schedule_entries", entry, SCHEDULE_REFERENCES)
        self._rows[entry.id] = entry

    async def remove(self, entry_id: UUID) -> None:
        self._rows.pop(entry_id, None)

    async def list(
        self, filters: ScheduleFilters, *, limit: int, offset: int
    ) -> tuple[Sequence[ScheduleEntry], int]:
        f = filters
        matches = sorted(
            (
                e
                for e in self._rows.values()
                if (f.technician_id is None or e.technician_id == f.technician_id)
                and (f.starts_before is None or e.starts_at < f.starts_before)
                and (f.ends_after is None or e.ends_at > f.ends_after)
            ),
            key=lambda e: (e.starts_at, e.id.int),
        )
        return matches[offset : offset + limit], len(matches)


class MemoryCalendarFeedRepository(CalendarFeedRepository):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._rows: dict[UUID, CalendarFeed] = uow.table(FEEDS)

    async def get(self, feed_id: UUID) -> CalendarFeed | None:
        feed = self._rows.get(feed_id)
        return None if feed is None else snapshot(feed)

    async def get_for_technician(self, technician_id: UUID) -> CalendarFeed | None:
        found = next((f for f in self._rows.values() if f.technician_id == technician_id), None)
        return None if found is None else snapshot(found)

    async def replace(self, feed: CalendarFeed) -> None:
        await self.remove_for_technician(feed.technician_id)
        if feed.id in self._rows:
            raise constraints.duplicate("calendar_feeds", ["id"], "pk_calendar_feeds")
        check_references(self._uow, "calendar_feeds", feed, FEED_REFERENCES)
        self._rows[feed.id] = snapshot(feed)

    async def remove_for_technician(self, technician_id: UUID) -> bool:
        gone = [i for i, f in self._rows.items() if f.technician_id == technician_id]
        for feed_id in gone:
            del self._rows[feed_id]
        return bool(gone)


class MemoryMaintenanceUnitOfWork(MemoryUnitOfWork, MaintenanceUnitOfWork):
    technicians: MemoryTechnicianRepository
    equipment: MemoryEquipmentRepository
    interventions: MemoryInterventionRepository
    schedule: MemoryScheduleRepository
    feeds: MemoryCalendarFeedRepository

    def __init__(
        self,
        store: MemoryStore,
        publisher: EventPublisher | None = None,
        *,
        outbox_signal: OutboxSignal | None = None,
    ) -> None:
        super().__init__(store, publisher, outbox_signal=outbox_signal)

    def _open_repositories(self) -> None:
        self.technicians = MemoryTechnicianRepository(self)
        self.equipment = MemoryEquipmentRepository(self)
        self.interventions = MemoryInterventionRepository(self)
        self.schedule = MemoryScheduleRepository(self)
        self.feeds = MemoryCalendarFeedRepository(self)


class MemoryDashboardReader(DashboardReader):
    """Reads the committed tables of the store (see ``application.maintenance.dashboard``)."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def stats(self, now: datetime) -> DashboardStats:
        tables = self._store.tables
        return compute_stats(
            interventions=list(tables.get(INTERVENTIONS, {}).values()),
            equipment=list(tables.get(EQUIPMENT, {}).values()),
            technicians=list(tables.get(TECHNICIANS, {}).values()),
            now=now,
        )


__all__ = [
    "MemoryCalendarFeedRepository",
    "MemoryDashboardReader",
    "MemoryEquipmentRepository",
    "MemoryInterventionRepository",
    "MemoryMaintenanceUnitOfWork",
    "MemoryScheduleRepository",
    "MemoryTechnicianRepository",
]
