"""Rows <-> maintenance aggregates (and the derived columns written on every save)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from application.maintenance.views import InterventionView
from domain.maintenance.enums import (
    CLOSED_STATUSES,
    EquipmentStatus,
    ExperienceLevel,
    InterventionStatus,
    InterventionType,
    Priority,
)
from domain.maintenance.equipment import Equipment
from domain.maintenance.intervention import Intervention
from domain.maintenance.scheduling import ScheduleEntry
from domain.maintenance.technician import Technician, WorkingWindow

#: ``priority_rank``: severity order (low < normal < high < critical).
PRIORITY_RANK: Mapping[Priority, int] = {p: rank for rank, p in enumerate(Priority)}


def fold(value: str | None) -> str | None:
    """The comparison key of case-insensitive filters: blanks collapsed, casefolded (as the
    memory adapter compares)."""
    return None if value is None else " ".join(value.split()).casefold()


# -- technicians ----------------------------------------------------------------------------
def technician_values(t: Technician) -> dict[str, Any]:
    """Every mutable column (not ``id``, ``user_id``, ``created_at`` nor ``version``)."""
    return {
        "specialty": t.specialty,
        "specialty_key": fold(t.specialty),
        "skills": list(t.skills),
        "experience_level": t.experience_level.value,
        "available": t.available,
        "phone": t.phone,
        "base_location": t.base_location,
        "working_hours": [[w.weekday, w.start_minute, w.end_minute] for w in t.working_hours],
        "updated_at": t.updated_at,
    }


def technician_row(t: Technician) -> dict[str, Any]:
    return {
        "id": t.id,
        "user_id": t.user_id,
        "created_at": t.created_at,
        "version": t.version,
        **technician_values(t),
    }


#: Weeks of working hours already mapped, by their stored value: technicians whose hours are
#: equal (most of a team's) share one tuple, which the ranking's per-week cache looks up by
#: identity (``domain.maintenance.assignment._SlotFit``). Bounded: cleared when full.
_WEEKS: dict[tuple[tuple[int, int, int], ...], tuple[WorkingWindow, ...]] = {}
_WEEKS_MAX = 1024


def working_hours(stored: Iterable[Iterable[Any]]) -> tuple[WorkingWindow, ...]:
    """The stored ``[[weekday, start_minute, end_minute], ...]`` as windows, one shared
    tuple per distinct week."""
    key = tuple((int(d), int(s), int(e)) for d, s, e in stored)
    week = _WEEKS.get(key)
    if week is None:
        if len(_WEEKS) >= _WEEKS_MAX:
            _WEEKS.clear()
        week = _WEEKS[key] = tuple(WorkingWindow(*window) for window in key)
    return week


def technician(row: sa.Row[Any]) -> Technician:
    r = row._mapping  # by key: ~8x faster than attribute access on a Row
    return Technician(
        id=r["id"],
        version=r["version"],
        user_id=r["user_id"],
        specialty=r["specialty"],
        skills=tuple(r["skills"]),
        experience_level=ExperienceLevel(r["experience_level"]),
        available=r["available"],
        phone=r["phone"],
        base_location=r["base_location"],
        working_hours=working_hours(r["working_hours"]),
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )


# -- equipment ------------------------------------------------------------------------------
def equipment_values(e: Equipment) -> dict[str, Any]:
    return {
        "name": e.name,
        "type": e.type,
        "type_key": fold(e.type),
        "model": e.model,
        "serial_number": e.serial_number,
        "serial_key": e.serial_key,
        "location": e.location,
        "location_key": fold(e.location),
        "owner_id": e.owner_id,
        "installed_on": e.installed_on,
        "maintenance_interval_days": e.maintenance_interval_days,
        "status": e.status.value,
        "last_maintenance_at": e.last_maintenance_at,
        "next_maintenance_at": e.next_maintenance_at,
        "updated_at": e.updated_at,
    }


def equipment_row(e: Equipment) -> dict[str, Any]:
    return {"id": e.id, "created_at": e.created_at, "version": e.version, **equipment_values(e)}


def equipment(row: sa.Row[Any]) -> Equipment:
    return equipment_of(row._mapping)  # by key: ~8x faster than attribute access on a Row


def equipment_of(r: Mapping[Any, Any]) -> Equipment:
    """``equipment`` of a row as a mapping (a ``Row``'s, or a driver's dict)."""
    return Equipment(
        id=r["id"],
        version=r["version"],
        name=r["name"],
        type=r["type"],
        serial_number=r["serial_number"],
        model=r["model"],
        location=r["location"],
        owner_id=r["owner_id"],
        installed_on=r["installed_on"],
        maintenance_interval_days=r["maintenance_interval_days"],
        status=EquipmentStatus(r["status"]),
        last_maintenance_at=r["last_maintenance_at"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )


# -- interventions --------------------------------------------------------------------------
def intervention_values(i: Intervention) -> dict[str, Any]:
    return {
        "title": i.title,
        "description": i.description,
        "type": i.type.value,
        "status": i.status.value,
        "priority": i.priority.value,
        "priority_rank": PRIORITY_RANK[i.priority],
        "urgent": i.urgent,
        "due_at": i.due_at,
        "required_skills": list(i.required_skills),
        "scheduled_at": i.scheduled_at,
        "estimated_minutes": i.estimated_minutes,
        "started_at": i.started_at,
        "completed_at": i.completed_at,
        "equipment_id": i.equipment_id,
        "technician_id": i.technician_id,
        "report": i.report,
        "cancel_reason": i.cancel_reason,
        "preventive_key": i.preventive_key,
        "escalated_at": i.escalated_at,
        "updated_at": i.updated_at,
    }


def intervention_row(i: Intervention) -> dict[str, Any]:
    return {
        "id": i.id,
        "created_by": i.created_by,
        "created_at": i.created_at,
        "version": i.version,
        **intervention_values(i),
    }


def intervention(row: sa.Row[Any]) -> Intervention:
    return intervention_of(row._mapping)  # by key: ~8x faster than attribute access on a Row


def intervention_of(r: Mapping[Any, Any]) -> Intervention:
    """``intervention`` of a row as a mapping (a ``Row``'s, or a driver's dict)."""
    return Intervention(
        id=r["id"],
        version=r["version"],
        title=r["title"],
        description=r["description"],
        type=InterventionType(r["type"]),
        status=InterventionStatus(r["status"]),
        priority=Priority(r["priority"]),
        urgent=r["urgent"],
        due_at=r["due_at"],
        required_skills=tuple(r["required_skills"]),
        scheduled_at=r["scheduled_at"],
        estimated_minutes=r["estimated_minutes"],
        started_at=r["started_at"],
        completed_at=r["completed_at"],
        equipment_id=r["equipment_id"],
        technician_id=r["technician_id"],
        created_by=r["created_by"],
        report=r["report"],
        cancel_reason=r["cancel_reason"],
        preventive_key=r["preventive_key"],
        escalated_at=r["escalated_at"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )


#: The columns ``intervention_view_of`` reads (no derived or internal ones).
VIEW_COLUMNS = (
    "id", "title", "description", "type", "status", "priority", "urgent", "due_at",
    "required_skills", "scheduled_at", "estimated_minutes", "started_at", "completed_at",
    "equipment_id", "technician_id", "created_by", "report", "cancel_reason", "created_at",
    "updated_at", "version",
)  # fmt: skip
_TYPES = {t.value: t for t in InterventionType}
_STATUSES = {s.value: s for s in InterventionStatus}
_PRIORITIES = {p.value: p for p in Priority}
_CLOSED = frozenset(CLOSED_STATUSES)


def intervention_view_of(r: Mapping[Any, Any], now: datetime) -> InterventionView:
    """A row of ``VIEW_COLUMNS`` as a mapping (a ``Row``'s, or a driver's dict) straight to
    the read model (``overdue`` as ``Intervention.is_overdue(now)``), no aggregate built."""
    status = _STATUSES[r["status"]]
    due_at = r["due_at"]
    return InterventionView(
        id=r["id"],
        title=r["title"],
        description=r["description"],
        type=_TYPES[r["type"]],
        status=status,
        priority=_PRIORITIES[r["priority"]],
        urgent=r["urgent"],
        due_at=due_at,
        required_skills=tuple(r["required_skills"]),
        scheduled_at=r["scheduled_at"],
        estimated_minutes=r["estimated_minutes"],
        started_at=r["started_at"],
        completed_at=r["completed_at"],
        equipment_id=r["equipment_id"],
        technician_id=r["technician_id"],
        created_by=r["created_by"],
        report=r["report"],
        cancel_reason=r["cancel_reason"],
        overdue=due_at is not None and due_at < now and status not in _CLOSED,
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        version=r["version"],
    )


# -- schedule entries and audit -------------------------------------------------------------
def entry_row(e: ScheduleEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "intervention_id": e.intervention_id,
        "technician_id": e.technician_id,
        "starts_at": e.starts_at,
        "ends_at": e.ends_at,
        "version": e.version,
    }


def entry(row: sa.Row[Any]) -> ScheduleEntry:
    return ScheduleEntry(
        id=row.id,
        intervention_id=row.intervention_id,
        technician_id=row.technician_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        version=row.version,
    )
