"""What the maintenance module publishes: intervention life-cycle and equipment events, and
the ``InterventionAccess`` port (exported as ``maintenance.intervention_access``).

Ids are the maintenance module's own (``intervention_id``, ``equipment_id``,
``technician_id`` = the technician *profile*) plus the identity user ids a subscriber needs
to address people: ``requester_id`` (the user who created the intervention) and, where a
technician is involved, ``technician_user_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar, Protocol
from uuid import UUID

from application.shared.integration import IntegrationEvent
from domain.shared.access import Actor


@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionFacts(IntegrationEvent):
    """What every intervention event says about its intervention."""

    intervention_id: UUID
    title: str
    priority: str
    equipment_id: UUID
    equipment_name: str
    location: str | None
    requester_id: UUID


@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionAssigned(InterventionFacts):
    NAME: ClassVar[str] = "maintenance.intervention_assigned.v1"
    technician_id: UUID
    technician_user_id: UUID
    scheduled_at: datetime
    estimated_minutes: int


@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionStarted(InterventionFacts):
    NAME: ClassVar[str] = "maintenance.intervention_started.v1"
    technician_id: UUID | None
    started_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionCompleted(InterventionFacts):
    NAME: ClassVar[str] = "maintenance.intervention_completed.v1"
    technician_id: UUID | None
    completed_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionCancelled(InterventionFacts):
    NAME: ClassVar[str] = "maintenance.intervention_cancelled.v1"
    previous_status: str
    reason: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionEscalated(InterventionFacts):
    """A critical intervention still unassigned after the configured delay."""

    NAME: ClassVar[str] = "maintenance.intervention_escalated.v1"
    created_at: datetime
    escalated_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class EquipmentDown(IntegrationEvent):
    NAME: ClassVar[str] = "maintenance.equipment_down.v1"
    equipment_id: UUID
    equipment_name: str
    location: str | None
    owner_id: UUID | None
    previous_status: str


#: Every event above, for the module's spec (``publishes``).
PUBLISHED: tuple[type[IntegrationEvent], ...] = (
    InterventionAssigned,
    InterventionStarted,
    InterventionCompleted,
    InterventionCancelled,
    InterventionEscalated,
    EquipmentDown,
)


# -- published ports ---------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionRef:
    """An intervention as another module needs to know it."""

    id: UUID
    equipment_id: UUID
    title: str


class InterventionAccess(Protocol):
    """Whether interventions and equipment exist and an actor may read them, by the
    maintenance module's rules (the access matrix: staff and technicians read every
    intervention; a client reads those on equipment they own). Exported as
    ``maintenance.intervention_access``."""

    async def readable_intervention(
        self, actor: Actor, intervention_id: UUID
    ) -> InterventionRef | None:
        """The intervention when it exists and ``actor`` may read it; None otherwise
        (missing and hidden are the same answer)."""
        ...

    async def intervention(self, intervention_id: UUID) -> InterventionRef | None:
        """The intervention whoever asks (system work); None when it does not exist."""
        ...

    async def readable_equipment(self, actor: Actor, equipment_id: UUID) -> bool:
        """True when the equipment exists and ``actor`` may read it."""
        ...

    async def readable_interventions(self, actor: Actor) -> frozenset[UUID] | None:
        """None when ``actor`` may read every intervention; otherwise the ids of those they
        may read (a client: the interventions on equipment they own)."""
        ...


@dataclass(frozen=True, kw_only=True, slots=True)
class DueEquipment:
    """A piece of equipment whose preventive maintenance is due (``MaintenanceDue``)."""

    equipment_id: UUID
    name: str
    location: str | None
    next_maintenance_at: datetime


class MaintenanceDue(Protocol):
    """``maintenance.maintenance_due``: what the daily maintenance-due check reads."""

    async def due_on(self, day: date) -> Sequence[DueEquipment]:
        """Equipment (not retired) whose maintenance is due by the end of ``day`` (UTC),
        overdue included, ordered by due date then name."""
        ...
