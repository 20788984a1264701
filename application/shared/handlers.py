"""The base of every integration-event handler: its effect happens once.

A module's handler is a use case subclassing :class:`EventHandler` and implementing
``handle``; its module declares it with a ``Subscription`` ("on ``X`` do ``Y``")::

    class NotifyAssignee(EventHandler[InterventionAssigned, NotificationsUnitOfWork]):
        async def handle(self, event: InterventionAssigned, uow: NotificationsUnitOfWork,
                         delivery: Delivery[InterventionAssigned]) -> None:
            await uow.notifications.add(...)

``__call__`` opens the module's unit of work, claims (event id, handler name) in the inbox of
that same transaction, runs ``handle`` and commits: a redelivered event finds its claim and
does nothing, and a failed handler rolls its claim back with its effects, so the retry runs it
again. Effects outside the database (a mail, a push) are jobs or integration events emitted in
``handle``, so they too are written by this transaction or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from application.shared.integration import Delivery, IntegrationEvent
from application.shared.uow import UnitOfWork

E = TypeVar("E", bound=IntegrationEvent)
U = TypeVar("U", bound=UnitOfWork)


class EventHandler(Generic[E, U]):
    def __init__(self, uow: U) -> None:
        self._uow = uow

    async def __call__(self, delivery: Delivery[E]) -> None:
        async with self._uow as uow:
            if not await uow.inbox.claim(delivery.event_id, delivery.handler):
                return  # delivered before: the effect is there already
            await self.handle(delivery.event, uow, delivery)
            await uow.commit()

    async def handle_all(self, deliveries: Sequence[Delivery[E]]) -> None:
        """Several deliveries in one transaction (the relay's batches): one inbox statement
        for all their claims, then each ``handle``; any failure rolls every one of them back
        (the caller then runs them one by one, so a failing event does not hold the others)."""
        async with self._uow as uow:
            handler = deliveries[0].handler
            claimed = await uow.inbox.claim_many([d.event_id for d in deliveries], handler)
            for delivery in deliveries:
                if delivery.event_id in claimed:
                    await self.handle(delivery.event, uow, delivery)
            await uow.commit()

    async def handle(self, event: E, uow: U, delivery: Delivery[E]) -> None:
        raise NotImplementedError
