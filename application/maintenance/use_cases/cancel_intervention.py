"""POST /interventions/{id}/cancel: ``cancelled``; its planning entry is removed.

Clients may cancel requests on their own equipment, only while they are ``open``.
"""

from __future__ import annotations

from application.contracts.maintenance import InterventionCancelled
from application.maintenance import audit
from application.maintenance.commands import CancelInterventionCommand
from application.maintenance.guards import load_intervention
from application.maintenance.planning_entries import remove_entry
from application.maintenance.ports import ENTITY_INTERVENTION, MaintenanceUnitOfWork
from application.maintenance.publishing import facts
from application.maintenance.views import InterventionView
from application.shared.clock import Clock
from domain.maintenance.enums import InterventionStatus
from domain.shared.access import Action, Resource, Scope, allowed
from domain.shared.errors import Forbidden


class CancelIntervention:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: CancelInterventionCommand) -> InterventionView:
        actor = command.actor
        now = self._clock.now()
        async with self._uow as uow:
            intervention, equipment = await load_intervention(
                uow, actor, command.intervention_id, Action.CANCEL
            )
            own_scope_only = allowed(actor, Resource.INTERVENTIONS, Action.CANCEL) is Scope.OWN
            if own_scope_only and intervention.status != InterventionStatus.OPEN:
                raise Forbidden(
                    "You may only cancel your requests while they are open.",
                    code="cancel_not_allowed",
                )
            intervention.check_version(command.expected_version)
            loaded = intervention.version
            before = audit.fields_of(intervention, audit.LIFECYCLE_FIELDS)
            previous_status = intervention.status
            intervention.cancel(command.reason, now)
            await uow.interventions.save(intervention, expected_version=loaded)
            await audit.record(
                uow,
                actor=actor,
                entity_type=ENTITY_INTERVENTION,
                entity_id=intervention.id,
                action="cancel",
                changes=audit.diff(before, audit.fields_of(intervention, audit.LIFECYCLE_FIELDS)),
                at=now,
            )
            await remove_entry(uow, actor, intervention, now)
            uow.emit(
                InterventionCancelled(
                    **facts(intervention, equipment),
                    previous_status=str(previous_status.value),
                    reason=command.reason,
                ),
                occurred_at=now,
            )
            await uow.commit()
        return InterventionView.of(intervention, now)
