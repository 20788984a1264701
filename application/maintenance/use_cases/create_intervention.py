"""POST /interventions: status ``open``; clients only on equipment they own."""

from __future__ import annotations

from application.maintenance import audit
from application.maintenance.commands import CreateInterventionCommand
from application.maintenance.guards import load_equipment, owns_equipment
from application.maintenance.ports import ENTITY_INTERVENTION, MaintenanceUnitOfWork
from application.maintenance.views import InterventionView
from application.shared.clock import Clock
from domain.maintenance.intervention import Intervention
from domain.shared.access import Action, Resource, allowed, require
from domain.shared.errors import Conflict, Forbidden, NotFound, UnknownReference

_AUDITED = (
    "title",
    "description",
    "type",
    "status",
    "priority",
    "urgent",
    "due_at",
    "required_skills",
    "equipment_id",
    "created_by",
)


class CreateIntervention:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: CreateInterventionCommand) -> InterventionView:
        actor = command.actor
        require(actor, Resource.INTERVENTIONS, Action.CREATE)
        now = self._clock.now()
        async with self._uow as uow:
            try:
                equipment = await load_equipment(uow, actor, command.equipment_id)
            except NotFound:  # missing or hidden: the body names no equipment this caller has
                raise UnknownReference("equipment_id", "equipment") from None
            owner = owns_equipment(actor, equipment)
            if not allowed(actor, Resource.INTERVENTIONS, Action.CREATE).permits(owns=owner):
                raise Forbidden("You may only request interventions on your own equipment.")
            if equipment.is_retired:
                raise Conflict("The equipment is retired.", code="equipment_retired")
            intervention = Intervention.create(
                title=command.title,
                equipment_id=equipment.id,
                created_by=actor.user_id,
                now=now,
                description=command.description,
                type=command.type,
                priority=command.priority,
                urgent=command.urgent,
                due_at=command.due_at,
                required_skills=command.required_skills,
            )
            await uow.interventions.add(intervention)
            await audit.record(
                uow,
                actor=actor,
                entity_type=ENTITY_INTERVENTION,
                entity_id=intervention.id,
                action="create",
                changes=audit.created({f: getattr(intervention, f) for f in _AUDITED}),
                at=now,
            )
            await uow.commit()
        return InterventionView.of(intervention, now)
