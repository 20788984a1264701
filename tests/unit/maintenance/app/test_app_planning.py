from __future__ import annotations

from datetime import date, timedelta

import pytest

from application.maintenance.commands import (
    AssignInterventionCommand,
    GeneratePreventiveCommand,
    GetEquipmentQuery,
    ListPlanningQuery,
    PlanningConflictsQuery,
    RescheduleEntryCommand,
    TechnicianCalendarQuery,
)
from application.maintenance.use_cases.assign_intervention import AssignIntervention
from application.maintenance.use_cases.generate_preventive import GeneratePreventive
from application.maintenance.use_cases.get_equipment import GetEquipment
from application.maintenance.use_cases.list_planning import ListPlanning
from application.maintenance.use_cases.planning_conflicts import PlanningConflicts
from application.maintenance.use_cases.reschedule_entry import RescheduleEntry
from application.maintenance.use_cases.technician_calendar import GetTechnicianCalendar
from domain.maintenance.enums import InterventionType
from domain.maintenance.scheduling import ScheduleConflict, ScheduledInPast, ScheduleEntry
from domain.shared.access import Role
from domain.shared.errors import Forbidden, NotFound, PreconditionFailed, ValidationFailed

from .conftest import Kit, at


async def _book(kit: Kit, tech_id, start, minutes=60):  # type: ignore[no-untyped-def]
    eq = await kit.equipment()
    item = await kit.intervention(eq.id)
    return await kit.run(
        AssignIntervention,
        AssignInterventionCommand(
            actor=kit.manager,
            intervention_id=item.id,
            technician_id=tech_id,
            scheduled_at=start,
            estimated_minutes=minutes,
        ),
    )


async def test_list_planning_with_summaries_and_roles(kit: Kit) -> None:
    tech_actor, tech = await kit.technician()
    _, other = await kit.technician()
    a = await _book(kit, tech.id, at(0, 9))
    await _book(kit, other.id, at(0, 9))
    c = await _book(kit, tech.id, at(1, 9))
    page = await kit.run(
        ListPlanning,
        ListPlanningQuery(
            actor=tech_actor, technician_id=tech.id, starts_at=at(0, 0), ends_at=at(2, 0)
        ),
    )
    assert [e.id for e in page.items] == [a.entry_id, c.entry_id]
    assert page.items[0].intervention is not None
    assert page.items[0].intervention.title == "Hydraulic leak"
    page = await kit.run(ListPlanning, ListPlanningQuery(actor=kit.manager, ends_at=at(1, 0)))
    assert page.total == 2
    with pytest.raises(Forbidden):
        await kit.run(ListPlanning, ListPlanningQuery(actor=kit.actor(Role.CLIENT)))


async def test_reschedule_checks_versions_and_clashes(kit: Kit) -> None:
    _, tech = await kit.technician()
    a = await _book(kit, tech.id, at(0, 9))
    b = await _book(kit, tech.id, at(0, 13))
    moved = await kit.run(
        RescheduleEntry,
        RescheduleEntryCommand(
            actor=kit.manager, entry_id=a.entry_id, scheduled_at=at(0, 10), expected_version=1
        ),
    )
    assert moved.scheduled_at == at(0, 10)
    assert moved.version == 2
    assert moved.estimated_minutes == 60
    with pytest.raises(PreconditionFailed):
        await kit.run(
            RescheduleEntry,
            RescheduleEntryCommand(
                actor=kit.manager, entry_id=a.entry_id, scheduled_at=at(0, 11), expected_version=1
            ),
        )
    with pytest.raises(ScheduleConflict) as err:
        await kit.run(
            RescheduleEntry,
            RescheduleEntryCommand(
                actor=kit.manager, entry_id=a.entry_id, scheduled_at=at(0, 12, 30)
            ),
        )
    assert err.value.extra["conflicting_entry_id"] == str(b.entry_id)
    with pytest.raises(Forbidden):
        await kit.run(
            RescheduleEntry,
            RescheduleEntryCommand(
                actor=kit.actor(Role.TECHNICIAN), entry_id=a.entry_id, scheduled_at=at(0, 15)
            ),
        )
    with pytest.raises(NotFound):
        await kit.run(
            RescheduleEntry,
            RescheduleEntryCommand(
                actor=kit.actor(Role.CLIENT), entry_id=a.entry_id, scheduled_at=at(0, 15)
            ),
        )


