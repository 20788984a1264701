"""Mark every unread notification of the caller read."""

from __future__ import annotations

from application.notifications.ports import NotificationsUnitOfWork
from application.shared.clock import Clock
from domain.shared.access import Action, Actor, Resource, require


class MarkAllNotificationsRead:
    def __init__(self, uow: NotificationsUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, actor: Actor) -> int:
        require(actor, Resource.NOTIFICATIONS, Action.UPDATE)
        async with self._uow as uow:
            count = await uow.notifications.mark_all_read(actor.user_id, self._clock.now())
            await uow.commit()
        return count
