"""POST /equipment (serial numbers are unique: 409 ``serial_taken``)."""

from __future__ import annotations

from application.maintenance import audit
from application.maintenance.commands import CreateEquipmentCommand
from application.maintenance.ports import ENTITY_EQUIPMENT, MaintenanceUnitOfWork
from application.maintenance.views import EquipmentView
from application.shared.clock import Clock
from domain.maintenance.equipment import Equipment
from domain.shared.access import Action, Resource, Scope, require
from domain.shared.errors import Forbidden

_AUDITED = (
    "name",
    "type",
    "model",
    "serial_number",
    "location",
    "owner_id",
    "installed_on",
    "maintenance_interval_days",
    "status",
    "last_maintenance_at",
)


class CreateEquipment:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: CreateEquipmentCommand) -> EquipmentView:
        actor = command.actor
        if require(actor, Resource.EQUIPMENT, Action.CREATE) is not Scope.ALL:
            raise Forbidden("You may not create equipment.")
        now = self._clock.now()
        equipment = Equipment.create(
            name=command.name,
            type=command.type,
            serial_number=command.serial_number,
            now=now,
            model=command.model,
            location=command.location,
            owner_id=command.owner_id,
            installed_on=command.installed_on,
            maintenance_interval_days=command.maintenance_interval_days,
            status=command.status,
            last_maintenance_at=command.last_maintenance_at,
        )
        async with self._uow as uow:
            await uow.equipment.add(equipment)
            view = EquipmentView.of(equipment, interventions_count=0)
            await audit.record(
                uow,
                actor=actor,
                entity_type=ENTITY_EQUIPMENT,
                entity_id=equipment.id,
                action="create",
                changes=audit.created({f: getattr(equipment, f) for f in _AUDITED}),
                at=now,
            )
            await uow.commit()
        return view
