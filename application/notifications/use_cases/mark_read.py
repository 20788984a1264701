"""Mark one of the caller's notifications read (someone else's is 404: hidden)."""

from __future__ import annotations

from uuid import UUID

from application.notifications.ports import NotificationsUnitOfWork
from application.shared.clock import Clock
from domain.shared.access import Action, Actor, Resource, require
from domain.shared.errors import NotFound


class MarkNotificationRead:
    def __init__(self, uow: NotificationsUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, actor: Actor, notification_id: UUID) -> None:
        require(actor, Resource.NOTIFICATIONS, Action.UPDATE)
        async with self._uow as uow:
            found = await uow.notifications.mark_read(
                actor.user_id, notification_id, self._clock.now()
            )
            if not found:
                raise NotFound("No such notification.", code="notification_not_found")
            await uow.commit()
