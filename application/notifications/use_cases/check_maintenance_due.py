"""The daily maintenance-due check (a cron job): every manager gets ONE notification per day
listing every piece of equipment due by the end of that day (none when nothing is due).

Idempotent per day: the day's check claims ``(uuid5(day), notifications.maintenance_due)`` in
the inbox of its transaction, so a tick run twice (two workers, a retry) notifies once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from application.contracts.identity import UserDirectory
from application.contracts.maintenance import MaintenanceDue
from application.notifications import rules
from application.notifications.ports import NotificationsUnitOfWork
from application.notifications.publishing import create_notifications, publish_notifications
from application.shared.clock import Clock
from application.shared.realtime import Broadcaster

HANDLER = "notifications.maintenance_due"


def day_source(day: date) -> UUID:
    """The stable id of one day's check (its inbox key and the notifications' source)."""
    return uuid5(NAMESPACE_URL, f"atelier:notifications:maintenance_due:{day.isoformat()}")


@dataclass(frozen=True, slots=True)
class MaintenanceDueResult:
    day: date
    equipment: int
    notified: int


class CheckMaintenanceDue:
    def __init__(
        self,
        uow: NotificationsUnitOfWork,
        clock: Clock,
        broadcaster: Broadcaster,
        directory: UserDirectory,
        due: MaintenanceDue,
    ) -> None:
        self._uow, self._clock, self._broadcaster = uow, clock, broadcaster
        self._directory, self._due = directory, due

    async def __call__(self, day: date | None = None) -> MaintenanceDueResult:
        now = self._clock.now()
        day = day or now.date()
        due = await self._due.due_on(day)
        if not due:
            return MaintenanceDueResult(day=day, equipment=0, notified=0)
        drafts = rules.maintenance_due(day, due, await self._directory.manager_ids())
        source = day_source(day)
        async with self._uow as uow:
            if not await uow.inbox.claim(source, HANDLER):
                return MaintenanceDueResult(day=day, equipment=len(due), notified=0)
            created = await create_notifications(uow, drafts, now=now, source_event_id=source)
            await uow.commit()
        await publish_notifications(self._broadcaster, created)
        return MaintenanceDueResult(day=day, equipment=len(due), notified=len(created))
