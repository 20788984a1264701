"""PATCH /equipment/{id} (``status`` may change, but not to ``retired``: use DELETE)."""

from __future__ import annotations

from application.contracts.maintenance import EquipmentDown
from application.maintenance import audit
from application.maintenance.commands import UpdateEquipmentCommand
from application.maintenance.guards import load_equipment
from application.maintenance.ports import ENTITY_EQUIPMENT, MaintenanceUnitOfWork
from application.maintenance.views import EquipmentView
from application.shared.clock import Clock
from domain.maintenance.enums import EquipmentStatus
from domain.shared.access import Action


class UpdateEquipment:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: UpdateEquipmentCommand) -> EquipmentView:
        async with self._uow as uow:
            equipment = await load_equipment(
                uow, command.actor, command.equipment_id, Action.UPDATE
            )
            equipment.check_version(command.expected_version)
            loaded = equipment.version
            now = self._clock.now()
            previous_status = equipment.status
            diff = equipment.update(command.changes, now)
            if diff:
                await uow.equipment.save(equipment, expected_version=loaded)
                await audit.record(
                    uow,
                    actor=command.actor,
                    entity_type=ENTITY_EQUIPMENT,
                    entity_id=equipment.id,
                    action="update",
                    changes=diff,
                    at=now,
                )
            if "status" in diff and equipment.status == EquipmentStatus.DOWN:
                uow.emit(
                    EquipmentDown(
                        equipment_id=equipment.id,
                        equipment_name=equipment.name,
                        location=equipment.location,
                        owner_id=equipment.owner_id,
                        previous_status=str(previous_status.value),
                    ),
                    occurred_at=now,
                )
            counts = await uow.interventions.count_by_equipment([equipment.id])
            if diff:
                await uow.commit()
        return EquipmentView.of(equipment, counts.get(equipment.id, 0))
