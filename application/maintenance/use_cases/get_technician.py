"""GET /technicians/{id}."""

from __future__ import annotations

from application.maintenance.commands import GetTechnicianQuery
from application.maintenance.guards import load_technician
from application.maintenance.ports import MaintenanceUnitOfWork
from application.maintenance.views import TechnicianView


class GetTechnician:
    def __init__(self, uow: MaintenanceUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: GetTechnicianQuery) -> TechnicianView:
        async with self._uow as uow:
            technician = await load_technician(uow, query.actor, query.technician_id)
        return TechnicianView.of(technician)
