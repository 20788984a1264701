"""Ports of the maintenance context: repositories, unit of work, dashboard, user directory.

Conventions shared by every repository here:

* ``get`` hands out a copy of the stored aggregate and tracks it on the unit of work (its
  events are published after commit); nothing is stored until ``add``/``save`` is called and
  the unit of work commits.
* The aggregates bump their own ``version`` when they change. ``save(entity,
  expected_version=...)`` therefore receives the version the entity had **when it was loaded**
  and stores the entity only when the stored version still equals it
  (``UPDATE ... SET ..., version = :new WHERE id = :id AND version = :expected``), else
  ``PreconditionFailed``: of two concurrent saves from the same version, one fails.
* ``list`` returns one page (ties broken by id ascending) and the total count of matches.
* Every datetime is timezone-aware UTC. Derived values (``next_maintenance_at``,
  ``overdue``, ``maintenance_due``) are compared with ``filters.now``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.contracts.identity import DirectoryUser as DirectoryUser  # identity's port
from application.contracts.identity import UserDirectory as UserDirectory
from application.maintenance.views import InterventionView
from application.shared.pagination import Sort
from application.shared.uow import UnitOfWork
from domain.maintenance.calendar_feed import CalendarFeed
from domain.maintenance.enums import (
    EquipmentStatus,
    ExperienceLevel,
    InterventionStatus,
    InterventionType,
    Priority,
)
from domain.maintenance.equipment import Equipment
from domain.maintenance.intervention import Intervention
from domain.maintenance.scheduling import ScheduleEntry
from domain.maintenance.technician import Technician

TECHNICIAN_SORT_FIELDS = frozenset(
    {"created_at", "updated_at", "experience_level", "specialty", "available", "base_location"}
)
EQUIPMENT_SORT_FIELDS = frozenset(
    {"name", "type", "serial_number", "location", "status", "created_at", "updated_at",
     "installed_on", "last_maintenance_at", "next_maintenance_at"}
)  # fmt: skip
INTERVENTION_SORT_FIELDS = frozenset(
    {"created_at", "updated_at", "due_at", "priority", "status", "title", "scheduled_at",
     "completed_at"}
)  # fmt: skip
"""``priority`` sorts by severity (low < normal < high < critical), not alphabetically."""
LIST_COUNT_CAP = 10_000
"""The ``total`` of an equipment or intervention list counts matches up to this many: a
list with more answers this number (a lower bound). Counting a million index entries would
cost more than the page itself; this bounds it. The SQL adapter also keeps a total of 1,000
or more for a few seconds per filters (at a million rows counting thousands of index entries
per page cost several times the page)."""


# -- list filters ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class TechnicianFilters:
    available: bool | None = None
    skill: str | None = None
    """A normalised skill (lower-case, single blanks) the technician must have."""
    specialty: str | None = None
    """Case-insensitive exact match of the specialty."""
    level: ExperienceLevel | None = None
    user_id: UUID | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EquipmentFilters:
    location: str | None = None
    """Case-insensitive exact match."""
    type: str | None = None
    """Case-insensitive exact match."""
    status: EquipmentStatus | None = None
    owner_id: UUID | None = None
    """Also the "read own" scope of clients."""
    maintenance_due: bool | None = None
    """True: not retired and ``next_maintenance_at <= now``; False: all the others."""
    q: str | None = None
    """Case-insensitive substring of name, serial number, model or location."""
    now: datetime | None = None
    """The instant ``maintenance_due`` is judged at (set by the use case)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InterventionFilters:
    status: InterventionStatus | None = None
    priority: Priority | None = None
    type: InterventionType | None = None
    equipment_id: UUID | None = None
    technician_id: UUID | None = None
    overdue: bool | None = None
    """True: ``due_at < now`` and status neither done nor cancelled; False: the others."""
    q: str | None = None
    """Case-insensitive substring of title or description."""
    created_from: datetime | None = None
    """``created_at >= created_from``."""
    created_to: datetime | None = None
    """``created_at < created_to``."""
    equipment_owner_id: UUID | None = None
    """Only interventions on equipment owned by this user (the clients' "own" scope)."""
    now: datetime | None = None
    """The instant ``overdue`` is judged at (set by the use case)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleFilters:
    technician_id: UUID | None = None
    starts_before: datetime | None = None
    """``to``: entries with ``starts_at < starts_before``."""
    ends_after: datetime | None = None
    """``from``: entries with ``ends_at > ends_after``."""


# -- audit trail entity types (the trail itself: application.shared.audit) -----------------
ENTITY_EQUIPMENT = "equipment"
ENTITY_TECHNICIAN = "technician"
ENTITY_INTERVENTION = "intervention"
ENTITY_PLANNING_ENTRY = "planning_entry"
ENTITY_CALENDAR_FEED = "calendar_feed"
"""A technician's secret feed URL (``entity_id``: the technician profile)."""


