"""What the maintenance use cases return: read models of the API's resources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from application.contracts.documents import DocumentSummary
from domain.maintenance.assignment import Candidate
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
from domain.maintenance.technician import Technician, WorkingWindow


@dataclass(frozen=True, slots=True, kw_only=True)
class TechnicianView:
    id: UUID
    user_id: UUID
    specialty: str | None
    skills: tuple[str, ...]
    experience_level: ExperienceLevel
    available: bool
    phone: str | None
    base_location: str | None
    working_hours: tuple[WorkingWindow, ...]
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, t: Technician) -> TechnicianView:
        return cls(
            id=t.id,
            user_id=t.user_id,
            specialty=t.specialty,
            skills=t.skills,
            experience_level=t.experience_level,
            available=t.available,
            phone=t.phone,
            base_location=t.base_location,
            working_hours=t.working_hours,
            created_at=t.created_at,
            updated_at=t.updated_at,
            version=t.version,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class EquipmentView:
    id: UUID
    name: str
    type: str
    model: str | None
    serial_number: str
    location: str | None
    owner_id: UUID | None
    installed_on: date | None
    maintenance_interval_days: int | None
    status: EquipmentStatus
    last_maintenance_at: datetime | None
    next_maintenance_at: datetime | None
    interventions_count: int
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, e: Equipment, interventions_count: int) -> EquipmentView:
        return cls(
            id=e.id,
            name=e.name,
            type=e.type,
            model=e.model,
            serial_number=e.serial_number,
            location=e.location,
            owner_id=e.owner_id,
            installed_on=e.installed_on,
            maintenance_interval_days=e.maintenance_interval_days,
            status=e.status,
            last_maintenance_at=e.last_maintenance_at,
            next_maintenance_at=e.next_maintenance_at,
            interventions_count=interventions_count,
            created_at=e.created_at,
            updated_at=e.updated_at,
            version=e.version,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class InterventionView:
    id: UUID
    title: str
    description: str
    type: InterventionType
    status: InterventionStatus
    priority: Priority
    urgent: bool
    due_at: datetime | None
    required_skills: tuple[str, ...]
    scheduled_at: datetime | None
    estimated_minutes: int | None
    started_at: datetime | None
    completed_at: datetime | None
    equipment_id: UUID
    technician_id: UUID | None
    created_by: UUID
    report: str | None
    cancel_reason: str | None
    overdue: bool
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, i: Intervention, now: datetime) -> InterventionView:
        return cls(
            id=i.id,
            title=i.title,
            description=i.description,
            type=i.type,
            status=i.status,
            priority=i.priority,
            urgent=i.urgent,
            due_at=i.due_at,
            required_skills=i.required_skills,
            scheduled_at=i.scheduled_at,
            estimated_minutes=i.estimated_minutes,
            started_at=i.started_at,
            completed_at=i.completed_at,
            equipment_id=i.equipment_id,
            technician_id=i.technician_id,
            created_by=i.created_by,
            report=i.report,
            cancel_reason=i.cancel_reason,
            overdue=i.is_overdue(now),
            created_at=i.created_at,
            updated_at=i.updated_at,
            version=i.version,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateView:
    technician_id: UUID
    score: float
    reasons: Mapping[str, float]
    eligible: bool
    why_not: str | None
    matched_skills: tuple[str, ...]
    conflicting_entry_id: UUID | None
    load_minutes: int

    @classmethod
    def of(cls, c: Candidate) -> CandidateView:
        return cls(
            technician_id=c.technician_id,
            score=c.score,
            reasons=dict(c.reasons),
            eligible=c.eligible,
            why_not=c.why_not,
            matched_skills=c.matched_skills,
            conflicting_entry_id=c.conflicting_entry_id,
            load_minutes=c.load_minutes,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignmentView:
    """``assignment`` of ``POST /interventions/{id}/assign``. ``technician_id`` is None only
    for a dry run where nobody is eligible. ``candidates``: the best ranked ones (at most
    ``CANDIDATES_SHOWN``), ``candidates_total``: how many technicians were ranked."""

    technician_id: UUID | None
    score: float | None
    reasons: Mapping[str, float]
    candidates: tuple[CandidateView, ...]
    candidates_total: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignResult:
    intervention: InterventionView
    """Unchanged (still ``open``) on a dry run."""
    assignment: AssignmentView
    dry_run: bool
    entry_id: UUID | None
    """The planning entry written (None on a dry run)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InterventionSummary:
    id: UUID
    title: str
    status: InterventionStatus
    priority: Priority
    type: InterventionType
    equipment_id: UUID
    urgent: bool

    @classmethod
    def of(cls, i: Intervention) -> InterventionSummary:
        return cls(
            id=i.id,
            title=i.title,
            status=i.status,
            priority=i.priority,
            type=i.type,
            equipment_id=i.equipment_id,
            urgent=i.urgent,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanningEntryView:
    id: UUID
    intervention_id: UUID
    technician_id: UUID
    scheduled_at: datetime
    ends_at: datetime
    estimated_minutes: int
    version: int
    intervention: InterventionSummary | None

    @classmethod
    def of(cls, e: ScheduleEntry, intervention: Intervention | None) -> PlanningEntryView:
        return cls(
            id=e.id,
            intervention_id=e.intervention_id,
            technician_id=e.technician_id,
            scheduled_at=e.starts_at,
            ends_at=e.ends_at,
            estimated_minutes=e.estimated_minutes,
            version=e.version,
            intervention=InterventionSummary.of(intervention) if intervention else None,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeWindowView:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AvailabilityView:
    technician_id: UUID
    starts_at: datetime
    ends_at: datetime
    available: bool
    busy: tuple[PlanningEntryView, ...]
    free: tuple[TimeWindowView, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ConflictView:
    """Two overlapping entries of one technician (``first`` starts earlier)."""

    technician_id: UUID
    first: PlanningEntryView
    second: PlanningEntryView


@dataclass(frozen=True, slots=True, kw_only=True)
class PreventiveCreatedView:
    equipment_id: UUID
    intervention: InterventionView
    entry: PlanningEntryView


@dataclass(frozen=True, slots=True, kw_only=True)
class PreventiveSkippedView:
    equipment_id: UUID
    reason: str
    """``already_planned`` or ``no_technician_available``."""
    preventive_key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PreventiveResult:
    week_start: date
    created: tuple[PreventiveCreatedView, ...]
    skipped: tuple[PreventiveSkippedView, ...]

    @property
    def created_any(self) -> bool:
        """True -> HTTP 201, False -> 200."""
        return bool(self.created)


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarEquipment:
    """What a calendar event says about the equipment (names, not ids)."""

    id: UUID
    name: str
    type: str
    serial_number: str
    location: str | None

    @classmethod
    def of(cls, e: Equipment) -> CalendarEquipment:
        return cls(
            id=e.id,
            name=e.name,
            type=e.type,
            serial_number=e.serial_number,
            location=e.location,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarView:
    """Data of ``GET /planning/technicians/{id}.ics`` and of the secret feed URL."""

    technician: TechnicianView
    technician_name: str
    """The technician's first and last name (the calendar's name)."""
    starts_at: datetime
    ends_at: datetime
    entries: tuple[PlanningEntryView, ...]
    equipment: Mapping[UUID, CalendarEquipment]
    """The equipment of the entries' interventions, by id."""
    generated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarFeedView:
    """A technician's secret feed, without its secret (``GET .../feed``)."""

    technician_id: UUID
    created_at: datetime
    created_by: UUID | None


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuedCalendarFeed:
    """A feed just issued or rotated: ``token`` is shown this once and never again."""

    technician_id: UUID
    token: str
    created_at: datetime
    created_by: UUID | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineEvent:
    at: datetime
    action: str
    """created, assign, start, complete, cancel, ... (from the audit trail)."""
    actor_id: UUID | None
    changes: Mapping[str, object]
    text: str = ""
    """The entry as a sentence, with names and plain times (``application.maintenance
    .timeline``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InterventionReportData:
    """Data of ``GET /interventions/{id}/report.pdf``; ``documents`` comes from the
    documents module's published port when that module is installed (empty otherwise)."""

    intervention: InterventionView
    equipment: EquipmentView
    technician: TechnicianView | None
    timeline: tuple[TimelineEvent, ...]
    documents: Sequence[DocumentSummary]
    generated_at: datetime
    technician_name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationResult:
    escalated: tuple[UUID, ...]
