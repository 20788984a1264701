"""The maintenance module's HTTP edge: ``router`` (for ``routes.API_ROUTERS``), one
controller per aggregate."""

from __future__ import annotations

from litestar import Router

from entrypoints.http.maintenance.calendar_feeds import (
    CalendarFeedController,
    CalendarFeedsController,
)
from entrypoints.http.maintenance.dashboard import DashboardController
from entrypoints.http.maintenance.equipment import EquipmentController
from entrypoints.http.maintenance.interventions import InterventionsController
from entrypoints.http.maintenance.planning import PlanningController
from entrypoints.http.maintenance.technicians import TechniciansController

router = Router(
    path="/",
    route_handlers=[
        TechniciansController,
        EquipmentController,
        InterventionsController,
        PlanningController,
        CalendarFeedsController,
        CalendarFeedController,
        DashboardController,
    ],
)

__all__ = ["router"]
