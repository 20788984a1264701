"""Weekly preventive planning (``POST /planning/preventive``), as a pure function.

For a week ``[Monday 00:00 UTC, next Monday 00:00 UTC)``: every non-retired equipment whose
``next_maintenance_at`` is before the end of the week (overdue ones included) gets one
preventive intervention, assigned and scheduled, unless one with the same
``preventive_key`` (equipment id + ISO week) already exists. Technicians are tried
least-loaded first (booked minutes that week, ties by id), skipping those flagged
unavailable; the slot is the earliest free stretch of their working hours, never before
``now`` (rounded up to the quarter hour), that fits ``estimated_minutes``. The caller
persists ``created`` (interventions + schedule entries) and reports ``skipped``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from domain.maintenance.enums import InterventionType, Priority
from domain.maintenance.equipment import Equipment
from domain.maintenance.intervention import Intervention
from domain.maintenance.scheduling import ScheduleEntry, first_fit, overlaps
from domain.maintenance.technician import Technician
from domain.maintenance.validation import TITLE_MAX, ensure_aware
from domain.shared.errors import FieldError, ValidationFailed

DEFAULT_PREVENTIVE_MINUTES = 120
ALREADY_PLANNED = "already_planned"
NO_TECHNICIAN = "no_technician_available"


def preventive_key(equipment_id: UUID, week_start: date) -> str:
    """``"<equipment uuid>:<ISO year>-W<ISO week>"``, e.g. ``"...:2026-W47"``."""
    year, week, _ = week_start.isocalendar()
    return f"{equipment_id}:{year}-W{week:02d}"


def check_week_start(value: object) -> date:
    """A ``date`` that is a Monday, else ``ValidationFailed`` (a ``RuleViolated``) on
    ``week_start``."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationFailed(errors=[FieldError("week_start", "must be a date")])
    if value.weekday() != 0:
        raise ValidationFailed(errors=[FieldError("week_start", "must be a Monday")])
    return value


def week_bounds(week_start: date) -> tuple[datetime, datetime]:
    start = datetime(week_start.year, week_start.month, week_start.day, tzinfo=UTC)
    return start, start + timedelta(days=7)


@dataclass(frozen=True, slots=True)
class PlannedPreventive:
    equipment_id: UUID
    intervention: Intervention
    entry: ScheduleEntry


@dataclass(frozen=True, slots=True)
class SkippedEquipment:
    equipment_id: UUID
    reason: str
    preventive_key: str


@dataclass(frozen=True, slots=True)
class PreventivePlan:
    week_start: date
    created: tuple[PlannedPreventive, ...]
    skipped: tuple[SkippedEquipment, ...]


def _round_up_quarter(moment: datetime) -> datetime:
    floor = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(minutes=15)


def plan_preventive_week(
    *,
    week_start: date,
    equipment: Iterable[Equipment],
    technicians: Sequence[Technician],
    schedule: Iterable[ScheduleEntry],
    existing: Iterable[Intervention],
    created_by: UUID,
    now: datetime,
    estimated_minutes: int = DEFAULT_PREVENTIVE_MINUTES,
) -> PreventivePlan:
    """Plan the week; see the module docstring. ``existing`` are the interventions already
    holding a ``preventive_key`` (any status); ``schedule`` the entries of the week."""
    week_start = check_week_start(week_start)
    now = ensure_aware(now, "now")
    start, end = week_bounds(week_start)
    earliest = max(start, _round_up_quarter(now))
    taken = {i.preventive_key for i in existing if i.preventive_key}
    entries = [e for e in schedule if overlaps(e.starts_at, e.ends_at, start, end)]
    loads = {t.id: 0 for t in technicians}
    for e in entries:
        if e.technician_id in loads:
            loads[e.technician_id] += e.estimated_minutes

    due = [
        eq
        for eq in equipment
        if not eq.is_retired and (nxt := eq.next_maintenance_at) is not None and nxt < end
    ]
    due.sort(key=lambda eq: (eq.next_maintenance_at, eq.id))
    created: list[PlannedPreventive] = []
    skipped: list[SkippedEquipment] = []
    for eq in due:
        key = preventive_key(eq.id, week_start)
        if key in taken:
            skipped.append(SkippedEquipment(eq.id, ALREADY_PLANNED, key))
            continue
        slot: tuple[Technician, datetime] | None = None
        for tech in sorted(technicians, key=lambda t: (loads[t.id], t.id)):
            if tech.available:
                at = first_fit(tech, entries, earliest, end, estimated_minutes)
                if at is not None:
                    slot = (tech, at)
                    break
        if slot is None:
            skipped.append(SkippedEquipment(eq.id, NO_TECHNICIAN, key))
            continue
        tech, at = slot
        intervention = Intervention.create(
            title=f"Preventive maintenance: {eq.name}"[:TITLE_MAX],
            description=(
                f"Scheduled preventive maintenance of {eq.name} (serial {eq.serial_number}), "
                f"week {key.rsplit(':', 1)[1]}."
            ),
            type=InterventionType.PREVENTIVE,
            priority=Priority.NORMAL,
            due_at=end,
            equipment_id=eq.id,
            created_by=created_by,
            now=now,
            preventive_key=key,
        )
        intervention.assign(tech.id, at, estimated_minutes, now)
        entry = ScheduleEntry.for_intervention(intervention)
        entries.append(entry)
        loads[tech.id] += estimated_minutes
        taken.add(key)
        created.append(PlannedPreventive(eq.id, intervention, entry))
    return PreventivePlan(week_start, tuple(created), tuple(skipped))
