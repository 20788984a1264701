"""PATCH /technicians/{id}: managers and admins change anything; a technician only the
availability fields of their own profile."""

from __future__ import annotations

from application.maintenance import audit
from application.maintenance.commands import UpdateTechnicianCommand
from application.maintenance.guards import load_technician
from application.maintenance.ports import ENTITY_TECHNICIAN, MaintenanceUnitOfWork
from application.maintenance.views import TechnicianView
from application.shared.clock import Clock
from domain.shared.access import Action, Resource, Scope, allowed
from domain.shared.errors import Forbidden

#: What a technician may change on their own profile ("update own profile availability").
SELF_SERVICE_FIELDS = frozenset({"available", "working_hours"})


class UpdateTechnician:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: UpdateTechnicianCommand) -> TechnicianView:
        actor = command.actor
        async with self._uow as uow:
            technician = await load_technician(uow, actor, command.technician_id, Action.UPDATE)
            scope = allowed(actor, Resource.TECHNICIANS, Action.UPDATE)
            refused = sorted(set(command.changes) - SELF_SERVICE_FIELDS)
            if scope is Scope.OWN and refused:
                raise Forbidden(
                    f"You may only change your availability, not: {', '.join(refused)}."
                )
            technician.check_version(command.expected_version)
            loaded = technician.version
            now = self._clock.now()
            diff = technician.update(command.changes, now)
            if diff:
                await uow.technicians.save(technician, expected_version=loaded)
                await audit.record(
                    uow,
                    actor=actor,
                    entity_type=ENTITY_TECHNICIAN,
                    entity_id=technician.id,
                    action="update",
                    changes=diff,
                    at=now,
                )
                await uow.commit()
        return TechnicianView.of(technician)
