"""POST /planning/technicians/{id}/feed: issue (or rotate) a technician's secret feed URL.

The technician themself, a manager or an admin. A new id and secret replace any previous
feed, whose URL stops working at once. The token is returned this once; only the hash of
its secret is stored. The change is audited (never the secret).
"""

from __future__ import annotations

from application.maintenance import audit
from application.maintenance.commands import CalendarFeedCommand
from application.maintenance.guards import load_technician
from application.maintenance.ports import ENTITY_CALENDAR_FEED, MaintenanceUnitOfWork
from application.maintenance.views import IssuedCalendarFeed
from application.shared.clock import Clock
from domain.maintenance.calendar_feed import CalendarFeed
from domain.shared.access import Action, Resource, authorize


class IssueCalendarFeed:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: CalendarFeedCommand) -> IssuedCalendarFeed:
        actor, now = command.actor, self._clock.now()
        async with self._uow as uow:
            technician = await load_technician(uow, actor, command.technician_id)
            own = technician.user_id == actor.user_id
            authorize(actor, Resource.CALENDAR_FEEDS, Action.CREATE, owns=own)
            previous = await uow.feeds.get_for_technician(technician.id)
            feed, token = CalendarFeed.issue(
                technician_id=technician.id, created_by=actor.user_id, now=now
            )
            await uow.feeds.replace(feed)
            await audit.record(
                uow,
                actor=actor,
                entity_type=ENTITY_CALENDAR_FEED,
                entity_id=technician.id,
                action="rotate" if previous is not None else "create",
                changes={"feed_id": (previous.id if previous else None, feed.id)},
                at=now,
            )
            await uow.commit()
        return IssuedCalendarFeed(
            technician_id=technician.id, token=token, created_at=now, created_by=actor.user_id
        )
