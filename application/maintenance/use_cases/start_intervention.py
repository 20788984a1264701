"""POST /interventions/{id}/start: ``in_progress`` (technicians: only their assignments)."""

from __future__ import annotations

from application.contracts.maintenance import InterventionStarted
from application.maintenance import audit
from application.maintenance.commands import InterventionActionCommand
from application.maintenance.guards import load_intervention
from application.maintenance.ports import ENTITY_INTERVENTION, MaintenanceUnitOfWork
from application.maintenance.publishing import facts
from application.maintenance.views import InterventionView
from application.shared.clock import Clock
from domain.shared.access import Action


class StartIntervention:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: InterventionActionCommand) -> InterventionView:
        now = self._clock.now()
        async with self._uow as uow:
            intervention, equipment = await load_intervention(
                uow, command.actor, command.intervention_id, Action.START
            )
            intervention.check_version(command.expected_version)
            loaded = intervention.version
            before = audit.fields_of(intervention, audit.LIFECYCLE_FIELDS)
            intervention.start(now)
            await uow.interventions.save(intervention, expected_version=loaded)
            await audit.record(
                uow,
                actor=command.actor,
                entity_type=ENTITY_INTERVENTION,
                entity_id=intervention.id,
                action="start",
                changes=audit.diff(before, audit.fields_of(intervention, audit.LIFECYCLE_FIELDS)),
                at=now,
            )
            uow.emit(
                InterventionStarted(
                    **facts(intervention, equipment),
                    technician_id=intervention.technician_id,
                    started_at=now,
                ),
                occurred_at=now,
            )
            await uow.commit()
        return InterventionView.of(intervention, now)
