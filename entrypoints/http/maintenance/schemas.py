"""msgspec bodies and answers of the maintenance routes (XCreate / XUpdate / XRead).

Every string has a maximum length and every integer a range (422 beyond them); unknown
fields are ignored, so server-owned fields (``id``, ``status`` of an intervention,
``version``, ``created_by``) can never be set by a client. PATCH bodies use ``UNSET``: only
the fields present in the body reach the use case (``changes_of``).

``parse_instant`` is the one parser of the ``from``/``to``/``created_from``/``created_to``
query parameters: an RFC 3339 timestamp with an offset, or a date (00:00 UTC that day).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from application.maintenance.ports import AuditEntry, DashboardStats
from application.maintenance.views import (
    AssignResult,
    AvailabilityView,
    CandidateView,
    ConflictView,
    EquipmentView,
    InterventionSummary,
    InterventionView,
    PlanningEntryView,
    PreventiveResult,
    TechnicianView,
)
from domain.maintenance.enums import (
    EquipmentStatus,
    ExperienceLevel,
    InterventionStatus,
    InterventionType,
    Priority,
)
from domain.maintenance.technician import WorkingWindow, parse_working_hours
from domain.shared.errors import FieldError, ValidationFailed

# -- bounded types (limits mirror domain.maintenance.validation) ---------------------------
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Short = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
OptionalShort = Annotated[str, msgspec.Meta(max_length=100)]
Place = Annotated[str, msgspec.Meta(max_length=200)]
Description = Annotated[str, msgspec.Meta(max_length=5_000)]
ReportText = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]
Reason = Annotated[str, msgspec.Meta(max_length=1_000)]
Phone = Annotated[str, msgspec.Meta(max_length=32)]
Skill = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Skills = Annotated[list[Skill], msgspec.Meta(max_length=50)]
HourMinute = Annotated[str, msgspec.Meta(min_length=4, max_length=5)]
Weekday = Annotated[int, msgspec.Meta(ge=0, le=6)]
EstimatedMinutes = Annotated[int, msgspec.Meta(ge=1, le=1_440)]
IntervalDays = Annotated[int, msgspec.Meta(ge=1, le=3_650)]
Instant = Annotated[datetime, msgspec.Meta(tz=True)]
"""A timestamp with an offset (RFC 3339); a naive one is 422."""


def changes_of(body: msgspec.Struct, *, convert: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The fields present in a PATCH body (``UNSET`` ones left out), converted if asked."""
    changes: dict[str, Any] = {}
    for name in body.__struct_fields__:
        value = getattr(body, name)
        if value is UNSET:
            continue
        fn = (convert or {}).get(name)
        changes[name] = fn(value) if fn is not None and value is not None else value
    return changes


# -- time query parameters -----------------------------------------------------------------
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_INSTANT_CHARS = 40


def parse_instant(field: str, value: str | None) -> datetime | None:
    """``2026-11-21T09:00:00Z`` / ``...+02:00`` (to UTC) or ``2026-11-21`` (00:00 UTC);
    ``None`` stays ``None``; anything else is a 422 naming ``field``."""
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) > MAX_INSTANT_CHARS:
            raise ValueError(text)
        if _DATE.match(text):
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        if "T" not in text.upper() and " " not in text:
            raise ValueError(text)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise _bad_instant(field) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _bad_instant(field)
    return parsed.astimezone(UTC)


def _bad_instant(field: str) -> ValidationFailed:
    return ValidationFailed(
        errors=[
            FieldError(
                field,
                "must be an RFC 3339 timestamp with an offset (2026-11-21T09:00:00Z) "
                "or a date (2026-11-21)",
            )
        ]
    )


# -- technicians ---------------------------------------------------------------------------
class WorkingHours(msgspec.Struct, kw_only=True):
    weekday: Weekday
    """0 = Monday .. 6 = Sunday (UTC)."""
    start: HourMinute
    """``HH:MM``"""
    end: HourMinute
    """``HH:MM`` (``24:00`` allowed)"""

    @classmethod
    def of(cls, window: WorkingWindow) -> WorkingHours:
        return cls(weekday=window.weekday, start=window.start_text, end=window.end_text)


WorkingHoursList = Annotated[list[WorkingHours], msgspec.Meta(max_length=28)]


def working_windows(items: list[WorkingHours]) -> tuple[WorkingWindow, ...]:
    return parse_working_hours((item.weekday, item.start, item.end) for item in items)


