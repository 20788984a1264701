"""The intervention life cycle: the table, each action, and events."""

from __future__ import annotations

from datetime import timedelta
from itertools import product

import pytest

from domain.maintenance import events as ev
from domain.maintenance.enums import InterventionStatus as S
from domain.maintenance.intervention import Intervention, MaintenanceDone
from domain.maintenance.lifecycle import TRANSITIONS, allowed_targets, check_transition
from domain.shared.errors import Conflict, InvalidTransition, ValidationFailed

from .factories import T0, at, make_intervention, uid

ALLOWED = {
    (S.OPEN, S.PLANNED),
    (S.OPEN, S.CANCELLED),
    (S.PLANNED, S.IN_PROGRESS),
    (S.PLANNED, S.OPEN),
    (S.PLANNED, S.CANCELLED),
    (S.IN_PROGRESS, S.DONE),
    (S.IN_PROGRESS, S.CANCELLED),
}


@pytest.mark.parametrize(("source", "target"), list(product(S, S)))
def test_transition_table_is_exactly_the_contract(source: S, target: S) -> None:
    assert ((source, target) in TRANSITIONS) == ((source, target) in ALLOWED)
    if (source, target) in ALLOWED:
        check_transition(source, target)
        assert target in allowed_targets(source)
    else:
        with pytest.raises(InvalidTransition) as exc:
            check_transition(source, target)
        assert exc.value.code == "invalid_transition"
        assert source.value in exc.value.detail
        assert target.value in exc.value.detail
        assert exc.value.extra == {"from": source.value, "to": target.value}


def planned() -> Intervention:
    item = make_intervention(priority="high")
    item.assign(uid(7), at(0, 9), 90, T0 + timedelta(minutes=1))
    return item


def test_happy_path_records_events_with_ids() -> None:
    item = planned()
    item.start(at(0, 9))
    done = item.complete("Replaced the seal.", at(0, 10))
    assert done == MaintenanceDone(uid(100), at(0, 10))
    assert item.status is S.DONE
    assert (item.started_at, item.completed_at, item.report) == (
        at(0, 9),
        at(0, 10),
        "Replaced the seal.",
    )
    events = item.pull_events()
    assert [type(e) for e in events] == [
        ev.InterventionCreated,
        ev.InterventionAssigned,
        ev.InterventionStarted,
        ev.InterventionCompleted,
    ]
    assigned = events[1]
    assert isinstance(assigned, ev.InterventionAssigned)
    assert (assigned.intervention_id, assigned.technician_id, assigned.equipment_id) == (
        item.id,
        uid(7),
        uid(100),
    )
    assert (assigned.priority, assigned.title, assigned.estimated_minutes) == (
        "high",
        "Hydraulic leak",
        90,
    )
    assert item.version == 4


def test_unassign_clears_the_slot() -> None:
    item = planned()
    item.unassign(at(0, 8))
    assert (item.status, item.technician_id, item.scheduled_at, item.estimated_minutes) == (
        S.OPEN,
        None,
        None,
        None,
    )
    event = item.pull_events()[-1]
    assert isinstance(event, ev.InterventionUnassigned)
    assert event.technician_id == uid(7)


def test_complete_needs_a_report_and_changes_nothing_without_one() -> None:
    item = planned()
    item.start(at(0, 9))
    version = item.version
    for bad in ("", "   ", "x" * 10_001, "nul\x00"):
        with pytest.raises(ValidationFailed):
            item.complete(bad, at(0, 10))
    assert (item.status, item.version, item.report) == (S.IN_PROGRESS, version, None)


def test_completed_at_never_precedes_started_at() -> None:
    item = planned()
    item.start(at(0, 10))
    item.complete("done", at(0, 9))  # a slower clock on another instance
    assert item.completed_at == at(0, 10)


def test_cancel_keeps_reason_and_refuses_long_ones() -> None:
    item = planned()
    with pytest.raises(ValidationFailed):
        item.cancel("r" * 1001, at(0, 8))
    item.cancel("  customer withdrew ", at(0, 8))
    assert (item.status, item.cancel_reason) == (S.CANCELLED, "customer withdrew")
    event = item.pull_events()[-1]
    assert isinstance(event, ev.InterventionCancelled)
    assert event.previous_status == "planned"
    with pytest.raises(InvalidTransition):
        item.cancel(None, at(0, 9))


def test_assign_validates_slot() -> None:
    item = make_intervention()
    with pytest.raises(ValidationFailed):
        item.assign(uid(7), at(0, 9), 0, T0)
    with pytest.raises(ValidationFailed):
        item.assign(uid(7), at(0, 9), 1441, T0)
    assert item.status is S.OPEN
    item.assign(uid(7), at(0, 9), 1440, T0)


def test_reschedule_only_when_planned() -> None:
    item = planned()
    diff = item.reschedule(at(0, 13), 90, at(0, 8))
    assert diff == {"scheduled_at": (at(0, 9), at(0, 13))}
    item.start(at(0, 13))
    with pytest.raises(Conflict) as exc:
        item.reschedule(at(0, 14), 30, at(0, 13))
    assert exc.value.code == "intervention_not_planned"


def test_update_patch_and_closed_interventions() -> None:
    item = make_intervention()
    diff = item.update(
        {"title": " New title ", "priority": "critical", "required_skills": ["PLC"]}, at(0, 1)
    )
    assert diff == {
        "title": ("Hydraulic leak", "New title"),
        "priority": ("normal", "critical"),
        "required_skills": ((), ("plc",)),
    }
    with pytest.raises(ValidationFailed):
        item.update({"status": "done"}, at(0, 1))
    item.cancel(None, at(0, 2))
    with pytest.raises(Conflict) as exc:
        item.update({"title": "again"}, at(0, 3))
    assert exc.value.code == "intervention_closed"
    assert item.update({"title": "New title"}, at(0, 3)) == {}


def test_overdue() -> None:
    item = make_intervention(due_at=at(1, 0))
    assert not item.is_overdue(at(1, 0))
    assert item.is_overdue(at(1, 0) + timedelta(seconds=1))
    item.cancel(None, at(2, 0))
    assert not item.is_overdue(at(3, 0))
    assert not make_intervention().is_overdue(at(300, 0))