# -- repositories ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class RankingPool:
    """What the assignment ranking reads, in one go (``TechnicianRepository.ranking_pool``)."""

    technicians: Sequence[Technician]
    """Every profile, ordered by id; read-only copies (not tracked)."""
    clashes: Sequence[ScheduleEntry]
    """Per technician, the earliest entry (by start, then id) overlapping the slot that is
    not the intervention's own: enough for ``rank_candidates`` (``find_conflict`` keeps
    the earliest clash only)."""
    loads: Mapping[UUID, int]
    """As ``InterventionRepository.booked_minutes``."""


class TechnicianRepository(Protocol):
    async def get(self, technician_id: UUID) -> Technician | None: ...

    async def get_by_user(self, user_id: UUID) -> Technician | None:
        """The profile of a user (tracked), or None."""
        ...

    async def get_many(self, ids: Collection[UUID]) -> Mapping[UUID, Technician]:
        """Read-only copies (not tracked) of the profiles that exist among ``ids``."""
        ...

    async def all(self) -> Sequence[Technician]:
        """Every profile, ordered by id (assignment ranking, preventive planning); copies,
        not tracked."""
        ...

    async def ranking_pool(
        self, starts_at: datetime, ends_at: datetime, *, intervention_id: UUID | None
    ) -> RankingPool:
        """Profiles, their first clash with ``[starts_at, ends_at)`` (entries of
        ``intervention_id`` ignored) and their booked minutes (SQL: one query)."""
        ...

    async def add(self, technician: Technician) -> None:
        """Insert and track. A second profile for the same ``user_id`` raises
        ``Conflict(code="technician_exists")`` (SQL: unique index on ``user_id``)."""
        ...

    async def save(self, technician: Technician, *, expected_version: int) -> None:
        """Store the changes (see module docstring for ``expected_version``)."""
        ...

    async def list(
        self, filters: TechnicianFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Technician], int]: ...


class EquipmentRepository(Protocol):
    async def get(self, equipment_id: UUID) -> Equipment | None: ...

    async def get_many(self, ids: Collection[UUID]) -> Mapping[UUID, Equipment]:
        """Read-only copies (not tracked) of the equipment that exists among ``ids``."""
        ...

    async def add(self, equipment: Equipment) -> None:
        """Insert and track. The same ``serial_key`` (case- and blank-insensitive serial
        number, see ``domain.maintenance.validation.serial_number_key``) as another row
        raises ``Conflict(code="serial_taken")`` (SQL: unique index on the key)."""
        ...

    async def save(self, equipment: Equipment, *, expected_version: int) -> None:
        """Store the changes; ``Conflict(code="serial_taken")`` when the new serial number
        belongs to another row."""
        ...

    async def list(
        self, filters: EquipmentFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Equipment], int]: ...

    async def list_due_before(self, moment: datetime) -> Sequence[Equipment]:
        """Non-retired equipment whose ``next_maintenance_at < moment`` (preventive
        planning), ordered by id; copies, not tracked. A superset is harmless: the domain
        filters again."""
        ...


class InterventionRepository(Protocol):
    async def get(self, intervention_id: UUID) -> Intervention | None: ...

    async def get_with_equipment(
        self, intervention_id: UUID
    ) -> tuple[Intervention, Equipment] | None:
        """The intervention and its equipment, both tracked (as ``get`` and
        ``EquipmentRepository.get`` track them), or None when either is missing. Every
        command on an intervention starts here (SQL: one joined statement, one round trip)."""
        ...

    async def view(self, intervention_id: UUID, now: datetime) -> InterventionView | None:
        """The read model of one intervention (``overdue`` as of ``now``), not tracked: a
        read that changes nothing needs no aggregate (SQL: one prepared statement, the row
        mapped straight to the view)."""
        ...

    async def get_many(self, ids: Collection[UUID]) -> Mapping[UUID, Intervention]:
        """Read-only copies (not tracked) of the interventions that exist among ``ids``."""
        ...

    async def add(self, intervention: Intervention) -> None:
        """Insert and track. A non-null ``preventive_key`` already stored raises
        ``Conflict(code="preventive_exists")`` (SQL: unique index)."""
        ...

    async def save(self, intervention: Intervention, *, expected_version: int) -> None: ...

    async def list(
        self, filters: InterventionFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Intervention], int]: ...

    async def list_views(
        self,
        filters: InterventionFilters,
        *,
        limit: int,
        offset: int,
        sort: Sort,
        now: datetime,
    ) -> tuple[Sequence[InterventionView], int]:
        """``list`` as read models (``overdue`` judged at ``now``): SQL adapters map the
        rows straight to views, with no aggregate built."""
        ...

    async def count_open_for_equipment(self, equipment_id: UUID) -> int:
        """Interventions of the equipment in status open, planned or in_progress."""
        ...

    async def count_by_equipment(self, equipment_ids: Collection[UUID]) -> Mapping[UUID, int]:
        """Number of interventions (any status) per equipment id (missing = 0)."""
        ...

    async def booked_minutes(self) -> Mapping[UUID, int]:
        """Technician profile id -> sum of ``estimated_minutes`` of their planned and
        in_progress interventions (the "load" of the assignment ranking)."""
        ...

    async def with_preventive_keys(self, keys: Collection[str]) -> Sequence[Intervention]:
        """Interventions (any status) whose ``preventive_key`` is among ``keys``; copies."""
        ...

    async def escalation_candidates(self, created_at_or_before: datetime) -> Sequence[Intervention]:
        """Critical, open, unassigned, never escalated interventions created at or before the
        instant, oldest first; tracked (the caller escalates and saves them)."""
        ...