class TechnicianCreate(msgspec.Struct, kw_only=True):
    user_id: UUID
    specialty: OptionalShort | None = None
    skills: Skills = []
    experience_level: ExperienceLevel = ExperienceLevel.JUNIOR
    available: bool = True
    phone: Phone | None = None
    base_location: Place | None = None
    working_hours: WorkingHoursList | None = None


class TechnicianUpdate(msgspec.Struct, kw_only=True):
    specialty: OptionalShort | UnsetType | None = UNSET
    skills: Skills | UnsetType = UNSET
    experience_level: ExperienceLevel | UnsetType = UNSET
    available: bool | UnsetType = UNSET
    phone: Phone | UnsetType | None = UNSET
    base_location: Place | UnsetType | None = UNSET
    working_hours: WorkingHoursList | UnsetType = UNSET


class TechnicianRead(msgspec.Struct, kw_only=True):
    id: UUID
    user_id: UUID
    specialty: str | None
    skills: list[str]
    experience_level: ExperienceLevel
    available: bool
    phone: str | None
    base_location: str | None
    working_hours: list[WorkingHours]
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, v: TechnicianView) -> TechnicianRead:
        return cls(
            id=v.id,
            user_id=v.user_id,
            specialty=v.specialty,
            skills=list(v.skills),
            experience_level=v.experience_level,
            available=v.available,
            phone=v.phone,
            base_location=v.base_location,
            working_hours=[WorkingHours.of(w) for w in v.working_hours],
            created_at=v.created_at,
            updated_at=v.updated_at,
            version=v.version,
        )


# -- equipment -----------------------------------------------------------------------------
class EquipmentCreate(msgspec.Struct, kw_only=True):
    name: Name
    type: Short
    serial_number: Short
    model: OptionalShort | None = None
    location: Place | None = None
    owner_id: UUID | None = None
    installed_on: date | None = None
    maintenance_interval_days: IntervalDays | None = None
    status: EquipmentStatus = EquipmentStatus.OPERATIONAL
    last_maintenance_at: Instant | None = None


class EquipmentUpdate(msgspec.Struct, kw_only=True):
    name: Name | UnsetType = UNSET
    type: Short | UnsetType = UNSET
    serial_number: Short | UnsetType = UNSET
    model: OptionalShort | UnsetType | None = UNSET
    location: Place | UnsetType | None = UNSET
    owner_id: UUID | UnsetType | None = UNSET
    installed_on: date | UnsetType | None = UNSET
    maintenance_interval_days: IntervalDays | UnsetType | None = UNSET
    status: EquipmentStatus | UnsetType = UNSET
    """Any status but ``retired`` (DELETE retires)."""


class EquipmentRead(msgspec.Struct, kw_only=True):
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
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, v: EquipmentView) -> EquipmentRead:
        return cls(
            id=v.id,
            name=v.name,
            type=v.type,
            model=v.model,
            serial_number=v.serial_number,
            location=v.location,
            owner_id=v.owner_id,
            installed_on=v.installed_on,
            maintenance_interval_days=v.maintenance_interval_days,
            status=v.status,
            last_maintenance_at=v.last_maintenance_at,
            next_maintenance_at=v.next_maintenance_at,
            interventions_count=v.interventions_count,
            version=v.version,
            created_at=v.created_at,
            updated_at=v.updated_at,
        )


# -- interventions -------------------------------------------------------------------------
class InterventionCreate(msgspec.Struct, kw_only=True):
    title: Title
    equipment_id: UUID
    description: Description = ""
    type: InterventionType = InterventionType.CORRECTIVE
    priority: Priority = Priority.NORMAL
    urgent: bool = False
    due_at: Instant | None = None
    required_skills: Skills = []


class InterventionUpdate(msgspec.Struct, kw_only=True):
    title: Title | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    priority: Priority | UnsetType = UNSET
    urgent: bool | UnsetType = UNSET
    due_at: Instant | UnsetType | None = UNSET
    required_skills: Skills | UnsetType = UNSET


class AssignBody(msgspec.Struct, kw_only=True):
    scheduled_at: Instant
    estimated_minutes: EstimatedMinutes
    technician_id: UUID | None = None
    """A technician profile id; absent: the best available technician is chosen."""
    dry_run: bool = False


class CompleteBody(msgspec.Struct, kw_only=True):
    report: ReportText


class CancelBody(msgspec.Struct, kw_only=True):
    reason: Reason | None = None


