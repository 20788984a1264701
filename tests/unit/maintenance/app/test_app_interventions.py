from __future__ import annotations

import pytest

from application.maintenance.commands import (
    AssignInterventionCommand,
    CancelInterventionCommand,
    CompleteInterventionCommand,
    CreateInterventionCommand,
    GetEquipmentQuery,
    GetInterventionQuery,
    InterventionActionCommand,
    InterventionReportQuery,
    ListInterventionsQuery,
    UpdateInterventionCommand,
)
from application.maintenance.ports import InterventionFilters
from application.maintenance.use_cases.assign_intervention import AssignIntervention
from application.maintenance.use_cases.cancel_intervention import CancelIntervention
from application.maintenance.use_cases.complete_intervention import CompleteIntervention
from application.maintenance.use_cases.create_intervention import CreateIntervention
from application.maintenance.use_cases.get_equipment import GetEquipment
from application.maintenance.use_cases.get_intervention import GetIntervention
from application.maintenance.use_cases.intervention_report import GetInterventionReport
from application.maintenance.use_cases.list_interventions import ListInterventions
from application.maintenance.use_cases.start_intervention import StartIntervention
from application.maintenance.use_cases.update_intervention import UpdateIntervention
from domain.maintenance.enums import InterventionStatus, Priority
from domain.shared.access import Role
from domain.shared.errors import (
    Forbidden,
    InvalidTransition,
    NotFound,
    PreconditionFailed,
    UnknownReference,
)
from domain.shared.ids import new_id

from .conftest import Kit, at


async def test_clients_request_on_own_equipment_only(kit: Kit) -> None:
    client, stranger = kit.actor(Role.CLIENT), kit.actor(Role.CLIENT)
    mine = await kit.equipment(owner_id=client.user_id)
    theirs = await kit.equipment(owner_id=stranger.user_id)
    created = await kit.intervention(mine.id, actor=client, priority="high")
    assert created.status is InterventionStatus.OPEN
    assert created.created_by == client.user_id
    for hidden in (theirs.id, new_id()):  # not theirs, or no equipment at all: one answer
        with pytest.raises(UnknownReference) as refused:
            await kit.intervention(hidden, actor=client)
        assert [e.field for e in refused.value.errors] == ["equipment_id"]
    with pytest.raises(Forbidden):  # technicians do not create requests
        await kit.intervention(mine.id, actor=kit.actor(Role.TECHNICIAN))
    other = await kit.intervention(theirs.id)
    with pytest.raises(NotFound):
        await kit.run(GetIntervention, GetInterventionQuery(actor=client, intervention_id=other.id))
    page = await kit.run(ListInterventions, ListInterventionsQuery(actor=client))
    assert [i.id for i in page.items] == [created.id]
    page = await kit.run(
        ListInterventions, ListInterventionsQuery(actor=kit.actor(Role.TECHNICIAN))
    )
    assert page.total == 2
    assert "InterventionCreated" in kit.publisher.names()


async def test_list_filters(kit: Kit) -> None:
    eq = await kit.equipment()
    late = await kit.intervention(eq.id, title="Leak", due_at=at(0, 8), priority="critical")
    kit.clock.advance(hours=2)
    other = await kit.intervention(eq.id, title="Noise", description="strange hum")

    async def ids(**filters: object) -> list[object]:
        page = await kit.run(
            ListInterventions,
            ListInterventionsQuery(actor=kit.manager, filters=InterventionFilters(**filters)),  # type: ignore[arg-type]
        )
        return [i.id for i in page.items]

    assert await ids(overdue=True) == [late.id]
    assert await ids(priority=Priority.CRITICAL) == [late.id]
    assert await ids(q="HUM") == [other.id]
    assert await ids(created_from=at(0, 8)) == [other.id]
    assert await ids(created_to=at(0, 8)) == [late.id]
    assert await ids() == [other.id, late.id]  # newest first by default
    got = await kit.run(
        GetIntervention, GetInterventionQuery(actor=kit.admin, intervention_id=late.id)
    )
    assert got.overdue is True


async def test_update_with_versions(kit: Kit) -> None:
    eq = await kit.equipment()
    item = await kit.intervention(eq.id)
    changed = await kit.run(
        UpdateIntervention,
        UpdateInterventionCommand(
            actor=kit.manager,
            intervention_id=item.id,
            changes={"priority": "critical", "required_skills": ["Hydraulics"]},
            expected_version=1,
        ),
    )
    assert changed.priority is Priority.CRITICAL
    assert changed.version == 2
    with pytest.raises(PreconditionFailed):
        await kit.run(
            UpdateIntervention,
            UpdateInterventionCommand(
                actor=kit.manager,
                intervention_id=item.id,
                changes={"title": "x"},
                expected_version=1,
            ),
        )
    with pytest.raises(Forbidden):
        await kit.run(
            UpdateIntervention,
            UpdateInterventionCommand(
                actor=kit.actor(Role.TECHNICIAN), intervention_id=item.id, changes={"title": "x"}
            ),
        )


