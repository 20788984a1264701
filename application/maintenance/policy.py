"""Configuration of the maintenance use cases (built by the composition root from settings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.maintenance.preventive import DEFAULT_PREVENTIVE_MINUTES


@dataclass(frozen=True, slots=True, kw_only=True)
class MaintenancePolicy:
    escalation_delay_minutes: int = 30
    """A critical intervention still open and unassigned this long after creation escalates."""
    availability_max_days: int = 31
    """Longest ``[from, to)`` of ``GET /technicians/{id}/availability``."""
    calendar_max_days: int = 366
    """Longest ``[from, to)`` of the planning list, conflicts and the ``.ics`` calendar."""
    calendar_default_days_before: int = 30
    calendar_default_days_after: int = 90
    preventive_minutes: int = DEFAULT_PREVENTIVE_MINUTES
    """Estimated duration of each generated preventive intervention."""
    schedule_past_grace_minutes: int = 5
    """Assign and reschedule refuse a slot starting more than this before now (422
    ``scheduled_in_past``); dry runs answer the same."""

    @property
    def schedule_past_grace(self) -> timedelta:
        return timedelta(minutes=max(0, self.schedule_past_grace_minutes))

    @property
    def escalation_delay(self) -> timedelta:
        return timedelta(minutes=self.escalation_delay_minutes)
