"""The outbox relay: committed integration events -> one delivery job per subscriber.

``relay_once`` claims a batch of unpublished events (oldest first; on PostgreSQL with ``FOR
UPDATE SKIP LOCKED``, so relays on several machines share the stream and never hand out one
event twice), enqueues job ``events.deliver`` for every subscription of each event with the
key ``<event id>:<handler>`` (a relay that dies after enqueueing and before committing makes
the next relay enqueue again: the queue drops the duplicate, and the handler's inbox would drop
its effect anyway), and marks the batch published in the same transaction.

An event whose name no installed module publishes (a typo, a version nobody knows yet) is
never dropped: it is parked in the dead letters and logged as an error. An event nobody
subscribes to is simply published.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from application.shared.integration import DELIVER_JOB, EventCatalogue, SubscriptionIndex
from application.shared.jobs import JobQueue
from application.shared.outbox import Outbox, OutboxMessage

log = logging.getLogger("atelier.events")

DEFAULT_BATCH_SIZE = 200


@dataclass(frozen=True, slots=True)
class RelayResult:
    claimed: int
    enqueued: int
    parked: int


def delivery_payload(message: OutboxMessage, handler: str) -> dict[str, object]:
    """The ``events.deliver`` job's payload: the envelope and the handler to run."""
    return {
        "event_id": str(message.event_id),
        "name": message.name,
        "occurred_at": message.occurred_at.isoformat(),
        "handler": handler,
        "payload": dict(message.payload),
    }


def delivery_key(message: OutboxMessage, handler: str) -> str:
    return f"{message.event_id}:{handler}"


class OutboxRelay:
    def __init__(
        self,
        outbox: Outbox,
        queue: JobQueue,
        catalogue: EventCatalogue,
        subscriptions: SubscriptionIndex,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self._outbox = outbox
        self._queue = queue
        self._catalogue = catalogue
        self._subscriptions = subscriptions
        self.batch_size = batch_size

    async def relay_once(self) -> RelayResult:
        enqueued = parked = 0
        async with self._outbox.claim(self.batch_size) as batch:
            messages = batch.messages
            published = []
            for message in messages:
                if message.name not in self._catalogue:
                    log.error(
                        "unknown integration event parked",
                        extra={"event": message.name, "event_id": str(message.event_id)},
                    )
                    await batch.park(message, f"unknown event name or version {message.name!r}")
                    parked += 1
                    continue
                for subscription in self._subscriptions.for_event(message.name):
                    await self._queue.enqueue(
                        DELIVER_JOB,
                        delivery_payload(message, subscription.handler),
                        key=delivery_key(message, subscription.handler),
                    )
                    enqueued += 1
                published.append(message.event_id)
            if published:
                await batch.mark_published(published)
        return RelayResult(claimed=len(messages), enqueued=enqueued, parked=parked)
