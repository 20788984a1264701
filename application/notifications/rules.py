"""The rules of API.md: who is told what, for each event (pure functions, no I/O).

* intervention assigned -> its technician (warning: there is work to do; so it is mailed);
* started (info), completed (success), cancelled (warning) -> its requester;
* a critical intervention escalated -> every manager (error);
* equipment down -> every manager (error);
* equipment due for maintenance (the daily check) -> every manager, one notification per day
  listing every piece of equipment due (warning);
* a job completed (success) or failed (error) -> its owner.

Each rule returns at most one draft per user (duplicates in ``manager_ids`` are ignored).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from application.contracts.jobs import JobCompleted, JobFailed
from application.contracts.maintenance import (
    DueEquipment,
    EquipmentDown,
    InterventionAssigned,
    InterventionCancelled,
    InterventionCompleted,
    InterventionEscalated,
    InterventionFacts,
    InterventionStarted,
)
from domain.notifications.notification import Draft, Level

DUE_LISTED_MAX = 50
"""Equipment named one by one in a maintenance-due message (the rest are counted)."""


def _intervention_data(event: InterventionFacts) -> dict[str, Any]:
    return {
        "intervention_id": str(event.intervention_id),
        "equipment_id": str(event.equipment_id),
        "priority": event.priority,
    }


def _where(event: InterventionFacts) -> str:
    place = f" ({event.location})" if event.location else ""
    return f"{event.equipment_name}{place}"


def _unique(user_ids: Iterable[UUID]) -> list[UUID]:
    return list(dict.fromkeys(user_ids))


def assigned(event: InterventionAssigned) -> list[Draft]:
    when = event.scheduled_at.strftime("%Y-%m-%d %H:%M UTC")
    return [
        Draft(
            user_id=event.technician_user_id,
            title="New intervention assigned",
            message=(
                f"The intervention '{event.title}' on {_where(event)} has been assigned to "
                f"you, scheduled for {when} ({event.estimated_minutes} min, "
                f"priority {event.priority})."
            ),
            level=Level.WARNING,
            data={
                **_intervention_data(event),
                "kind": "intervention_assigned",
                "scheduled_at": event.scheduled_at.isoformat(),
            },
        )
    ]


def started(event: InterventionStarted) -> list[Draft]:
    return [
        Draft(
            user_id=event.requester_id,
            title="Intervention started",
            message=f"Work on your intervention '{event.title}' on {_where(event)} has started.",
            level=Level.INFO,
            data={**_intervention_data(event), "kind": "intervention_started"},
        )
    ]


def completed(event: InterventionCompleted) -> list[Draft]:
    return [
        Draft(
            user_id=event.requester_id,
            title="Intervention completed",
            message=f"Your intervention '{event.title}' on {_where(event)} is completed.",
            level=Level.SUCCESS,
            data={**_intervention_data(event), "kind": "intervention_completed"},
        )
    ]


def cancelled(event: InterventionCancelled) -> list[Draft]:
    reason = f" Reason: {event.reason}" if event.reason else ""
    return [
        Draft(
            user_id=event.requester_id,
            title="Intervention cancelled",
            message=f"Your intervention '{event.title}' on {_where(event)} was cancelled.{reason}",
            level=Level.WARNING,
            data={**_intervention_data(event), "kind": "intervention_cancelled"},
        )
    ]


def escalated(event: InterventionEscalated, manager_ids: Sequence[UUID]) -> list[Draft]:
    return [
        Draft(
            user_id=manager_id,
            title="Critical intervention unassigned",
            message=(
                f"The critical intervention '{event.title}' on {_where(event)} has had no "
                f"technician since {event.created_at.strftime('%Y-%m-%d %H:%M UTC')}."
            ),
            level=Level.ERROR,
            data={**_intervention_data(event), "kind": "intervention_escalated"},
        )
        for manager_id in _unique(manager_ids)
    ]


def equipment_down(event: EquipmentDown, manager_ids: Sequence[UUID]) -> list[Draft]:
    place = f" ({event.location})" if event.location else ""
    return [
        Draft(
            user_id=manager_id,
            title="Equipment down",
            message=f"{event.equipment_name}{place} is down (it was {event.previous_status}).",
            level=Level.ERROR,
            data={"kind": "equipment_down", "equipment_id": str(event.equipment_id)},
        )
        for manager_id in _unique(manager_ids)
    ]


def maintenance_due(
    day: date, due: Sequence[DueEquipment], manager_ids: Sequence[UUID]
) -> list[Draft]:
    """One notification per manager listing every piece of equipment due (none if none)."""
    if not due:
        return []
    named = [
        f"{item.name}{f' ({item.location})' if item.location else ''}"
        for item in due[:DUE_LISTED_MAX]
    ]
    more = len(due) - len(named)
    listing = ", ".join(named) + (f" and {more} more" if more else "")
    count = len(due)
    title = (
        "1 equipment due for maintenance"
        if count == 1
        else f"{count} equipment due for maintenance"
    )
    return [
        Draft(
            user_id=manager_id,
            title=title,
            message=f"Due by {day.isoformat()}: {listing}.",
            level=Level.WARNING,
            data={
                "kind": "maintenance_due",
                "day": day.isoformat(),
                "equipment_ids": [str(item.equipment_id) for item in due],
            },
        )
        for manager_id in _unique(manager_ids)
    ]


_KIND_LABELS = {"transcription": "transcription", "tryon": "try-on"}


def job_completed(event: JobCompleted) -> list[Draft]:
    label = _KIND_LABELS.get(event.kind, event.kind)
    data: dict[str, Any] = {"kind": "job_completed", "job_id": str(event.job_id)}
    data["job_kind"] = event.kind
    if event.result_id is not None:
        data["result_id"] = str(event.result_id)
    return [
        Draft(
            user_id=event.owner_id,
            title=f"Your {label} is ready",
            message=f"Your {label} job has completed.",
            level=Level.SUCCESS,
            data=data,
        )
    ]


def job_failed(event: JobFailed) -> list[Draft]:
    label = _KIND_LABELS.get(event.kind, event.kind)
    return [
        Draft(
            user_id=event.owner_id,
            title=f"Your {label} failed",
            message=f"Your {label} job failed: {event.error}",
            level=Level.ERROR,
            data={"kind": "job_failed", "job_id": str(event.job_id), "job_kind": event.kind},
        )
    ]
