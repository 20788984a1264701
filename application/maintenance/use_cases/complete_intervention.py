"""POST /interventions/{id}/complete: ``done`` with a report; the equipment's last/next
maintenance dates move in the same transaction."""

from __future__ import annotations

from application.contracts.maintenance import InterventionCompleted
from application.maintenance import audit
from application.maintenance.commands import CompleteInterventionCommand
from application.maintenance.guards import is_assigned_to, load_intervention
from application.maintenance.ports import (
    ENTITY_EQUIPMENT,
    ENTITY_INTERVENTION,
    MaintenanceUnitOfWork,
)
from application.maintenance.publishing import facts
from application.maintenance.views import InterventionView
from application.shared.clock import Clock
from domain.shared.access import Action, Resource, allowed
from domain.shared.errors import Forbidden


class CompleteIntervention:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: CompleteInterventionCommand) -> InterventionView:
        actor = command.actor
        now = self._clock.now()
        async with self._uow as uow:
            intervention, equipment = await load_intervention(
                uow, actor, command.intervention_id, Action.COMPLETE
            )
            mine = await is_assigned_to(uow, actor, intervention)
            if not allowed(actor, Resource.INTERVENTIONS, Action.REPORT).permits(owns=mine):
                raise Forbidden("You may not write the report of this intervention.")
            intervention.check_version(command.expected_version)
            loaded = intervention.version
            before = audit.fields_of(intervention, audit.LIFECYCLE_FIELDS)
            done = intervention.complete(command.report, now)
            await uow.interventions.save(intervention, expected_version=loaded)
            await audit.record(
                uow,
                actor=actor,
                entity_type=ENTITY_INTERVENTION,
                entity_id=intervention.id,
                action="complete",
                changes=audit.diff(before, audit.fields_of(intervention, audit.LIFECYCLE_FIELDS)),
                at=now,
            )
            equipment_loaded, next_before = equipment.version, equipment.next_maintenance_at
            changes = equipment.record_maintenance(done.completed_at)
            if changes:
                changes["next_maintenance_at"] = (next_before, equipment.next_maintenance_at)
                await uow.equipment.save(equipment, expected_version=equipment_loaded)
                await audit.record(
                    uow,
                    actor=actor,
                    entity_type=ENTITY_EQUIPMENT,
                    entity_id=equipment.id,
                    action="record_maintenance",
                    changes=changes,
                    at=now,
                )
            uow.emit(
                InterventionCompleted(
                    **facts(intervention, equipment),
                    technician_id=intervention.technician_id,
                    completed_at=done.completed_at,
                ),
                occurred_at=now,
            )
            await uow.commit()
        return InterventionView.of(intervention, now)
