"""Random sequences of life-cycle calls on an intervention and its equipment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.maintenance.enums import InterventionStatus as S
from domain.maintenance.equipment import Equipment
from domain.maintenance.intervention import Intervention
from domain.maintenance.lifecycle import can_transition
from domain.shared.errors import Conflict, InvalidTransition, ValidationFailed

from .factories import T0, make_equipment, make_intervention, uid

INTERVAL_DAYS = 30
reports = st.sampled_from(["Replaced the seal.", "ok", "Fixed.", "", "bad\x00"])
steps = st.integers(min_value=0, max_value=90)


def snapshot(item: Intervention) -> tuple[Any, ...]:
    return (
        item.status, item.version, item.technician_id, item.scheduled_at, item.estimated_minutes,
        item.started_at, item.completed_at, item.report, item.cancel_reason, item.title,
        item.priority, item.updated_at, len(item.pending_events),
    )  # fmt: skip


class InterventionLifecycle(RuleBasedStateMachine):
    equipment: Equipment
    item: Intervention

    @initialize()
    def setup(self) -> None:
        self.now = T0
        self.equipment = make_equipment(
            installed_on=date(2026, 1, 1), maintenance_interval_days=INTERVAL_DAYS
        )
        self.last_completed: datetime | None = None
        self._new()

    def _new(self) -> None:
        self.item = make_intervention(equipment_id=self.equipment.id, now=self.now)
        self.expected_version = 1

    def _tick(self, minutes: int) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now

    def _attempt(self, target: S | None, action: Callable[[], object]) -> object:
        """Run ``action``; a refused transition must raise and change nothing."""
        before = snapshot(self.item)
        if target is not None and not can_transition(self.item.status, target):
            with pytest.raises(InvalidTransition) as exc:
                action()
            assert exc.value.code == "invalid_transition"
            assert snapshot(self.item) == before
            return None
        try:
            result = action()
        except (ValidationFailed, Conflict):
            assert snapshot(self.item) == before
            return None
        if snapshot(self.item) != before:
            self.expected_version += 1
        return result

    @rule(minutes=steps, tech=st.integers(1, 3), duration=st.integers(0, 1500))
    def assign(self, minutes: int, tech: int, duration: int) -> None:
        now = self._tick(minutes)
        self._attempt(S.PLANNED, lambda: self.item.assign(uid(tech), now, duration, now))

    @rule(minutes=steps)
    def unassign(self, minutes: int) -> None:
        now = self._tick(minutes)
        self._attempt(S.OPEN, lambda: self.item.unassign(now))

    @rule(minutes=steps)
    def start(self, minutes: int) -> None:
        now = self._tick(minutes)
        self._attempt(S.IN_PROGRESS, lambda: self.item.start(now))

    @rule(minutes=steps, report=reports)
    def complete(self, minutes: int, report: str) -> None:
        now = self._tick(minutes)
        done = self._attempt(S.DONE, lambda: self.item.complete(report, now))
        if done is not None:
            assert self.item.status is S.DONE
            assert self.item.completed_at is not None
            self.equipment.record_maintenance(self.item.completed_at)
            self.last_completed = self.item.completed_at

    @rule(minutes=steps, reason=st.sampled_from([None, "withdrawn", "x" * 1001]))
    def cancel(self, minutes: int, reason: str | None) -> None:
        now = self._tick(minutes)
        self._attempt(S.CANCELLED, lambda: self.item.cancel(reason, now))

    @rule(title=st.sampled_from(["Leak", "", "Hydraulic leak"]), priority=st.sampled_from(
        ["low", "critical", "bogus"]))  # fmt: skip
    def update(self, title: str, priority: str) -> None:
        now = self._tick(1)
        self._attempt(None, lambda: self.item.update({"title": title, "priority": priority}, now))

    @rule()
    def reopen_new_intervention(self) -> None:
        if self.item.is_closed:
            self._new()

    @invariant()
    def status_is_valid(self) -> None:
        assert self.item.status in set(S)

    @invariant()
    def version_counts_successful_changes(self) -> None:
        assert self.item.version == self.expected_version

    @invariant()
    def times_are_ordered(self) -> None:
        item = self.item
        if item.started_at is not None and item.completed_at is not None:
            assert item.started_at <= item.completed_at

    @invariant()
    def done_has_report_and_dates(self) -> None:
        item = self.item
        if item.status is S.DONE:
            assert item.report
            assert item.report.strip()
            assert item.started_at is not None
            assert item.completed_at is not None

    @invariant()
    def slot_matches_status(self) -> None:
        item = self.item
        slot = (item.technician_id, item.scheduled_at, item.estimated_minutes)
        if item.status is S.OPEN:
            assert slot == (None, None, None)
        elif item.status in (S.PLANNED, S.IN_PROGRESS, S.DONE):
            assert None not in slot

    @invariant()
    def equipment_dates_follow_completions(self) -> None:
        eq = self.equipment
        assert eq.last_maintenance_at == self.last_completed
        if self.last_completed is not None:
            assert eq.next_maintenance_at == self.last_completed + timedelta(days=INTERVAL_DAYS)


InterventionLifecycle.TestCase.settings = settings(
    max_examples=150, stateful_step_count=40, deadline=None
)
TestInterventionLifecycle = InterventionLifecycle.TestCase
