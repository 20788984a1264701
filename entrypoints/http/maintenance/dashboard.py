"""``GET /dashboard/stats``: aggregate figures for admins and managers."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency

from application.maintenance.commands import DashboardQuery
from application.maintenance.use_cases.dashboard_stats import GetDashboardStats
from domain.shared.access import Actor
from entrypoints.http.auth import provide_actor
from entrypoints.http.errors import problem_responses
from entrypoints.http.maintenance.dependencies import BEARER, use_case
from entrypoints.http.maintenance.schemas.dashboard import DashboardRead


class DashboardController(Controller):
    path = "/dashboard"
    tags = ["dashboard"]
    security = BEARER
    dependencies = {"actor": provide_actor}

    @get(
        "/stats",
        dependencies={"dashboard_stats": use_case("dashboard_stats")},
        summary="Interventions, equipment, technicians and KPIs",
        responses=problem_responses(401, 403),
        cache_control=None,
    )
    async def stats(
        self, actor: NamedDependency[Actor], dashboard_stats: NamedDependency[GetDashboardStats]
    ) -> DashboardRead:
        return DashboardRead.of(await dashboard_stats(DashboardQuery(actor=actor)))