class InterventionRead(msgspec.Struct, kw_only=True):
    id: UUID
    title: str
    description: str
    type: InterventionType
    status: InterventionStatus
    priority: Priority
    urgent: bool
    due_at: datetime | None
    required_skills: list[str]
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
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def fields_of(cls, v: InterventionView) -> dict[str, Any]:
        return {
            "id": v.id,
            "title": v.title,
            "description": v.description,
            "type": v.type,
            "status": v.status,
            "priority": v.priority,
            "urgent": v.urgent,
            "due_at": v.due_at,
            "required_skills": list(v.required_skills),
            "scheduled_at": v.scheduled_at,
            "estimated_minutes": v.estimated_minutes,
            "started_at": v.started_at,
            "completed_at": v.completed_at,
            "equipment_id": v.equipment_id,
            "technician_id": v.technician_id,
            "created_by": v.created_by,
            "report": v.report,
            "cancel_reason": v.cancel_reason,
            "overdue": v.overdue,
            "version": v.version,
            "created_at": v.created_at,
            "updated_at": v.updated_at,
        }

    @classmethod
    def of(cls, v: InterventionView) -> InterventionRead:
        return cls(**cls.fields_of(v))


class CandidateRead(msgspec.Struct, kw_only=True):
    technician_id: UUID
    score: float
    reasons: dict[str, float]
    eligible: bool
    why_not: str | None
    matched_skills: list[str]
    conflicting_entry_id: UUID | None
    load_minutes: int

    @classmethod
    def of(cls, c: CandidateView) -> CandidateRead:
        return cls(
            technician_id=c.technician_id,
            score=c.score,
            reasons=dict(c.reasons),
            eligible=c.eligible,
            why_not=c.why_not,
            matched_skills=list(c.matched_skills),
            conflicting_entry_id=c.conflicting_entry_id,
            load_minutes=c.load_minutes,
        )


class AssignmentRead(msgspec.Struct, kw_only=True):
    technician_id: UUID | None
    score: float | None
    reasons: dict[str, float]
    candidates: Annotated[
        list[CandidateRead],
        msgspec.Meta(
            description="The best ranked candidates (at most 10), best first: eligible ones "
            "first, then by score descending, then by technician id."
        ),
    ]
    candidates_total: Annotated[
        int, msgspec.Meta(description="How many technicians were ranked (all profiles).")
    ]


class AssignedInterventionRead(InterventionRead, kw_only=True):
    """The intervention (``planned``; unchanged on a dry run) and how it was assigned."""

    assignment: AssignmentRead
    dry_run: bool
    planning_entry_id: UUID | None

    @classmethod
    def of_result(cls, r: AssignResult) -> AssignedInterventionRead:
        a = r.assignment
        return cls(
            **InterventionRead.fields_of(r.intervention),
            assignment=AssignmentRead(
                technician_id=a.technician_id,
                score=a.score,
                reasons=dict(a.reasons),
                candidates=[CandidateRead.of(c) for c in a.candidates],
                candidates_total=a.candidates_total,
            ),
            dry_run=r.dry_run,
            planning_entry_id=r.entry_id,
        )


# -- planning ------------------------------------------------------------------------------
class InterventionSummaryRead(msgspec.Struct, kw_only=True):
    id: UUID
    title: str
    status: InterventionStatus
    priority: Priority
    type: InterventionType
    equipment_id: UUID
    urgent: bool

    @classmethod
    def of(cls, s: InterventionSummary) -> InterventionSummaryRead:
        return cls(
            id=s.id,
            title=s.title,
            status=s.status,
            priority=s.priority,
            type=s.type,
            equipment_id=s.equipment_id,
            urgent=s.urgent,
        )


class PlanningEntryRead(msgspec.Struct, kw_only=True):
    id: UUID
    intervention_id: UUID
    technician_id: UUID
    scheduled_at: datetime
    ends_at: datetime
    estimated_minutes: int
    version: int
    intervention: InterventionSummaryRead | None

    @classmethod
    def of(cls, e: PlanningEntryView) -> PlanningEntryRead:
        return cls(
            id=e.id,
            intervention_id=e.intervention_id,
            technician_id=e.technician_id,
            scheduled_at=e.scheduled_at,
            ends_at=e.ends_at,
            estimated_minutes=e.estimated_minutes,
            version=e.version,
            intervention=InterventionSummaryRead.of(e.intervention) if e.intervention else None,
        )


class RescheduleBody(msgspec.Struct, kw_only=True):
    scheduled_at: Instant | None = None
    estimated_minutes: EstimatedMinutes | None = None


class ConflictRead(msgspec.Struct, kw_only=True):
    technician_id: UUID
    first: PlanningEntryRead
    second: PlanningEntryRead

    @classmethod
    def of(cls, c: ConflictView) -> ConflictRead:
        return cls(
            technician_id=c.technician_id,
            first=PlanningEntryRead.of(c.first),
            second=PlanningEntryRead.of(c.second),
        )


