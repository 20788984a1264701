"""When must an unassigned critical intervention be escalated to every manager?"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.maintenance.enums import InterventionStatus, Priority
from domain.maintenance.intervention import Intervention

#: A sensible default for the configurable delay.
DEFAULT_ESCALATION_DELAY = timedelta(minutes=30)


def needs_escalation(intervention: Intervention, now: datetime, delay: timedelta) -> bool:
    """True for a ``critical`` intervention still ``open`` and unassigned, created at least
    ``delay`` ago (``created_at + delay <= now``), and not escalated yet.

    The periodic job calls this, then ``intervention.escalate(now)`` (records
    ``InterventionEscalated`` once) and saves.
    """
    return (
        intervention.priority == Priority.CRITICAL
        and intervention.status == InterventionStatus.OPEN
        and intervention.technician_id is None
        and intervention.escalated_at is None
        and intervention.created_at + delay <= now
    )
