"""Building maintenance's integration events (``application.contracts.maintenance``) from the
aggregates a use case has loaded; the use case emits them in its unit of work."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.maintenance.equipment import Equipment
from domain.maintenance.intervention import Intervention


def facts(intervention: Intervention, equipment: Equipment) -> dict[str, Any]:
    """The fields every intervention event carries (``InterventionFacts``)."""
    return {
        "intervention_id": intervention.id,
        "title": intervention.title,
        "priority": str(intervention.priority.value),
        "equipment_id": equipment.id,
        "equipment_name": equipment.name,
        "location": equipment.location,
        "requester_id": intervention.created_by,
    }


def technician_user(pool: Any, technician_id: UUID) -> UUID:
    """The user id of a technician profile among those the use case loaded."""
    for technician in pool:
        if technician.id == technician_id:
            user_id: UUID = technician.user_id
            return user_id
    raise LookupError(f"technician {technician_id} was not loaded")
