"""GET /planning/feeds/{token}.ics: a technician's calendar for a subscribing calendar app.

No bearer token: the secret in the URL is the credential (``domain.maintenance.calendar_feed``).
A malformed, unknown, rotated or revoked token is ``NotFound`` (404), always with the same
answer; the secret is compared in constant time. The content is the bearer route's.
"""

from __future__ import annotations

from application.maintenance.calendars import calendar_period, calendar_view, read_calendar
from application.maintenance.commands import FeedCalendarQuery
from application.maintenance.policy import MaintenancePolicy
from application.maintenance.ports import MaintenanceUnitOfWork, UserDirectory
from application.maintenance.views import CalendarView
from application.shared.clock import Clock
from domain.maintenance.calendar_feed import parse_token
from domain.shared.errors import NotFound

_NO_FEED = "No calendar feed at this address."


class FeedCalendar:
    def __init__(
        self,
        uow: MaintenanceUnitOfWork,
        users: UserDirectory,
        clock: Clock,
        policy: MaintenancePolicy,
    ) -> None:
        self._uow, self._users, self._clock, self._policy = uow, users, clock, policy

    async def __call__(self, query: FeedCalendarQuery) -> CalendarView:
        parsed = parse_token(query.token)
        if parsed is None:
            raise NotFound(_NO_FEED)
        feed_id, secret = parsed
        now = self._clock.now()
        async with self._uow as uow:
            feed = await uow.feeds.get(feed_id)
            if feed is None or not feed.accepts(secret):
                raise NotFound(_NO_FEED)
            technician = await uow.technicians.get(feed.technician_id)
            if technician is None:
                raise NotFound(_NO_FEED)
            # the period is judged only for a valid feed: a bad token is always the same 404
            period = calendar_period(self._policy, now, query.starts_at, query.ends_at)
            entries, equipment = await read_calendar(uow, technician, *period)
        return await calendar_view(self._users, technician, entries, equipment, period, now)
