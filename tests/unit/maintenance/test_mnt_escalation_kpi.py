from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.maintenance.enums import Priority
from domain.maintenance.escalation import needs_escalation
from domain.maintenance.events import InterventionEscalated
from domain.maintenance.intervention import Intervention
from domain.maintenance.kpi import (
    count_failures,
    mean_resolution_hours,
    mtbf_hours,
    mttr_hours,
    on_time_rate,
)

from .factories import T0, at, make_intervention, uid

DELAY = timedelta(minutes=30)


@settings(max_examples=150)
@given(
    priority=st.sampled_from(list(Priority)),
    assigned=st.booleans(),
    cancelled=st.booleans(),
    waited=st.integers(min_value=0, max_value=120),
)
def test_needs_escalation(priority: Priority, assigned: bool, cancelled: bool, waited: int) -> None:
    item = make_intervention(priority=priority)
    if assigned:
        item.assign(uid(7), at(0, 9), 60, T0)
    if cancelled:
        item.cancel(None, T0)
    now = T0 + timedelta(minutes=waited)
    expected = priority is Priority.CRITICAL and not assigned and not cancelled and waited >= 30
    assert needs_escalation(item, now, DELAY) == expected
    if expected:
        assert item.escalate(now)
        assert not item.escalate(now + DELAY)
        assert not needs_escalation(item, now + DELAY, DELAY)
        escalations = [e for e in item.pull_events() if isinstance(e, InterventionEscalated)]
        assert len(escalations) == 1
        assert escalations[0].priority == "critical"


def finished(
    created_h: int, started_h: int, done_h: int, due_h: int | None, **kw: object
) -> Intervention:
    item = make_intervention(
        now=at(0, created_h), due_at=None if due_h is None else at(0, due_h), **kw
    )
    item.assign(uid(7), at(0, started_h), 60, at(0, created_h))
    item.start(at(0, started_h))
    item.complete("done", at(0, done_h))
    return item


def test_kpi_formulas() -> None:
    items = [
        finished(0, 2, 4, 5),  # corrective, on time: resolution 4 h, repair 2 h
        finished(1, 3, 9, 6, type="preventive"),  # late: resolution 8 h
        finished(2, 2, 8, None),  # corrective, no due date: resolution 6 h, repair 6 h
        make_intervention(now=at(0, 3)),  # still open
    ]
    assert mean_resolution_hours(items) == pytest.approx(6.0)
    assert mttr_hours(items) == pytest.approx(4.0)
    assert on_time_rate(items) == pytest.approx(0.5)
    failures = count_failures(items, at(0, 0), at(1, 0))
    assert failures == 3
    assert mtbf_hours(24, 10, failures) == pytest.approx(80.0)
    assert mtbf_hours(24, 10, 0) is None
    assert mean_resolution_hours([]) is None
    assert on_time_rate(items[3:]) is None
