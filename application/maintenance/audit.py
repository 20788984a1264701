"""Maintenance's audit vocabulary; the trail itself is the platform's
(``application.shared.audit``), written in the maintenance unit of work's transaction."""

from __future__ import annotations

from application.shared.audit import created, diff, fields_of, record

__all__ = ["LIFECYCLE_FIELDS", "created", "diff", "fields_of", "record"]

#: Fields of an intervention that its life-cycle moves change.
LIFECYCLE_FIELDS = (
    "status",
    "technician_id",
    "scheduled_at",
    "estimated_minutes",
    "started_at",
    "completed_at",
    "report",
    "cancel_reason",
)