async def _planned(kit: Kit, **equipment: object):  # type: ignore[no-untyped-def]
    tech_actor, tech = await kit.technician(skills=["hydraulics"])
    eq = await kit.equipment(**equipment)
    item = await kit.intervention(eq.id)
    await kit.run(
        AssignIntervention,
        AssignInterventionCommand(
            actor=kit.manager,
            intervention_id=item.id,
            technician_id=tech.id,
            scheduled_at=at(0, 9),
            estimated_minutes=60,
        ),
    )
    return tech_actor, tech, eq, item


async def test_only_the_assigned_technician_starts_and_completes(kit: Kit) -> None:
    tech_actor, _, eq, item = await _planned(kit, maintenance_interval_days=30)
    other_tech, _ = await kit.technician()
    with pytest.raises(Forbidden):
        await kit.run(
            StartIntervention, InterventionActionCommand(actor=other_tech, intervention_id=item.id)
        )
    kit.clock.set(at(0, 9))
    started = await kit.run(
        StartIntervention, InterventionActionCommand(actor=tech_actor, intervention_id=item.id)
    )
    assert started.status is InterventionStatus.IN_PROGRESS
    assert started.started_at == at(0, 9)
    with pytest.raises(Forbidden):
        await kit.run(
            CompleteIntervention,
            CompleteInterventionCommand(actor=other_tech, intervention_id=item.id, report="done"),
        )
    kit.clock.set(at(0, 10))
    done = await kit.run(
        CompleteIntervention,
        CompleteInterventionCommand(
            actor=tech_actor, intervention_id=item.id, report="Seal replaced", expected_version=3
        ),
    )
    assert done.status is InterventionStatus.DONE
    assert done.report == "Seal replaced"
    equipment = await kit.run(GetEquipment, GetEquipmentQuery(actor=kit.admin, equipment_id=eq.id))
    assert equipment.last_maintenance_at == at(0, 10)
    assert equipment.next_maintenance_at == at(30, 10)
    with pytest.raises(InvalidTransition):
        await kit.run(
            StartIntervention, InterventionActionCommand(actor=tech_actor, intervention_id=item.id)
        )


async def test_client_cancels_own_only_while_open(kit: Kit) -> None:
    client = kit.actor(Role.CLIENT)
    eq = await kit.equipment(owner_id=client.user_id)
    item = await kit.intervention(eq.id, actor=client)
    cancelled = await kit.run(
        CancelIntervention,
        CancelInterventionCommand(actor=client, intervention_id=item.id, reason="fixed itself"),
    )
    assert cancelled.status is InterventionStatus.CANCELLED
    assert cancelled.cancel_reason == "fixed itself"
    _, tech = await kit.technician()
    planned = await kit.intervention(eq.id, actor=client)
    await kit.run(
        AssignIntervention,
        AssignInterventionCommand(
            actor=kit.manager,
            intervention_id=planned.id,
            technician_id=tech.id,
            scheduled_at=at(0, 9),
            estimated_minutes=30,
        ),
    )
    with pytest.raises(Forbidden):
        await kit.run(
            CancelIntervention, CancelInterventionCommand(actor=client, intervention_id=planned.id)
        )
    with pytest.raises(Forbidden):  # visible to the client, but assigning is not theirs
        await kit.run(
            AssignIntervention,
            AssignInterventionCommand(
                actor=client,
                intervention_id=planned.id,
                scheduled_at=at(0, 9),
                estimated_minutes=30,
            ),
        )


async def test_manager_cancel_of_a_planned_intervention_frees_the_slot(kit: Kit) -> None:
    _, _tech, _, item = await _planned(kit)
    await kit.run(
        CancelIntervention, CancelInterventionCommand(actor=kit.manager, intervention_id=item.id)
    )
    async with kit.uow() as uow:
        assert await uow.schedule.get_for_intervention(item.id) is None


async def test_report_data(kit: Kit) -> None:
    tech_actor, tech, eq, item = await _planned(kit)
    kit.clock.set(at(0, 9))
    await kit.run(
        StartIntervention, InterventionActionCommand(actor=tech_actor, intervention_id=item.id)
    )
    data = await kit.run(
        GetInterventionReport, InterventionReportQuery(actor=kit.manager, intervention_id=item.id)
    )
    assert data.equipment.id == eq.id
    assert data.technician is not None
    assert data.technician.id == tech.id
    assert [e.action for e in data.timeline] == ["create", "assign", "start"]
    assert data.documents == ()
    with pytest.raises(NotFound):
        await kit.run(
            GetInterventionReport,
            InterventionReportQuery(actor=kit.actor(Role.CLIENT), intervention_id=item.id),
        )


async def test_create_validates_input(kit: Kit) -> None:
    from domain.shared.errors import ValidationFailed

    eq = await kit.equipment()
    with pytest.raises(ValidationFailed):
        await kit.run(
            CreateIntervention,
            CreateInterventionCommand(
                actor=kit.manager, equipment_id=eq.id, title=" ", priority="x"
            ),
        )
