"""Commands and queries of the maintenance use cases (frozen dataclasses).

PATCH commands carry ``changes``: only the fields present in the request body, with the
values already decoded (UUIDs, aware datetimes, dates, enum strings, lists; a technician's
``working_hours`` as ``WorkingWindow``s, see ``domain.maintenance.technician
.parse_working_hours``). The aggregates validate them. ``expected_version`` is the
``If-Match`` version (None when absent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from application.maintenance.ports import (
    EquipmentFilters,
    InterventionFilters,
    TechnicianFilters,
)
from domain.maintenance.technician import WorkingWindow
from domain.shared.access import Actor


# -- technicians ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class CreateTechnicianCommand:
    actor: Actor
    user_id: UUID
    specialty: str | None = None
    skills: Sequence[str] = ()
    experience_level: str = "junior"
    available: bool = True
    phone: str | None = None
    base_location: str | None = None
    working_hours: Sequence[WorkingWindow] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class GetTechnicianQuery:
    actor: Actor
    technician_id: UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class ListTechniciansQuery:
    actor: Actor
    filters: TechnicianFilters = field(default_factory=TechnicianFilters)
    limit: int | None = None
    offset: int | None = None
    sort: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateTechnicianCommand:
    actor: Actor
    technician_id: UUID
    changes: Mapping[str, object]
    expected_version: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TechnicianAvailabilityQuery:
    actor: Actor
    technician_id: UUID
    starts_at: datetime
    """``from``"""
    ends_at: datetime
    """``to``"""


# -- equipment ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class CreateEquipmentCommand:
    actor: Actor
    name: str
    type: str
    serial_number: str
    model: str | None = None
    location: str | None = None
    owner_id: UUID | None = None
    installed_on: date | None = None
    maintenance_interval_days: int | None = None
    status: str = "operational"
    last_maintenance_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class GetEquipmentQuery:
    actor: Actor
    equipment_id: UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class ListEquipmentQuery:
    actor: Actor
    filters: EquipmentFilters = field(default_factory=EquipmentFilters)
    limit: int | None = None
    offset: int | None = None
    sort: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateEquipmentCommand:
    actor: Actor
    equipment_id: UUID
    changes: Mapping[str, object]
    expected_version: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RetireEquipmentCommand:
    actor: Actor
    equipment_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EquipmentHistoryQuery:
    actor: Actor
    equipment_id: UUID
    limit: int | None = None
    offset: int | None = None


# -- interventions --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class CreateInterventionCommand:
    actor: Actor
    title: str
    equipment_id: UUID
    description: str = ""
    type: str = "corrective"
    priority: str = "normal"
    urgent: bool = False
    due_at: datetime | None = None
    required_skills: Sequence[str] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class GetInterventionQuery:
    actor: Actor
    intervention_id: UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class ListInterventionsQuery:
    actor: Actor
    filters: InterventionFilters = field(default_factory=InterventionFilters)
    limit: int | None = None
    offset: int | None = None
    sort: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateInterventionCommand:
    actor: Actor
    intervention_id: UUID
    changes: Mapping[str, object]
    expected_version: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignInterventionCommand:
    actor: Actor
    intervention_id: UUID
    scheduled_at: datetime
    estimated_minutes: int
    technician_id: UUID | None = None
    """A technician profile id; None: the best eligible technician is chosen."""
    dry_run: bool = False
    expected_version: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InterventionActionCommand:
    """unassign / start (no body)."""

    actor: Actor
    intervention_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CompleteInterventionCommand:
    actor: Actor
    intervention_id: UUID
    report: str
    expected_version: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelInterventionCommand:
    actor: Actor
    intervention_id: UUID
    reason: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalateOverdueCommand:
    """Run by the periodic job (no actor); ``now`` defaults to the clock."""

    now: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InterventionReportQuery:
    actor: Actor
    intervention_id: UUID


# -- planning -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class ListPlanningQuery:
    actor: Actor
    technician_id: UUID | None = None
    starts_at: datetime | None = None
    """``from``"""
    ends_at: datetime | None = None
    """``to``"""
    limit: int | None = None
    offset: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RescheduleEntryCommand:
    actor: Actor
    entry_id: UUID
    scheduled_at: datetime | None = None
    estimated_minutes: int | None = None
    expected_version: int | None = None
    """The planning entry's version."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanningConflictsQuery:
    actor: Actor
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneratePreventiveCommand:
    actor: Actor
    week_start: date


@dataclass(frozen=True, slots=True, kw_only=True)
class TechnicianCalendarQuery:
    actor: Actor
    technician_id: UUID
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarFeedCommand:
    """Issue or rotate (POST), read (GET) or revoke (DELETE) a technician's feed."""

    actor: Actor
    technician_id: UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedCalendarQuery:
    """``GET /planning/feeds/{token}.ics``: no actor, the token is the credential."""

    token: str = field(repr=False)
    starts_at: datetime | None = None
    ends_at: datetime | None = None


# -- dashboard, audit -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class DashboardQuery:
    actor: Actor