class ScheduleRepository(Protocol):
    """Planning entries (one per planned/in-progress/done intervention).

    Clash checks are decided inside the transaction that writes. ``add`` of an entry that
    overlaps a committed entry of the same technician raises ``ScheduleConflict`` on
    PostgreSQL (an exclusion constraint: no lock needed, across instances); SQLite and the
    memory unit of work serialise whole transactions, so an overlap check read in the
    transaction holds. ``lock_technician`` (several: ascending id order) before reading
    entries serialises multi-entry changes of a technician (rescheduling, weekly plans):
    ``SELECT ... FOR UPDATE`` on PostgreSQL, a no-op elsewhere.
    """

    async def lock_technician(self, technician_id: UUID) -> None: ...

    async def get(self, entry_id: UUID) -> ScheduleEntry | None: ...

    async def get_for_intervention(self, intervention_id: UUID) -> ScheduleEntry | None: ...

    async def overlapping(
        self, starts_at: datetime, ends_at: datetime, *, technician_id: UUID | None = None
    ) -> Sequence[ScheduleEntry]:
        """Entries with ``starts_at < ends_at`` and ``ends_at > starts_at`` (half-open),
        optionally of one technician, ordered by start then id."""
        ...

    async def add(self, entry: ScheduleEntry) -> None:
        """Insert; a second entry for the same intervention raises ``Conflict``; an entry
        overlapping a committed one of the same technician raises ``ScheduleConflict`` where
        the store enforces it (PostgreSQL)."""
        ...

    async def save(self, entry: ScheduleEntry, *, expected_version: int) -> None:
        """Replace the stored entry when its version equals ``expected_version``, else
        ``PreconditionFailed`` (``entry.version`` is already the new one)."""
        ...

    async def remove(self, entry_id: UUID) -> None:
        """Delete (no error when already gone)."""
        ...

    async def list(
        self, filters: ScheduleFilters, *, limit: int, offset: int
    ) -> tuple[Sequence[ScheduleEntry], int]:
        """Ordered by ``starts_at`` then id."""
        ...


class CalendarFeedRepository(Protocol):
    """The technicians' secret calendar feeds (one per technician at most)."""

    async def get(self, feed_id: UUID) -> CalendarFeed | None: ...

    async def get_for_technician(self, technician_id: UUID) -> CalendarFeed | None: ...

    async def replace(self, feed: CalendarFeed) -> None:
        """Store ``feed``, removing the technician's previous feed if any (rotation).
        ``UnknownReference`` when the technician or the creator does not exist."""
        ...

    async def remove_for_technician(self, technician_id: UUID) -> bool:
        """Delete the technician's feed; whether there was one."""
        ...


class MaintenanceUnitOfWork(UnitOfWork, Protocol):
    technicians: TechnicianRepository
    equipment: EquipmentRepository
    interventions: InterventionRepository
    schedule: ScheduleRepository
    feeds: CalendarFeedRepository


# -- read models and outside services ---------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class InterventionCounts:
    total: int
    open: int
    in_progress: int
    done_this_week: int
    critical: int
    overdue: int


@dataclass(frozen=True, slots=True, kw_only=True)
class EquipmentCounts:
    total: int
    operational: int
    down: int
    maintenance_due: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TechnicianCounts:
    total: int
    available: int
    busy: int
    average_load: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Kpi:
    mean_resolution_hours: float | None
    on_time_rate: float | None
    mttr_hours: float | None
    mtbf_hours: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DashboardStats:
    """``GET /dashboard/stats``; the definitions are in ``application.maintenance.dashboard``."""

    interventions: InterventionCounts
    equipment: EquipmentCounts
    technicians: TechnicianCounts
    kpi: Kpi


class DashboardReader(Protocol):
    async def stats(self, now: datetime) -> DashboardStats:
        """Aggregate figures at ``now`` (see ``application.maintenance.dashboard``)."""
        ...
