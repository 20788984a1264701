"""The rules as event handlers, fed by the relay (see ``subscriptions.py``).

Each handler claims the event in the inbox of its own transaction (as ``EventHandler``
does), so an event redelivered gives nobody a second notification; the notifications it
created are pushed to open sockets after that transaction commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from application.contracts.identity import UserDirectory
from application.contracts.jobs import JobCompleted, JobFailed
from application.contracts.maintenance import (
    EquipmentDown,
    InterventionAssigned,
    InterventionCancelled,
    InterventionCompleted,
    InterventionEscalated,
    InterventionStarted,
)
from application.notifications import rules
from application.notifications.ports import NotificationsUnitOfWork
from application.notifications.publishing import create_notifications, publish_notifications
from application.shared.clock import Clock
from application.shared.handlers import EventHandler
from application.shared.integration import Delivery, IntegrationEvent
from application.shared.realtime import Broadcaster
from domain.notifications.notification import Draft, Notification

E = TypeVar("E", bound=IntegrationEvent)


class NotifyingHandler(EventHandler[E, NotificationsUnitOfWork], Generic[E]):
    """Drafts from ``drafts(event)``, stored once per event and user, pushed after commit."""

    def __init__(
        self,
        uow: NotificationsUnitOfWork,
        clock: Clock,
        broadcaster: Broadcaster,
        directory: UserDirectory,
    ) -> None:
        super().__init__(uow)
        self._clock, self._broadcaster, self._directory = clock, broadcaster, directory

    async def __call__(self, delivery: Delivery[E]) -> None:
        # what other modules say (managers...) is read before this module's transaction:
        # never two transactions at once (SQLite has one writer), never a lock held meanwhile
        drafts = await self.drafts(delivery.event)
        async with self._uow as uow:
            if not await uow.inbox.claim(delivery.event_id, delivery.handler):
                return  # delivered before: the notifications are there already
            created = await create_notifications(
                uow, drafts, now=self._clock.now(), source_event_id=delivery.event_id
            )
            await uow.commit()
        await publish_notifications(self._broadcaster, created)

    async def handle_all(self, deliveries: Sequence[Delivery[E]]) -> None:
        """A batch of the relay in one transaction (one inbox statement)."""
        prepared = [(delivery, await self.drafts(delivery.event)) for delivery in deliveries]
        created: list[Notification] = []
        async with self._uow as uow:
            claimed = await uow.inbox.claim_many(
                [delivery.event_id for delivery in deliveries], deliveries[0].handler
            )
            now = self._clock.now()
            for delivery, drafts in prepared:
                if delivery.event_id in claimed:
                    created.extend(
                        await create_notifications(
                            uow, drafts, now=now, source_event_id=delivery.event_id
                        )
                    )
            await uow.commit()
        await publish_notifications(self._broadcaster, created)

    async def drafts(self, event: E) -> list[Draft]:
        raise NotImplementedError


class NotifyAssignedTechnician(NotifyingHandler[InterventionAssigned]):
    async def drafts(self, event: InterventionAssigned) -> list[Draft]:
        return rules.assigned(event)


class NotifyRequesterStarted(NotifyingHandler[InterventionStarted]):
    async def drafts(self, event: InterventionStarted) -> list[Draft]:
        return rules.started(event)


class NotifyRequesterCompleted(NotifyingHandler[InterventionCompleted]):
    async def drafts(self, event: InterventionCompleted) -> list[Draft]:
        return rules.completed(event)


class NotifyRequesterCancelled(NotifyingHandler[InterventionCancelled]):
    async def drafts(self, event: InterventionCancelled) -> list[Draft]:
        return rules.cancelled(event)


class NotifyManagersEscalated(NotifyingHandler[InterventionEscalated]):
    async def drafts(self, event: InterventionEscalated) -> list[Draft]:
        return rules.escalated(event, await self._directory.manager_ids())


class NotifyManagersEquipmentDown(NotifyingHandler[EquipmentDown]):
    async def drafts(self, event: EquipmentDown) -> list[Draft]:
        return rules.equipment_down(event, await self._directory.manager_ids())


class NotifyOwnerJobCompleted(NotifyingHandler[JobCompleted]):
    async def drafts(self, event: JobCompleted) -> list[Draft]:
        return rules.job_completed(event)


class NotifyOwnerJobFailed(NotifyingHandler[JobFailed]):
    async def drafts(self, event: JobFailed) -> list[Draft]:
        return rules.job_failed(event)
