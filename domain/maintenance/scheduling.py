"""Planning rules: schedule entries, clashes, availability and free windows.

``TimeWindow``, ``overlaps``, ``working_intervals`` and ``within_working_hours`` live in
``timeslots`` and are re-exported here.

Every interval is half-open ``[start, end)``: two intervals that merely touch (one ends when
the other starts) do **not** clash; any overlap does. All datetimes are UTC-aware.

Nothing is booked into the past: a slot that starts more than a grace period before now is
422 ``scheduled_in_past`` (:func:`ensure_not_in_past`; the grace absorbs clock skew and the
minutes a form stays open).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import groupby
from uuid import UUID

from domain.maintenance.intervention import Intervention
from domain.maintenance.technician import Technician
from domain.maintenance.timeslots import (
    TimeWindow,
    merge_windows,
    overlaps,
    within_working_hours,
    working_intervals,
)
from domain.maintenance.validation import Checker, ensure_aware
from domain.shared.errors import Conflict, FieldError, RuleViolated, ValidationFailed
from domain.shared.ids import new_id

#: Longest period ``availability()`` accepts.
MAX_AVAILABILITY_SPAN = timedelta(days=92)
#: How far before now a slot may still start (``ensure_not_in_past``), unless configured.
DEFAULT_PAST_GRACE = timedelta(minutes=5)

__all__ = [
    "MAX_AVAILABILITY_SPAN",
    "ScheduleConflict",
    "ScheduleEntry",
    "TechnicianAvailability",
    "TimeWindow",
    "availability",
    "ensure_no_conflict",
    "ensure_not_in_past",
    "find_conflict",
    "first_fit",
    "free_windows",
    "is_available",
    "overlapping_pairs",
    "overlaps",
    "within_working_hours",
    "working_intervals",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleEntry:
    """A technician's booked slot for one intervention (``GET /planning``).

    ``ends_at = starts_at + estimated_minutes``; ``version`` bumps on each reschedule.
    """

    id: UUID
    intervention_id: UUID
    technician_id: UUID
    starts_at: datetime
    ends_at: datetime
    version: int = 1

    @classmethod
    def create(
        cls,
        *,
        intervention_id: UUID,
        technician_id: UUID,
        starts_at: datetime,
        estimated_minutes: int,
        id: UUID | None = None,
    ) -> ScheduleEntry:
        start = ensure_aware(starts_at, "scheduled_at")
        return cls(
            id=id or new_id(),
            intervention_id=intervention_id,
            technician_id=technician_id,
            starts_at=start,
            ends_at=start + timedelta(minutes=estimated_minutes),
        )

    @classmethod
    def for_intervention(cls, intervention: Intervention, id: UUID | None = None) -> ScheduleEntry:
        """The entry of an assigned intervention (status planned)."""
        tech, at, minutes = (
            intervention.technician_id,
            intervention.scheduled_at,
            intervention.estimated_minutes,
        )
        if tech is None or at is None or minutes is None:
            raise RuleViolated("The intervention is not assigned.", code="intervention_not_planned")
        return cls.create(
            intervention_id=intervention.id,
            technician_id=tech,
            starts_at=at,
            estimated_minutes=minutes,
            id=id,
        )

    @property
    def estimated_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def window(self) -> TimeWindow:
        return TimeWindow(self.starts_at, self.ends_at)

    def overlaps(self, other: ScheduleEntry) -> bool:
        return overlaps(self.starts_at, self.ends_at, other.starts_at, other.ends_at)

    def rescheduled(self, starts_at: datetime, estimated_minutes: int) -> ScheduleEntry:
        start = ensure_aware(starts_at, "scheduled_at")
        return replace(
            self,
            starts_at=start,
            ends_at=start + timedelta(minutes=estimated_minutes),
            version=self.version + 1,
        )


class ScheduleConflict(Conflict):
    """409 ``schedule_conflict``; ``extra`` names the clashing entry and its intervention."""

    code = "schedule_conflict"
    title = "Schedule conflict"

    def __init__(self, candidate: ScheduleEntry, clashing: ScheduleEntry) -> None:
        super().__init__(
            f"The slot {candidate.starts_at.isoformat()} to {candidate.ends_at.isoformat()} "
            f"clashes with schedule entry {clashing.id} (intervention {clashing.intervention_id},"
            f" {clashing.starts_at.isoformat()} to {clashing.ends_at.isoformat()}).",
            extra={
                "conflicting_entry_id": str(clashing.id),
                "conflicting_intervention_id": str(clashing.intervention_id),
            },
            errors=[FieldError("scheduled_at", "clashes with another entry")],
        )
        self.clashing = clashing


class ScheduledInPast(ValidationFailed):
    """422 ``scheduled_in_past``: the slot starts before ``now - grace``."""

    code = "scheduled_in_past"
    title = "Scheduled in the past"

    def __init__(self, starts_at: datetime, earliest: datetime, field: str) -> None:
        super().__init__(
            f"The slot starts at {_instant(starts_at)}, in the past; the earliest start "
            f"accepted now is {_instant(earliest)}.",
            errors=[FieldError(field, f"must not be before {_instant(earliest)}")],
            extra={"earliest_allowed": _instant(earliest)},
        )


def _instant(value: datetime) -> str:
    """RFC 3339 with ``Z``, to the second (as every timestamp of the API)."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def ensure_not_in_past(
    starts_at: datetime,
    now: datetime,
    grace: timedelta = DEFAULT_PAST_GRACE,
    *,
    field: str = "scheduled_at",
) -> None:
    """Raise ``ScheduledInPast`` when ``starts_at < now - grace`` (the boundary is allowed)."""
    start = ensure_aware(starts_at, field)
    earliest = ensure_aware(now, "now") - max(grace, timedelta(0))
    if start < earliest:
        raise ScheduledInPast(start, earliest, field)


