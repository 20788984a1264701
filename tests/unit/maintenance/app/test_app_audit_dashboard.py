from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from adapters.persistence.memory.maintenance import MemoryMaintenanceUnitOfWork
from application.maintenance.commands import (
    AssignInterventionCommand,
    CompleteInterventionCommand,
    DashboardQuery,
    EscalateOverdueCommand,
    GetEquipmentQuery,
    InterventionActionCommand,
    RetireEquipmentCommand,
    UpdateEquipmentCommand,
)
from application.maintenance.ports import DashboardStats
from application.maintenance.use_cases.assign_intervention import AssignIntervention
from application.maintenance.use_cases.complete_intervention import CompleteIntervention
from application.maintenance.use_cases.dashboard_stats import GetDashboardStats
from application.maintenance.use_cases.escalate_overdue import EscalateOverdue
from application.maintenance.use_cases.get_equipment import GetEquipment
from application.maintenance.use_cases.retire_equipment import RetireEquipment
from application.maintenance.use_cases.start_intervention import StartIntervention
from application.maintenance.use_cases.update_equipment import UpdateEquipment
from application.shared.audit import AuditEntry, AuditFilters
from application.shared.integration import Envelope
from application.shared.list_audit import ListAudit, ListAuditQuery
from domain.shared.access import Role
from domain.shared.errors import DependencyUnavailable, Forbidden
from domain.shared.events import DomainEvent
from domain.shared.ids import new_id

from .conftest import START, Kit, at


class ExplodingUnitOfWork(MemoryMaintenanceUnitOfWork):
    async def _commit(self, events: Sequence[DomainEvent], emitted: Sequence[Envelope]) -> None:
        raise DependencyUnavailable("database went away")


async def test_changes_are_audited_with_old_and_new_values(kit: Kit) -> None:
    eq = await kit.equipment(name="Press 1")
    kit.clock.advance(minutes=1)
    await kit.run(
        UpdateEquipment,
        UpdateEquipmentCommand(actor=kit.manager, equipment_id=eq.id, changes={"name": "Press 2"}),
    )
    page = await kit.run(
        ListAudit, ListAuditQuery(actor=kit.manager, filters=AuditFilters(entity_id=eq.id))
    )
    assert [e.action for e in page.items] == ["update", "create"]  # newest first
    update = page.items[0]
    assert update.changes == {"name": ["Press 1", "Press 2"]}
    assert update.actor_id == kit.manager.user_id
    assert update.entity_type == "equipment"
    assert page.items[1].changes["serial_number"][0] is None
    by_actor = await kit.run(
        ListAudit,
        ListAuditQuery(actor=kit.admin, filters=AuditFilters(actor_id=kit.manager.user_id)),
    )
    assert [e.id for e in by_actor.items] == [update.id]
    later = await kit.run(
        ListAudit,
        ListAuditQuery(
            actor=kit.admin, filters=AuditFilters(at_from=START + timedelta(seconds=30))
        ),
    )
    assert [e.id for e in later.items] == [update.id]
    for role in (Role.TECHNICIAN, Role.CLIENT):
        with pytest.raises(Forbidden):
            await kit.run(ListAudit, ListAuditQuery(actor=kit.actor(role)))


async def test_nothing_is_audited_or_published_when_the_transaction_fails(kit: Kit) -> None:
    eq = await kit.equipment(name="Press 1")
    events_before = len(kit.publisher.events)
    failing = UpdateEquipment(ExplodingUnitOfWork(kit.store, kit.publisher), kit.clock)
    with pytest.raises(DependencyUnavailable):
        await failing(
            UpdateEquipmentCommand(
                actor=kit.manager, equipment_id=eq.id, changes={"status": "down"}
            )
        )
    page = await kit.run(
        ListAudit, ListAuditQuery(actor=kit.admin, filters=AuditFilters(entity_id=eq.id))
    )
    assert [e.action for e in page.items] == ["create"]
    got = await kit.run(GetEquipment, GetEquipmentQuery(actor=kit.admin, equipment_id=eq.id))
    assert got.name == "Press 1"
    assert got.version == 1
    assert len(kit.publisher.events) == events_before


async def test_lifecycle_and_planning_changes_are_audited(kit: Kit) -> None:
    _, tech = await kit.technician()
    eq = await kit.equipment()
    item = await kit.intervention(eq.id)
    result = await kit.run(
        AssignIntervention,
        AssignInterventionCommand(
            actor=kit.manager,
            intervention_id=item.id,
            technician_id=tech.id,
            scheduled_at=at(0, 9),
            estimated_minutes=60,
        ),
    )
    page = await kit.run(
        ListAudit, ListAuditQuery(actor=kit.admin, filters=AuditFilters(entity_id=item.id))
    )
    assign = next(e for e in page.items if e.action == "assign")
    assert assign.changes["status"] == ["open", "planned"]
    assert assign.changes["technician_id"] == [None, str(tech.id)]
    # timestamps in changes take the API's one form: UTC with Z
    assert assign.changes["scheduled_at"] == [None, "2026-11-16T09:00:00Z"]
    entries = await kit.run(
        ListAudit,
        ListAuditQuery(actor=kit.admin, filters=AuditFilters(entity_type="planning_entry")),
    )
    assert [(e.entity_id, e.action) for e in entries.items] == [(result.entry_id, "create")]


