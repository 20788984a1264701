"""``MaintenanceDueReport``: the maintenance module's published ``MaintenanceDue`` port."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from application.contracts.maintenance import DueEquipment, MaintenanceDue
from application.maintenance.ports import MaintenanceUnitOfWork


class MaintenanceDueReport(MaintenanceDue):
    def __init__(self, uow_factory: Callable[[], MaintenanceUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def due_on(self, day: date) -> Sequence[DueEquipment]:
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
        async with self._uow_factory() as uow:
            candidates = await uow.equipment.list_due_before(end)
        due = [
            DueEquipment(
                equipment_id=item.id,
                name=item.name,
                location=item.location,
                next_maintenance_at=item.next_maintenance_at,
            )
            for item in candidates
            if item.next_maintenance_at is not None
            and item.is_maintenance_due(end - timedelta(microseconds=1))
        ]
        return sorted(
            due, key=lambda item: (item.next_maintenance_at, item.name, item.equipment_id)
        )
