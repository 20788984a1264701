"""DELETE /planning/technicians/{id}/feed: the feed URL stops working (404 afterwards).

The technician themself, a manager or an admin; ``NotFound`` when there is no feed.
"""

from __future__ import annotations

from application.maintenance import audit
from application.maintenance.commands import CalendarFeedCommand
from application.maintenance.guards import load_technician
from application.maintenance.ports import ENTITY_CALENDAR_FEED, MaintenanceUnitOfWork
from application.shared.clock import Clock
from domain.shared.access import Action, Resource, authorize
from domain.shared.errors import NotFound


class RevokeCalendarFeed:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: CalendarFeedCommand) -> None:
        actor, now = command.actor, self._clock.now()
        async with self._uow as uow:
            technician = await load_technician(uow, actor, command.technician_id)
            own = technician.user_id == actor.user_id
            authorize(actor, Resource.CALENDAR_FEEDS, Action.DELETE, owns=own)
            feed = await uow.feeds.get_for_technician(technician.id)
            if feed is None:
                raise NotFound("This technician has no calendar feed.")
            await uow.feeds.remove_for_technician(technician.id)
            await audit.record(
                uow,
                actor=actor,
                entity_type=ENTITY_CALENDAR_FEED,
                entity_id=technician.id,
                action="revoke",
                changes={"feed_id": (feed.id, None)},
                at=now,
            )
            await uow.commit()
