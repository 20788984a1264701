"""GET /planning/technicians/{id}/feed: whether the technician has a feed, since when and
who issued it (never the secret: it is not kept). The technician themself, managers, admins."""

from __future__ import annotations

from application.maintenance.commands import CalendarFeedCommand
from application.maintenance.guards import load_technician
from application.maintenance.ports import MaintenanceUnitOfWork
from application.maintenance.views import CalendarFeedView
from domain.shared.access import Action, Resource, authorize
from domain.shared.errors import NotFound


class GetCalendarFeed:
    def __init__(self, uow: MaintenanceUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, command: CalendarFeedCommand) -> CalendarFeedView:
        actor = command.actor
        async with self._uow as uow:
            technician = await load_technician(uow, actor, command.technician_id)
            own = technician.user_id == actor.user_id
            authorize(actor, Resource.CALENDAR_FEEDS, Action.READ, owns=own)
            feed = await uow.feeds.get_for_technician(technician.id)
        if feed is None:
            raise NotFound("This technician has no calendar feed.")
        return CalendarFeedView(
            technician_id=feed.technician_id, created_at=feed.created_at, created_by=feed.created_by
        )
