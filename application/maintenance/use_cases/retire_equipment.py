"""DELETE /equipment/{id}: retire (409 ``equipment_has_open_interventions`` while any is open)."""

from __future__ import annotations

from application.maintenance import audit
from application.maintenance.commands import RetireEquipmentCommand
from application.maintenance.guards import load_equipment
from application.maintenance.ports import ENTITY_EQUIPMENT, MaintenanceUnitOfWork
from application.shared.clock import Clock
from domain.shared.access import Action


class RetireEquipment:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: RetireEquipmentCommand) -> None:
        async with self._uow as uow:
            equipment = await load_equipment(
                uow, command.actor, command.equipment_id, Action.DELETE
            )
            equipment.check_version(command.expected_version)
            loaded = equipment.version
            open_count = await uow.interventions.count_open_for_equipment(equipment.id)
            now = self._clock.now()
            diff = equipment.retire(open_count, now)
            if not diff:
                return
            await uow.equipment.save(equipment, expected_version=loaded)
            await audit.record(
                uow,
                actor=command.actor,
                entity_type=ENTITY_EQUIPMENT,
                entity_id=equipment.id,
                action="retire",
                changes=diff,
                at=now,
            )
            await uow.commit()
