"""The ``Intervention`` aggregate (a work order on one equipment).

Status moves only through ``lifecycle.TRANSITIONS``; a refused move raises
``InvalidTransition`` and changes nothing. Every successful change sets ``updated_at`` and
bumps ``version`` by one, and records the matching event (see ``events``).

Invariants: ``started_at <= completed_at``; ``done`` has a non-empty ``report``;
``planned``/``in_progress``/``done`` have a technician, ``scheduled_at`` and
``estimated_minutes``; ``open`` has none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict
from uuid import UUID

from domain.maintenance import events as ev
from domain.maintenance.enums import CLOSED_STATUSES, InterventionStatus, InterventionType, Priority
from domain.maintenance.lifecycle import check_transition
from domain.maintenance.validation import (
    DESCRIPTION_MAX,
    ESTIMATED_MINUTES_MAX,
    ESTIMATED_MINUTES_MIN,
    REASON_MAX,
    REPORT_MAX,
    TITLE_MAX,
    Checker,
    ensure_aware,
)
from domain.shared.aggregate import Aggregate
from domain.shared.errors import Conflict
from domain.shared.ids import new_id

S = InterventionStatus
Changes = dict[str, tuple[Any, Any]]

_PARSERS: dict[str, Callable[[Checker, object], object]] = {
    "title": lambda c, v: c.text("title", v, max_len=TITLE_MAX),
    "description": lambda c, v: c.text("description", v, max_len=DESCRIPTION_MAX, min_len=0),
    "priority": lambda c, v: c.choice("priority", v, Priority),
    "urgent": lambda c, v: c.boolean("urgent", v),
    "due_at": lambda c, v: c.optional_timestamp("due_at", v),
    "required_skills": lambda c, v: c.skills("required_skills", v),
}
#: Fields ``update()`` accepts (PATCH /interventions/{id}).
UPDATABLE_FIELDS: frozenset[str] = frozenset(_PARSERS)


class _Common(TypedDict):
    intervention_id: UUID
    equipment_id: UUID
    title: str
    priority: str
    created_by: UUID
    technician_id: UUID | None


@dataclass(frozen=True, slots=True)
class MaintenanceDone:
    """What ``complete()`` hands back: call ``equipment.record_maintenance(completed_at)``."""

    equipment_id: UUID
    completed_at: datetime


@dataclass(kw_only=True, eq=False, slots=True)
class Intervention(Aggregate):
    title: str
    description: str = ""
    type: InterventionType = InterventionType.CORRECTIVE
    status: InterventionStatus = InterventionStatus.OPEN
    priority: Priority = Priority.NORMAL
    urgent: bool = False
    due_at: datetime | None = None
    required_skills: tuple[str, ...] = ()
    scheduled_at: datetime | None = None
    estimated_minutes: int | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    equipment_id: UUID
    technician_id: UUID | None = None
    created_by: UUID
    report: str | None = None
    cancel_reason: str | None = None
    #: ``preventive_key(equipment_id, week_start)`` for planned preventive work (unique in
    #: storage), else ``None``.
    preventive_key: str | None = None
    escalated_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def create(
        cls,
        *,
        title: str,
        equipment_id: UUID,
        created_by: UUID,
        now: datetime,
        description: str = "",
        type: InterventionType | str = InterventionType.CORRECTIVE,
        priority: Priority | str = Priority.NORMAL,
        urgent: bool = False,
        due_at: datetime | None = None,
        required_skills: Iterable[str] = (),
        preventive_key: str | None = None,
        id: UUID | None = None,
    ) -> Intervention:
        """Validate and build an ``open`` intervention; records ``InterventionCreated``."""
        now = ensure_aware(now, "now")
        c = Checker()
        item = cls(
            id=id or new_id(),
            title=c.text("title", title, max_len=TITLE_MAX),
            description=c.text("description", description, max_len=DESCRIPTION_MAX, min_len=0),
            type=c.choice("type", type, InterventionType),
            priority=c.choice("priority", priority, Priority),
            urgent=c.boolean("urgent", urgent),
            due_at=c.optional_timestamp("due_at", due_at),
            required_skills=c.skills("required_skills", required_skills),
            equipment_id=c.uuid("equipment_id", equipment_id),
            created_by=c.uuid("created_by", created_by),
            preventive_key=c.optional_text("preventive_key", preventive_key, max_len=TITLE_MAX),
            created_at=now,
            updated_at=now,
        )
        c.raise_if_any()
        item.record(
            ev.InterventionCreated(
                occurred_at=now,
                type=item.type.value,
                urgent=item.urgent,
                due_at=item.due_at,
                **item._common(),
            )
        )
        return item

    # -- derived ------------------------------------------------------------------------
    def is_overdue(self, now: datetime) -> bool:
        """``due_at < now`` and the intervention is neither done nor cancelled."""
        return self.due_at is not None and self.due_at < now and self.status not in CLOSED_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    # -- life cycle ---------------------------------------------------------------------
    def assign(
        self, technician_id: UUID, scheduled_at: datetime, estimated_minutes: int, now: datetime
    ) -> None:
        """open -> planned. Clashes are checked beforehand with ``scheduling.find_conflict``."""
        now = ensure_aware(now, "now")
        check_transition(self.status, S.PLANNED)
        c = Checker()
        tech = c.uuid("technician_id", technician_id)
        at = c.timestamp("scheduled_at", scheduled_at)
        minutes = _minutes(c, estimated_minutes)
        c.raise_if_any()
        self.technician_id, self.scheduled_at, self.estimated_minutes = tech, at, minutes
        self._move(S.PLANNED, now)
        self.record(
            ev.InterventionAssigned(
                occurred_at=now, scheduled_at=at, estimated_minutes=minutes, **self._common()
            )
        )

    def reschedule(self, scheduled_at: datetime, estimated_minutes: int, now: datetime) -> Changes:
        """Move a ``planned`` intervention's slot (PATCH /planning/{id}); no status change.
        Other statuses: ``Conflict`` code ``intervention_not_planned``."""
        now = ensure_aware(now, "now")
        if self.status != S.PLANNED:
            raise Conflict(
                f"Only a planned intervention can be rescheduled (it is '{self.status.value}').",
                code="intervention_not_planned",
            )
        c = Checker()
        at = c.timestamp("scheduled_at", scheduled_at)
        minutes = _minutes(c, estimated_minutes)
        c.raise_if_any()
        diff: Changes = {}
        if at != self.scheduled_at:
            diff["scheduled_at"] = (self.scheduled_at, at)
        if minutes != self.estimated_minutes:
            diff["estimated_minutes"] = (self.estimated_minutes, minutes)
        if diff:
            self.scheduled_at, self.estimated_minutes = at, minutes
            self._touch(now)
            self.record(
                ev.InterventionRescheduled(
                    occurred_at=now, scheduled_at=at, estimated_minutes=minutes, **self._common()
                )
            )
        return diff

    def unassign(self, now: datetime) -> None:
        """planned -> open; technician and slot are cleared (remove the schedule entry)."""
        now = ensure_aware(now, "now")
        check_transition(self.status, S.OPEN)
        common = self._common()
        self.technician_id = self.scheduled_at = self.estimated_minutes = None
        self._move(S.OPEN, now)
        self.record(ev.InterventionUnassigned(occurred_at=now, **common))

    def start(self, now: datetime) -> None:
        """planned -> in_progress; ``started_at = now``."""
        now = ensure_aware(now, "now")
        check_transition(self.status, S.IN_PROGRESS)
        self.started_at = now
        self._move(S.IN_PROGRESS, now)
        self.record(ev.InterventionStarted(occurred_at=now, started_at=now, **self._common()))

    def complete(self, report: str, now: datetime) -> MaintenanceDone:
        """in_progress -> done with a non-empty report (1..10000 characters).

        ``completed_at`` is ``now``, but never before ``started_at`` (clock skew between
        instances is absorbed). Returns what the equipment must record.
        """
        now = ensure_aware(now, "now")
        check_transition(self.status, S.DONE)
        c = Checker()
        text = c.text("report", report, max_len=REPORT_MAX)
        c.raise_if_any()
        started = self.started_at or now
        completed = max(now, started)
        self.report, self.completed_at = text, completed
        self._move(S.DONE, now)
        self.record(
            ev.InterventionCompleted(
                occurred_at=now, started_at=started, completed_at=completed, **self._common()
            )
        )
        return MaintenanceDone(self.equipment_id, completed)

    def cancel(self, reason: str | None, now: datetime) -> None:
        """open|planned|in_progress -> cancelled; ``reason`` optional, at most 1000 characters.
        The technician stays recorded; the planning entry must be removed."""
        now = ensure_aware(now, "now")
        check_transition(self.status, S.CANCELLED)
        c = Checker()
        text = c.optional_text("reason", reason, max_len=REASON_MAX)
        c.raise_if_any()
        previous = self.status
        self.cancel_reason = text
        self._move(S.CANCELLED, now)
        self.record(
            ev.InterventionCancelled(
                occurred_at=now, previous_status=previous.value, reason=text, **self._common()
            )
        )

    def escalate(self, now: datetime) -> bool:
        """Mark as escalated and record ``InterventionEscalated``; only the first call does
        anything (returns ``False`` afterwards). Decide with ``escalation.needs_escalation``."""
        now = ensure_aware(now, "now")
        if self.escalated_at is not None:
            return False
        self.escalated_at = now
        self._touch(now)
        self.record(
            ev.InterventionEscalated(occurred_at=now, created_at=self.created_at, **self._common())
        )
        return True

    def update(self, changes: Mapping[str, object], now: datetime) -> Changes:
        """PATCH of title, description, priority, urgent, due_at, required_skills.

        Atomic; returns ``{field: (old, new)}`` of what really changed. A done or cancelled
        intervention is frozen: ``Conflict`` code ``intervention_closed``.
        """
        now = ensure_aware(now, "now")
        c = Checker()
        parsed: dict[str, object] = {}
        for field, value in changes.items():
            if field not in _PARSERS:
                c.fail(field, "cannot be changed")
                continue
            parsed[field] = _PARSERS[field](c, value)
        c.raise_if_any()
        diff: Changes = {
            f: (getattr(self, f), v) for f, v in parsed.items() if getattr(self, f) != v
        }
        if diff and self.is_closed:
            raise Conflict(
                f"A {self.status.value} intervention cannot be changed.",
                code="intervention_closed",
            )
        for field, (_, new) in diff.items():
            setattr(self, field, new)
        if diff:
            self._touch(now)
        return diff

    # -- helpers ------------------------------------------------------------------------
    def _move(self, target: InterventionStatus, now: datetime) -> None:
        self.status = target
        self._touch(now)

    def _touch(self, now: datetime) -> None:
        self.updated_at = now
        self.version += 1

    def _common(self) -> _Common:
        return _Common(
            intervention_id=self.id,
            equipment_id=self.equipment_id,
            title=self.title,
            priority=self.priority.value,
            created_by=self.created_by,
            technician_id=self.technician_id,
        )


def _minutes(checker: Checker, value: object) -> int:
    return checker.integer(
        "estimated_minutes", value, low=ESTIMATED_MINUTES_MIN, high=ESTIMATED_MINUTES_MAX
    )
