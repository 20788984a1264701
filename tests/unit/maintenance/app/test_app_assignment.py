from __future__ import annotations

import asyncio

import pytest

from application.maintenance.commands import (
    AssignInterventionCommand,
    GetInterventionQuery,
    InterventionActionCommand,
)
from application.maintenance.policy import MaintenancePolicy
from application.maintenance.use_cases.assign_intervention import AssignIntervention
from application.maintenance.use_cases.get_intervention import GetIntervention
from application.maintenance.use_cases.unassign_intervention import UnassignIntervention
from application.shared.list_audit import ListAudit, ListAuditQuery
from domain.maintenance.enums import InterventionStatus
from domain.maintenance.scheduling import ScheduleConflict, ScheduledInPast
from domain.maintenance.technician import WorkingWindow
from domain.shared.errors import DomainError, RuleViolated

from .conftest import Kit, at


def assign(kit: Kit, item_id, tech_id=None, start=None, minutes=60, dry_run=False):  # type: ignore[no-untyped-def]
    return kit.run(
        AssignIntervention,
        AssignInterventionCommand(
            actor=kit.manager,
            intervention_id=item_id,
            technician_id=tech_id,
            scheduled_at=start or at(0, 9),
            estimated_minutes=minutes,
            dry_run=dry_run,
        ),
    )


async def test_automatic_assignment_picks_the_best_and_explains(kit: Kit) -> None:
    _, novice = await kit.technician(skills=["electrical"])
    _, expert = await kit.technician(
        skills=["hydraulics"], specialty="press", experience_level="expert"
    )
    _, away = await kit.technician(skills=["hydraulics"], available=False)
    eq = await kit.equipment(type="Press")
    item = await kit.intervention(eq.id, required_skills=["hydraulics"], priority="critical")
    result = await assign(kit, item.id)
    assert result.dry_run is False
    assert result.entry_id is not None
    assert result.intervention.status is InterventionStatus.PLANNED
    assert result.intervention.technician_id == expert.id
    assignment = result.assignment
    assert assignment.technician_id == expert.id
    assert assignment.reasons["skills"] == 40.0
    assert assignment.reasons["equipment_type"] == 10.0
    assert assignment.score == max(c.score for c in assignment.candidates)
    by_id = {c.technician_id: c for c in assignment.candidates}
    assert set(by_id) == {novice.id, expert.id, away.id}
    assert by_id[away.id].why_not == "not_available"
    assert "InterventionAssigned" in kit.publisher.names()


async def test_dry_run_changes_nothing(kit: Kit) -> None:
    await kit.technician(skills=["hydraulics"])
    eq = await kit.equipment()
    item = await kit.intervention(eq.id)
    audit_before = (await kit.run(ListAudit, ListAuditQuery(actor=kit.admin))).total
    events_before = len(kit.publisher.events)
    result = await assign(kit, item.id, dry_run=True)
    assert result.dry_run is True
    assert result.entry_id is None
    assert result.assignment.technician_id is not None
    got = await kit.run(
        GetIntervention, GetInterventionQuery(actor=kit.admin, intervention_id=item.id)
    )
    assert got.status is InterventionStatus.OPEN
    assert got.version == 1
    async with kit.uow() as uow:
        assert await uow.schedule.get_for_intervention(item.id) is None
    assert (await kit.run(ListAudit, ListAuditQuery(actor=kit.admin))).total == audit_before
    assert len(kit.publisher.events) == events_before


async def test_explicit_assignment_conflict_names_the_clashing_entry(kit: Kit) -> None:
    _, tech = await kit.technician()
    eq = await kit.equipment()
    first = await kit.intervention(eq.id)
    second = await kit.intervention(eq.id)
    booked = await assign(kit, first.id, tech.id, at(0, 9), 120)
    with pytest.raises(ScheduleConflict) as err:
        await assign(kit, second.id, tech.id, at(0, 10), 60)
    assert err.value.code == "schedule_conflict"
    assert err.value.extra["conflicting_entry_id"] == str(booked.entry_id)
    got = await kit.run(
        GetIntervention, GetInterventionQuery(actor=kit.admin, intervention_id=second.id)
    )
    assert got.status is InterventionStatus.OPEN
    ok = await assign(kit, second.id, tech.id, at(0, 11), 60)  # touching is not clashing
    assert ok.intervention.status is InterventionStatus.PLANNED


async def test_no_technician_available(kit: Kit) -> None:
    await kit.technician(available=False)
    eq = await kit.equipment()
    item = await kit.intervention(eq.id)
    with pytest.raises(RuleViolated) as err:
        await assign(kit, item.id, start=at(5, 9))  # Saturday: outside working hours
    assert err.value.code == "no_technician_available"
    dry = await assign(kit, item.id, dry_run=True)
    assert dry.assignment.technician_id is None
    assert len(dry.assignment.candidates) == 1


