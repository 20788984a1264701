"""msgspec bodies and answers of the planning routes (conflicts, availability, preventive)."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from application.maintenance.views import (
    AvailabilityView,
    ConflictView,
    InterventionSummary,
    PlanningEntryView,
    PreventiveResult,
)
from domain.maintenance.enums import InterventionStatus, InterventionType, Priority
from entrypoints.http.maintenance.schemas.common import PUBLIC_MODULE, EstimatedMinutes, Instant
from entrypoints.http.maintenance.schemas.interventions import InterventionRead


class InterventionSummaryRead(msgspec.Struct, kw_only=True):
    id: UUID
    title: str
    status: InterventionStatus
    priority: Priority
    type: InterventionType
    equipment_id: UUID
    urgent: bool

    @classmethod
    def of(cls, s: InterventionSummary) -> "InterventionSummaryRead":
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
    __module__ = PUBLIC_MODULE  # see common.PUBLIC_MODULE

    id: UUID
    intervention_id: UUID
    technician_id: UUID
    scheduled_at: datetime
    ends_at: datetime
    estimated_minutes: int
    version: int
    intervention: InterventionSummaryRead | None

    @classmethod
    def of(cls, e: PlanningEntryView) -> "PlanningEntryRead":
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
    __module__ = PUBLIC_MODULE  # see common.PUBLIC_MODULE

    technician_id: UUID
    first: PlanningEntryRead
    second: PlanningEntryRead

    @classmethod
    def of(cls, c: ConflictView) -> "ConflictRead":
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
    def of(cls, v: AvailabilityView) -> "AvailabilityRead":
        return cls(
            technician_id=v.technician_id,
            starts_at=v.starts_at,
            ends_at=v.ends_at,
            available=v.available,
            busy=[PlanningEntryRead.of(e) for e in v.busy],
            free=[TimeWindowRead(starts_at=w.starts_at, ends_at=w.ends_at) for w in v.free],
        )


class PreventiveBody(msgspec.Struct, kw_only=True):
    week_start: Annotated[
        date,
        msgspec.Meta(
            description="The Monday starting the ISO week to plan; another day is 422 "
            "(`week_start`)."
        ),
    ]


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
    def of(cls, r: PreventiveResult) -> "PreventiveRead":
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
