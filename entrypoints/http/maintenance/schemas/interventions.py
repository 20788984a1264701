"""msgspec bodies and answers of the intervention routes (assignment included).

Unknown fields are ignored, so server-owned fields (``id``, ``status``, ``version``,
``created_by``) can never be set by a client.
"""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from application.maintenance.views import AssignResult, CandidateView, InterventionView
from domain.maintenance.enums import InterventionStatus, InterventionType, Priority
from entrypoints.http.maintenance.schemas.common import (
    PUBLIC_MODULE,
    Description,
    EstimatedMinutes,
    Instant,
    Reason,
    ReportText,
    Skills,
    Title,
)


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
    __module__ = PUBLIC_MODULE  # see common.PUBLIC_MODULE

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
    def of(cls, v: InterventionView) -> "InterventionRead":
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
    def of(cls, c: CandidateView) -> "CandidateRead":
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
    def of_result(cls, r: AssignResult) -> "AssignedInterventionRead":
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
