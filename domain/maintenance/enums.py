"""Enumerations of the maintenance context (values are the API's strings)."""

from __future__ import annotations

from enum import StrEnum


class EquipmentStatus(StrEnum):
    OPERATIONAL = "operational"
    DEGRADED = "degraded"
    DOWN = "down"
    MAINTENANCE = "maintenance"
    RETIRED = "retired"


class InterventionType(StrEnum):
    CORRECTIVE = "corrective"
    PREVENTIVE = "preventive"
    PREDICTIVE = "predictive"


class InterventionStatus(StrEnum):
    OPEN = "open"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


class ExperienceLevel(StrEnum):
    JUNIOR = "junior"
    INTERMEDIATE = "intermediate"
    SENIOR = "senior"
    EXPERT = "expert"

    @property
    def rank(self) -> int:
        """0 for junior .. 3 for expert."""
        return _LEVEL_RANKS[self]


_LEVEL_RANKS: dict[ExperienceLevel, int] = {level: i for i, level in enumerate(ExperienceLevel)}


#: Statuses in which an intervention still needs work ("open interventions" of an equipment).
ACTIVE_STATUSES: frozenset[InterventionStatus] = frozenset(
    {InterventionStatus.OPEN, InterventionStatus.PLANNED, InterventionStatus.IN_PROGRESS}
)
#: Final statuses: nothing changes after them.
CLOSED_STATUSES: frozenset[InterventionStatus] = frozenset(
    {InterventionStatus.DONE, InterventionStatus.CANCELLED}
)