async def test_reschedule_into_the_past_is_refused(kit: Kit) -> None:
    _, tech = await kit.technician()
    booked = await _book(kit, tech.id, at(0, 9))
    kit.clock.set(at(0, 9, 30))  # the slot has begun
    with pytest.raises(ScheduledInPast) as err:
        await kit.run(
            RescheduleEntry,
            RescheduleEntryCommand(
                actor=kit.manager, entry_id=booked.entry_id, scheduled_at=at(0, 8)
            ),
        )
    assert err.value.code == "scheduled_in_past"
    assert [e.field for e in err.value.errors] == ["scheduled_at"]
    # a longer estimate for the slot under way is fine (its start does not move)
    longer = await kit.run(
        RescheduleEntry,
        RescheduleEntryCommand(actor=kit.manager, entry_id=booked.entry_id, estimated_minutes=90),
    )
    assert (longer.scheduled_at, longer.estimated_minutes) == (at(0, 9), 90)
    later = await kit.run(
        RescheduleEntry,
        RescheduleEntryCommand(
            actor=kit.manager, entry_id=booked.entry_id, scheduled_at=at(0, 9, 26)
        ),  # within the 5 minutes of grace
    )
    assert later.scheduled_at == at(0, 9, 26)


async def test_conflicts_report_overlapping_pairs(kit: Kit) -> None:
    _, tech = await kit.technician()
    a = await _book(kit, tech.id, at(0, 9), 60)
    eq = await kit.equipment()
    clash = await kit.intervention(eq.id)
    # An overlap that slipped in (e.g. imported data): written directly to the store.
    async with kit.uow() as uow:
        await uow.schedule.add(
            ScheduleEntry.create(
                intervention_id=clash.id,
                technician_id=tech.id,
                starts_at=at(0, 9, 30),
                estimated_minutes=60,
            )
        )
        await uow.commit()
    found = await kit.run(
        PlanningConflicts,
        PlanningConflictsQuery(actor=kit.manager, starts_at=at(0, 0), ends_at=at(1, 0)),
    )
    assert len(found) == 1
    assert found[0].technician_id == tech.id
    assert found[0].first.id == a.entry_id
    assert found[0].second.intervention_id == clash.id
    none = await kit.run(
        PlanningConflicts,
        PlanningConflictsQuery(actor=kit.manager, starts_at=at(1, 0), ends_at=at(2, 0)),
    )
    assert none == ()


async def test_preventive_generation_is_idempotent(kit: Kit) -> None:
    await kit.technician()
    await kit.technician()
    due = [
        await kit.equipment(installed_on=date(2026, 1, 1), maintenance_interval_days=30)
        for _ in range(3)
    ]
    not_due = await kit.equipment(installed_on=date(2026, 11, 1), maintenance_interval_days=365)
    first = await kit.run(
        GeneratePreventive,
        GeneratePreventiveCommand(actor=kit.manager, week_start=date(2026, 11, 16)),
    )
    assert first.created_any is True
    assert {c.equipment_id for c in first.created} == {e.id for e in due}
    assert all(c.intervention.type is InterventionType.PREVENTIVE for c in first.created)
    assert len({c.entry.technician_id for c in first.created}) == 2  # load is spread
    assert not_due.id not in {c.equipment_id for c in first.created}
    second = await kit.run(
        GeneratePreventive,
        GeneratePreventiveCommand(actor=kit.manager, week_start=date(2026, 11, 16)),
    )
    assert second.created_any is False
    assert second.created == ()
    assert {s.reason for s in second.skipped} == {"already_planned"}
    eq = await kit.run(GetEquipment, GetEquipmentQuery(actor=kit.admin, equipment_id=due[0].id))
    assert eq.interventions_count == 1
    with pytest.raises(ValidationFailed):
        await kit.run(
            GeneratePreventive,
            GeneratePreventiveCommand(actor=kit.manager, week_start=date(2026, 11, 17)),
        )
    with pytest.raises(Forbidden):
        await kit.run(
            GeneratePreventive,
            GeneratePreventiveCommand(
                actor=kit.actor(Role.TECHNICIAN), week_start=date(2026, 11, 16)
            ),
        )


async def test_calendar_data(kit: Kit) -> None:
    tech_actor, tech = await kit.technician()
    a = await _book(kit, tech.id, at(0, 9))
    cal = await kit.run(
        GetTechnicianCalendar,
        TechnicianCalendarQuery(actor=tech_actor, technician_id=tech.id),
    )
    assert [e.id for e in cal.entries] == [a.entry_id]
    assert cal.ends_at - cal.starts_at == timedelta(days=120)
    with pytest.raises(Forbidden):
        await kit.run(
            GetTechnicianCalendar,
            TechnicianCalendarQuery(actor=kit.actor(Role.CLIENT), technician_id=tech.id),
        )
