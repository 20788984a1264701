"""GET /equipment/{id} (clients: only equipment they own, others are 404)."""

from __future__ import annotations

from application.maintenance.commands import GetEquipmentQuery
from application.maintenance.guards import load_equipment
from application.maintenance.ports import MaintenanceUnitOfWork
from application.maintenance.views import EquipmentView


class GetEquipment:
    def __init__(self, uow: MaintenanceUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: GetEquipmentQuery) -> EquipmentView:
        async with self._uow as uow:
            equipment = await load_equipment(uow, query.actor, query.equipment_id)
            counts = await uow.interventions.count_by_equipment([equipment.id])
        return EquipmentView.of(equipment, counts.get(equipment.id, 0))