def find_conflict(
    candidate: ScheduleEntry, existing: Iterable[ScheduleEntry]
) -> ScheduleEntry | None:
    """The earliest entry of the same technician that overlaps ``candidate`` (ignoring the
    candidate itself, by id or intervention), or ``None``."""
    clashes = [
        entry
        for entry in existing
        if entry.technician_id == candidate.technician_id
        and entry.id != candidate.id
        and entry.intervention_id != candidate.intervention_id
        and entry.overlaps(candidate)
    ]
    return min(clashes, key=lambda e: (e.starts_at, e.id), default=None)


def ensure_no_conflict(candidate: ScheduleEntry, existing: Iterable[ScheduleEntry]) -> None:
    """Raise ``ScheduleConflict`` when ``find_conflict`` finds a clash."""
    clashing = find_conflict(candidate, existing)
    if clashing is not None:
        raise ScheduleConflict(candidate, clashing)


def overlapping_pairs(
    entries: Iterable[ScheduleEntry],
) -> list[tuple[ScheduleEntry, ScheduleEntry]]:
    """Every pair of overlapping entries of the same technician (``GET /planning/conflicts``),
    each pair ordered (earlier, later), sorted by technician then start."""
    pairs: list[tuple[ScheduleEntry, ScheduleEntry]] = []
    ordered = sorted(entries, key=lambda e: (e.technician_id, e.starts_at, e.ends_at, e.id))
    for _, group in groupby(ordered, key=lambda e: e.technician_id):
        active: list[ScheduleEntry] = []
        for entry in group:
            active = [a for a in active if a.ends_at > entry.starts_at]
            pairs.extend((a, entry) for a in active if a.overlaps(entry))
            active.append(entry)
    return pairs


def is_available(technician: Technician, starts_at: datetime, ends_at: datetime) -> bool:
    """The ``available`` flag is on and the slot lies within the working hours (clashes with
    other entries are a separate check: ``find_conflict``)."""
    return technician.available and within_working_hours(
        technician.working_hours, starts_at, ends_at
    )


@dataclass(frozen=True, slots=True)
class TechnicianAvailability:
    """``GET /technicians/{id}/availability``: busy entries and free working windows."""

    technician_id: UUID
    starts_at: datetime
    ends_at: datetime
    available: bool
    busy: tuple[ScheduleEntry, ...]
    free: tuple[TimeWindow, ...]


def free_windows(
    technician: Technician, entries: Iterable[ScheduleEntry], start: datetime, end: datetime
) -> list[TimeWindow]:
    """Working time in ``[start, end)`` not covered by the technician's entries; empty when
    the technician is flagged unavailable."""
    if not technician.available:
        return []
    busy = merge_windows(
        TimeWindow(e.starts_at, e.ends_at) for e in entries if e.technician_id == technician.id
    )
    free: list[TimeWindow] = []
    for work in working_intervals(technician.working_hours, start, end):
        cursor = work.starts_at
        for b in busy:
            if b.ends_at <= cursor or b.starts_at >= work.ends_at:
                continue
            if b.starts_at > cursor:
                free.append(TimeWindow(cursor, b.starts_at))
            cursor = max(cursor, b.ends_at)
        if cursor < work.ends_at:
            free.append(TimeWindow(cursor, work.ends_at))
    return free


def availability(
    technician: Technician, entries: Iterable[ScheduleEntry], start: datetime, end: datetime
) -> TechnicianAvailability:
    """Validate the period (aware, ``start < end``, at most 92 days) and compute both lists."""
    c = Checker()
    start, end = c.timestamp("from", start), c.timestamp("to", end)
    c.raise_if_any()
    if end <= start:
        c.fail("to", "must be after 'from'")
    elif end - start > MAX_AVAILABILITY_SPAN:
        c.fail("to", f"the period must not exceed {MAX_AVAILABILITY_SPAN.days} days")
    c.raise_if_any()
    own = [e for e in entries if e.technician_id == technician.id]
    busy = tuple(
        sorted(
            (e for e in own if overlaps(e.starts_at, e.ends_at, start, end)),
            key=lambda e: (e.starts_at, e.id),
        )
    )
    return TechnicianAvailability(
        technician_id=technician.id,
        starts_at=start,
        ends_at=end,
        available=technician.available,
        busy=busy,
        free=tuple(free_windows(technician, own, start, end)),
    )


def first_fit(
    technician: Technician,
    entries: Sequence[ScheduleEntry],
    start: datetime,
    end: datetime,
    minutes: int,
) -> datetime | None:
    """The earliest start in ``[start, end)`` where ``minutes`` of work fit in one free
    working window, or ``None``."""
    need = timedelta(minutes=minutes)
    for window in free_windows(technician, entries, start, end):
        if window.ends_at - window.starts_at >= need:
            return window.starts_at
    return None
