"""Domain events of the maintenance context.

Recorded by the aggregates (``pull_events()``), published after commit. They carry plain
values (ids, enum values as ``str``, UTC datetimes) so the notifications context can build
its messages without reading the maintenance tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionEvent(DomainEvent):
    """Common payload of every intervention event.

    ``technician_id`` is the technician *profile* id assigned at the time of the event
    (for ``InterventionUnassigned``: the one just removed), ``created_by`` the requester's
    user id.
    """

    intervention_id: UUID
    equipment_id: UUID
    title: str
    priority: str
    created_by: UUID
    technician_id: UUID | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionCreated(InterventionEvent):
    type: str
    urgent: bool
    due_at: datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionAssigned(InterventionEvent):
    scheduled_at: datetime
    estimated_minutes: int


@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionRescheduled(InterventionEvent):
    scheduled_at: datetime
    estimated_minutes: int


@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionUnassigned(InterventionEvent):
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionStarted(InterventionEvent):
    started_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionCompleted(InterventionEvent):
    started_at: datetime
    completed_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionCancelled(InterventionEvent):
    previous_status: str
    reason: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionEscalated(InterventionEvent):
    """A critical intervention is still unassigned: every manager must be told."""

    created_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class EquipmentDown(DomainEvent):
    equipment_id: UUID
    equipment_name: str
    location: str | None
    owner_id: UUID | None
    previous_status: str


@dataclass(frozen=True, kw_only=True, slots=True)
class EquipmentRetired(DomainEvent):
    equipment_id: UUID
    equipment_name: str
    owner_id: UUID | None


@dataclass(frozen=True, kw_only=True, slots=True)
class TechnicianCreated(DomainEvent):
    technician_id: UUID
    user_id: UUID
