"""GET /dashboard/stats (admins and managers)."""

from __future__ import annotations

from application.maintenance.commands import DashboardQuery
from application.maintenance.ports import DashboardReader, DashboardStats
from application.shared.clock import Clock
from domain.shared.access import Action, Resource, require


class GetDashboardStats:
    def __init__(self, reader: DashboardReader, clock: Clock) -> None:
        self._reader, self._clock = reader, clock

    async def __call__(self, query: DashboardQuery) -> DashboardStats:
        require(query.actor, Resource.DASHBOARD, Action.READ)
        return await self._reader.stats(self._clock.now())
