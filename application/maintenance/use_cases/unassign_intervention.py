"""POST /interventions/{id}/unassign: back to ``open``; its planning entry is removed."""

from __future__ import annotations

from application.maintenance import audit
from application.maintenance.commands import InterventionActionCommand
from application.maintenance.guards import load_intervention
from application.maintenance.planning_entries import remove_entry
from application.maintenance.ports import ENTITY_INTERVENTION, MaintenanceUnitOfWork
from application.maintenance.views import InterventionView
from application.shared.clock import Clock
from domain.shared.access import Action


class UnassignIntervention:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: InterventionActionCommand) -> InterventionView:
        now = self._clock.now()
        async with self._uow as uow:
            intervention, _ = await load_intervention(
                uow, command.actor, command.intervention_id, Action.ASSIGN
            )
            intervention.check_version(command.expected_version)
            loaded, before = (
                intervention.version,
                audit.fields_of(intervention, audit.LIFECYCLE_FIELDS),
            )
            intervention.unassign(now)
            await uow.interventions.save(intervention, expected_version=loaded)
            await audit.record(
                uow,
                actor=command.actor,
                entity_type=ENTITY_INTERVENTION,
                entity_id=intervention.id,
                action="unassign",
                changes=audit.diff(before, audit.fields_of(intervention, audit.LIFECYCLE_FIELDS)),
                at=now,
            )
            await remove_entry(uow, command.actor, intervention, now)
            await uow.commit()
        return InterventionView.of(intervention, now)