async def test_legacy_offset_timestamps_in_the_trail_are_read_with_z(kit: Kit) -> None:
    legacy = AuditEntry(
        actor_id=kit.admin.user_id,
        entity_type="intervention",
        entity_id=new_id(),
        action="reschedule",
        changes={
            "scheduled_at": ["2026-11-16T09:00:00+00:00", "2026-11-16T10:30:00.250000+00:00"],
            "title": ["not a time +00:00", "2026-11-16"],
        },
        at=at(0, 8),
    )
    async with kit.uow() as uow:
        await uow.audit.record(legacy)
        await uow.commit()
    page = await kit.run(
        ListAudit, ListAuditQuery(actor=kit.admin, filters=AuditFilters(entity_id=legacy.entity_id))
    )
    assert page.items[0].changes == {
        "scheduled_at": ["2026-11-16T09:00:00Z", "2026-11-16T10:30:00.250000Z"],
        "title": ["not a time +00:00", "2026-11-16"],
    }


async def _dataset(kit: Kit) -> None:
    tech_actor, t1 = await kit.technician()
    await kit.technician(available=False)
    await kit.equipment(installed_on=date(2026, 1, 1), maintenance_interval_days=30)
    e2 = await kit.equipment()
    await kit.run(
        UpdateEquipment,
        UpdateEquipmentCommand(actor=kit.admin, equipment_id=e2.id, changes={"status": "down"}),
    )
    e3 = await kit.equipment()
    await kit.run(RetireEquipment, RetireEquipmentCommand(actor=kit.admin, equipment_id=e3.id))
    await kit.intervention(e2.id, priority="critical", due_at=at(0, 7, 30))
    i2 = await kit.intervention(e2.id, due_at=at(0, 12))
    i3 = await kit.intervention(e2.id, type="preventive")
    await kit.intervention(e2.id)
    for item, hour in ((i2, 9), (i3, 13)):
        await kit.run(
            AssignIntervention,
            AssignInterventionCommand(
                actor=kit.manager,
                intervention_id=item.id,
                technician_id=t1.id,
                scheduled_at=at(0, hour),
                estimated_minutes=60,
            ),
        )
    kit.clock.set(at(0, 9))
    await kit.run(
        StartIntervention, InterventionActionCommand(actor=tech_actor, intervention_id=i2.id)
    )
    kit.clock.set(at(0, 11))
    await kit.run(
        CompleteIntervention,
        CompleteInterventionCommand(actor=tech_actor, intervention_id=i2.id, report="ok"),
    )
    kit.clock.set(at(0, 13))
    await kit.run(
        StartIntervention, InterventionActionCommand(actor=tech_actor, intervention_id=i3.id)
    )
    kit.clock.set(at(0, 14))


async def test_dashboard_numbers_on_a_known_data_set(kit: Kit) -> None:
    await _dataset(kit)
    stats: DashboardStats = await kit.run(GetDashboardStats, DashboardQuery(actor=kit.manager))
    i, e, t, k = stats.interventions, stats.equipment, stats.technicians, stats.kpi
    assert (i.total, i.open, i.in_progress, i.done_this_week, i.critical, i.overdue) == (
        4,
        2,
        1,
        1,
        1,
        1,
    )
    assert (e.total, e.operational, e.down, e.maintenance_due) == (2, 1, 1, 1)
    assert (t.total, t.available, t.busy, t.average_load) == (2, 1, 1, 0.5)
    assert k.mean_resolution_hours == 4.0
    assert k.mttr_hours == 2.0
    assert k.on_time_rate == 1.0
    assert k.mtbf_hours == 480.0
    for role in (Role.TECHNICIAN, Role.CLIENT):
        with pytest.raises(Forbidden):
            await kit.run(GetDashboardStats, DashboardQuery(actor=kit.actor(role)))


async def test_escalation_happens_once_after_the_delay(kit: Kit) -> None:
    eq = await kit.equipment()
    critical = await kit.intervention(eq.id, priority="critical")
    await kit.intervention(eq.id, priority="high")
    _, tech = await kit.technician()
    assigned = await kit.intervention(eq.id, priority="critical")
    await kit.run(
        AssignIntervention,
        AssignInterventionCommand(
            actor=kit.manager,
            intervention_id=assigned.id,
            technician_id=tech.id,
            scheduled_at=at(0, 9),
            estimated_minutes=30,
        ),
    )
    early = await kit.run(
        EscalateOverdue, EscalateOverdueCommand(now=START + timedelta(minutes=29))
    )
    assert early.escalated == ()
    kit.clock.set(START + timedelta(minutes=30))
    first = await kit.run(EscalateOverdue, EscalateOverdueCommand())
    assert first.escalated == (critical.id,)
    again = await kit.run(EscalateOverdue, EscalateOverdueCommand(now=START + timedelta(hours=5)))
    assert again.escalated == ()
    assert kit.publisher.names().count("InterventionEscalated") == 1
    page = await kit.run(
        ListAudit, ListAuditQuery(actor=kit.admin, filters=AuditFilters(entity_id=critical.id))
    )
    assert page.items[0].action == "escalate"
    assert page.items[0].actor_id is None