async def test_concurrent_assignments_into_one_slot_exactly_one_wins(kit: Kit) -> None:
    _, tech = await kit.technician()
    eq = await kit.equipment()
    items = [await kit.intervention(eq.id) for _ in range(2)]
    results = await asyncio.gather(
        *(assign(kit, i.id, tech.id, at(0, 9), 90) for i in items), return_exceptions=True
    )
    wins = [r for r in results if not isinstance(r, BaseException)]
    losses = [r for r in results if isinstance(r, BaseException)]
    assert len(wins) == 1
    assert len(losses) == 1
    assert isinstance(losses[0], ScheduleConflict)
    async with kit.uow() as uow:
        entries = await uow.schedule.overlapping(at(0, 0), at(1, 0), technician_id=tech.id)
    assert len(entries) == 1


async def test_concurrent_automatic_assignments_never_double_book(kit: Kit) -> None:
    await kit.technician()
    eq = await kit.equipment()
    items = [await kit.intervention(eq.id) for _ in range(3)]
    results = await asyncio.gather(
        *(assign(kit, i.id, None, at(0, 9), 60) for i in items), return_exceptions=True
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, DomainError) for r in results if isinstance(r, BaseException))


async def test_unassign_goes_back_to_open_and_removes_the_entry(kit: Kit) -> None:
    _, tech = await kit.technician()
    eq = await kit.equipment()
    item = await kit.intervention(eq.id)
    await assign(kit, item.id, tech.id)
    back = await kit.run(
        UnassignIntervention,
        InterventionActionCommand(actor=kit.manager, intervention_id=item.id, expected_version=2),
    )
    assert back.status is InterventionStatus.OPEN
    assert back.technician_id is None
    async with kit.uow() as uow:
        assert await uow.schedule.get_for_intervention(item.id) is None
    again = await assign(kit, item.id, tech.id)  # the slot is free again
    assert again.intervention.status is InterventionStatus.PLANNED


async def test_a_failed_automatic_assignment_explains_each_candidate(kit: Kit) -> None:
    _, away = await kit.technician(available=False)
    _, busy = await kit.technician()
    # ``late`` works Saturdays only: 10:00 on a Monday is outside their hours
    _, late = await kit.technician(working_hours=[WorkingWindow.parse(5, "08:00", "17:00")])
    eq = await kit.equipment()
    first = await kit.intervention(eq.id)
    booked = await assign(kit, first.id, busy.id, at(0, 9), 120)
    item = await kit.intervention(eq.id)
    with pytest.raises(RuleViolated) as err:
        await assign(kit, item.id, start=at(0, 10))
    problem = err.value
    assert problem.code == "no_technician_available"
    why = {c["technician_id"]: c["why_not"] for c in problem.extra["candidates"]}  # type: ignore[attr-defined]
    assert why == {
        str(away.id): "not_available",
        str(busy.id): "schedule_conflict",
        str(late.id): "outside_working_hours",
    }
    assert problem.extra["candidates_total"] == 3
    clash = next(c for c in problem.extra["candidates"] if c["technician_id"] == str(busy.id))  # type: ignore[attr-defined]
    assert clash["conflicting_entry_id"] == str(booked.entry_id)
    assert "schedule_conflict" in problem.detail
    dry = await assign(kit, item.id, start=at(0, 10), dry_run=True)  # the same explanation
    assert {str(c.technician_id): c.why_not for c in dry.assignment.candidates} == why


@pytest.mark.parametrize("dry_run", [False, True])
async def test_assigning_into_the_past_is_refused(kit: Kit, dry_run: bool) -> None:
    _, tech = await kit.technician()
    eq = await kit.equipment()
    item = await kit.intervention(eq.id)
    kit.clock.set(at(0, 11))  # Monday 11:00; the default grace is 5 minutes
    with pytest.raises(ScheduledInPast) as err:
        await assign(kit, item.id, tech.id, at(0, 10, 54), dry_run=dry_run)
    assert err.value.code == "scheduled_in_past"
    assert [e.field for e in err.value.errors] == ["scheduled_at"]
    assert err.value.extra["earliest_allowed"] == "2026-11-16T10:55:00Z"
    got = await kit.run(
        GetIntervention, GetInterventionQuery(actor=kit.admin, intervention_id=item.id)
    )
    assert got.status is InterventionStatus.OPEN
    within_grace = await assign(kit, item.id, tech.id, at(0, 10, 55), dry_run=dry_run)
    assert within_grace.assignment.technician_id == tech.id


async def test_the_grace_is_configurable(kit: Kit) -> None:
    kit.policy = MaintenancePolicy(schedule_past_grace_minutes=0)
    _, tech = await kit.technician()
    item = await kit.intervention((await kit.equipment()).id)
    kit.clock.set(at(0, 11))
    with pytest.raises(ScheduledInPast):
        await assign(kit, item.id, tech.id, at(0, 10, 59))
    assert (await assign(kit, item.id, tech.id, at(0, 11))).entry_id is not None
