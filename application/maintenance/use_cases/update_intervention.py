"""PATCH /interventions/{id}: title, description, priority, urgent, due_at, required_skills."""

from __future__ import annotations

from application.maintenance import audit
from application.maintenance.commands import UpdateInterventionCommand
from application.maintenance.guards import load_intervention
from application.maintenance.ports import ENTITY_INTERVENTION, MaintenanceUnitOfWork
from application.maintenance.views import InterventionView
from application.shared.clock import Clock
from domain.shared.access import Action


class UpdateIntervention:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: UpdateInterventionCommand) -> InterventionView:
        now = self._clock.now()
        async with self._uow as uow:
            intervention, _ = await load_intervention(
                uow, command.actor, command.intervention_id, Action.UPDATE
            )
            intervention.check_version(command.expected_version)
            loaded = intervention.version
            diff = intervention.update(command.changes, now)
            if diff:
                await uow.interventions.save(intervention, expected_version=loaded)
                await audit.record(
                    uow,
                    actor=command.actor,
                    entity_type=ENTITY_INTERVENTION,
                    entity_id=intervention.id,
                    action="update",
                    changes=diff,
                    at=now,
                )
                await uow.commit()
        return InterventionView.of(intervention, now)
