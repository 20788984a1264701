"""The outbox relay: committed integration events -> delivery jobs for their subscribers.

``relay_once`` claims a batch of unpublished events (oldest first; on PostgreSQL with ``FOR
UPDATE SKIP LOCKED``, so relays on several machines share the stream and never hand out one
event twice), enqueues job ``events.deliver`` for each subscriber with that subscriber's
events of the batch, in order (at most ``deliveries_per_job`` per job: the queue's own cost is
paid once per job, not once per event), keyed by the handler and the events it carries (a
relay that dies after enqueueing and before committing makes the next relay enqueue the same
job again: the queue drops the duplicate, and the handler's inbox drops a second effect
anyway), and marks the batch published in the same transaction.

An event whose name no installed module publishes (a typo, a version nobody knows yet) is
never dropped: it is parked in the dead letters and logged as an error. An event nobody
subscribes to is simply published.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
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
    """Deliveries handed on (one per event and subscriber)."""
    parked: int


DEFAULT_DELIVERIES_PER_JOB = 50


def envelope_of(message: OutboxMessage) -> dict[str, object]:
    return {
        "event_id": str(message.event_id),
        "name": message.name,
        "occurred_at": message.occurred_at.isoformat(),
        "payload": dict(message.payload),
    }


def delivery_payload(messages: Sequence[OutboxMessage], handler: str) -> dict[str, object]:
    """The ``events.deliver`` job's payload: the handler to run and its events, in order."""
    return {"handler": handler, "events": [envelope_of(m) for m in messages]}


def delivery_key(messages: Sequence[OutboxMessage], handler: str) -> str:
    """The same events for the same handler always make the same key."""
    if len(messages) == 1:
        return f"{messages[0].event_id}:{handler}"
    digest = hashlib.sha256(b"".join(m.event_id.bytes for m in messages)).hexdigest()[:32]
    return f"{messages[0].event_id}+{len(messages) - 1}:{digest}:{handler}"


class OutboxRelay:
    def __init__(
        self,
        outbox: Outbox,
        queue: JobQueue,
        catalogue: EventCatalogue,
        subscriptions: SubscriptionIndex,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        deliveries_per_job: int = DEFAULT_DELIVERIES_PER_JOB,
    ) -> None:
        self._outbox = outbox
        self._queue = queue
        self._catalogue = catalogue
        self._subscriptions = subscriptions
        self.batch_size = batch_size
        self.deliveries_per_job = deliveries_per_job

    async def relay_once(self) -> RelayResult:
        enqueued = parked = 0
        async with self._outbox.claim(self.batch_size) as batch:
            messages = batch.messages
            published = []
            by_handler: dict[str, list[OutboxMessage]] = {}
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
                    by_handler.setdefault(subscription.handler, []).append(message)
                    enqueued += 1
                published.append(message.event_id)
            step = self.deliveries_per_job
            for handler, mine in by_handler.items():
                for start in range(0, len(mine), step):
                    chunk = mine[start : start + step]
                    await self._queue.enqueue(
                        DELIVER_JOB,
                        delivery_payload(chunk, handler),
                        key=delivery_key(chunk, handler),
                    )
            if published:
                await batch.mark_published(published)
        return RelayResult(claimed=len(messages), enqueued=enqueued, parked=parked)