class TimeWindowRead(msgspec.Struct, kw_only=True):
    starts_at: datetime
    ends_at: datetime


class AvailabilityRead(msgspec.Struct, kw_only=True):
    technician_id: UUID
    starts_at: datetime
    ends_at: datetime
    available: bool
    busy: list[PlanningEntryRead]
    free: list[TimeWindowRead]

    @classmethod
    def of(cls, v: AvailabilityView) -> AvailabilityRead:
        return cls(
            technician_id=v.technician_id,
            starts_at=v.starts_at,
            ends_at=v.ends_at,
            available=v.available,
            busy=[PlanningEntryRead.of(e) for e in v.busy],
            free=[TimeWindowRead(starts_at=w.starts_at, ends_at=w.ends_at) for w in v.free],
        )


class PreventiveBody(msgspec.Struct, kw_only=True):
    week_start: date


class PreventiveCreatedRead(msgspec.Struct, kw_only=True):
    equipment_id: UUID
    intervention: InterventionRead
    entry: PlanningEntryRead


class PreventiveSkippedRead(msgspec.Struct, kw_only=True):
    equipment_id: UUID
    reason: str
    preventive_key: str


class PreventiveRead(msgspec.Struct, kw_only=True):
    week_start: date
    created: list[PreventiveCreatedRead]
    skipped: list[PreventiveSkippedRead]

    @classmethod
    def of(cls, r: PreventiveResult) -> PreventiveRead:
        return cls(
            week_start=r.week_start,
            created=[
                PreventiveCreatedRead(
                    equipment_id=c.equipment_id,
                    intervention=InterventionRead.of(c.intervention),
                    entry=PlanningEntryRead.of(c.entry),
                )
                for c in r.created
            ],
            skipped=[
                PreventiveSkippedRead(
                    equipment_id=s.equipment_id, reason=s.reason, preventive_key=s.preventive_key
                )
                for s in r.skipped
            ],
        )


# -- dashboard, audit ----------------------------------------------------------------------
class InterventionStats(msgspec.Struct, kw_only=True):
    total: int
    open: int
    in_progress: int
    done_this_week: int
    critical: int
    overdue: int


class EquipmentStats(msgspec.Struct, kw_only=True):
    total: int
    operational: int
    down: int
    maintenance_due: int


class TechnicianStats(msgspec.Struct, kw_only=True):
    total: int
    available: int
    busy: int
    average_load: float


class KpiRead(msgspec.Struct, kw_only=True):
    mean_resolution_hours: float | None
    on_time_rate: float | None
    mttr_hours: float | None
    mtbf_hours: float | None


class DashboardRead(msgspec.Struct, kw_only=True):
    interventions: InterventionStats
    equipment: EquipmentStats
    technicians: TechnicianStats
    kpi: KpiRead

    @classmethod
    def of(cls, s: DashboardStats) -> DashboardRead:
        i, e, t, k = s.interventions, s.equipment, s.technicians, s.kpi
        return cls(
            interventions=InterventionStats(
                total=i.total,
                open=i.open,
                in_progress=i.in_progress,
                done_this_week=i.done_this_week,
                critical=i.critical,
                overdue=i.overdue,
            ),
            equipment=EquipmentStats(
                total=e.total,
                operational=e.operational,
                down=e.down,
                maintenance_due=e.maintenance_due,
            ),
            technicians=TechnicianStats(
                total=t.total, available=t.available, busy=t.busy, average_load=t.average_load
            ),
            kpi=KpiRead(
                mean_resolution_hours=k.mean_resolution_hours,
                on_time_rate=k.on_time_rate,
                mttr_hours=k.mttr_hours,
                mtbf_hours=k.mtbf_hours,
            ),
        )


class FieldChange(msgspec.Struct, kw_only=True):
    old: Any
    new: Any


class AuditRead(msgspec.Struct, kw_only=True):
    id: UUID
    at: datetime
    actor_id: UUID | None
    entity_type: str
    entity_id: UUID
    action: str
    changes: dict[str, FieldChange]

    @classmethod
    def of(cls, e: AuditEntry) -> AuditRead:
        changes = {
            name: FieldChange(old=pair[0] if pair else None, new=pair[1] if len(pair) > 1 else None)
            for name, pair in e.changes.items()
        }
        return cls(
            id=e.id,
            at=e.at,
            actor_id=e.actor_id,
            entity_type=e.entity_type,
            entity_id=e.entity_id,
            action=e.action,
            changes=changes,
        )
