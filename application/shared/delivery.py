"""Running one subscriber for one event (the ``events.deliver`` job), and replaying a parked one.

``DeliverEvent`` decodes the payload into its integration event class, builds the handler
named by the subscription and calls it with a :class:`Delivery`. The handler claims the
(event, handler) pair in its inbox inside its own transaction, so at-least-once delivery has
its effect once. A failure is re-raised, so the queue retries it with backoff; on the last
attempt the delivery is parked in the dead letters first (``atelier events failed`` lists
them, ``atelier events replay ID`` runs one again). A payload that cannot be decoded, or a
handler name no module declares, is parked at once: retrying cannot help.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from application.shared.clock import Clock
from application.shared.integration import (
    DELIVER_JOB,
    Delivery,
    IntegrationEvent,
    Subscription,
    SubscriptionIndex,
)
from application.shared.jobs import JobContext, JobQueue, Json, Payload
from application.shared.outbox import DeadLetter, DeadLetters, EventCodec
from domain.shared.errors import NotFound
from domain.shared.ids import new_id

log = logging.getLogger("atelier.events")

MAX_ERROR_CHARS = 2_000
#: When even the dead letters cannot be written (the database is down), the delivery is
#: enqueued again after this many seconds rather than lost.
REQUEUE_DELAY_SECONDS = 300.0

Handler = Callable[[Delivery[Any]], Awaitable[None]]
HandlerFactory = Callable[[Subscription], Handler]


def describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text[:MAX_ERROR_CHARS]


class DeliverEvent:
    """The ``events.deliver`` job function: one handler, its events in order.

    Each event is handled in its own transaction (its inbox claim with its effect), so one
    event that fails does not undo or hold back the others. When some failed, the job fails
    and the queue retries it: the events already handled are skipped by the inbox. On the
    last attempt the failed events are parked (and the job still fails, so the queue's
    metrics count it). An event that cannot be decoded, or a handler name no module declares,
    is parked at once: retrying cannot help.
    """

    def __init__(
        self,
        codec: EventCodec,
        subscriptions: SubscriptionIndex,
        handlers: HandlerFactory,
        dead_letters: DeadLetters,
        queue: JobQueue,
        clock: Clock,
    ) -> None:
        self._codec = codec
        self._subscriptions = subscriptions
        self._handlers = handlers
        self._dead_letters = dead_letters
        self._queue = queue
        self._clock = clock

    async def __call__(self, ctx: JobContext, payload: Payload) -> Json:
        handler_name = str(payload["handler"])
        envelopes: list[Mapping[str, Any]] = list(payload["events"])
        try:
            subscription = self._subscriptions.by_handler(handler_name)
        except LookupError as exc:  # no module declares it (any more)
            for envelope in envelopes:
                await self._park(ctx, handler_name, envelope, describe(exc))
            return {"parked": len(envelopes)}
        handler = self._handlers(subscription)
        failed: list[tuple[Mapping[str, Any], BaseException]] = []
        parked = 0
        deliveries: list[tuple[Mapping[str, Any], Delivery[IntegrationEvent]]] = []
        for envelope in envelopes:
            event_id = UUID(str(envelope["event_id"]))
            name = str(envelope["name"])
            try:
                event = self._codec.decode(name, envelope["payload"])
            except (LookupError, ValueError, TypeError) as exc:  # retrying cannot help
                log.error(
                    "undeliverable event parked",
                    extra={"event": name, "event_id": str(event_id), "handler": handler_name},
                )
                await self._park(ctx, handler_name, envelope, describe(exc))
                parked += 1
                continue
            delivery: Delivery[IntegrationEvent] = Delivery(
                event_id=event_id,
                handler=handler_name,
                occurred_at=datetime.fromisoformat(str(envelope["occurred_at"])),
                event=event,
            )
            deliveries.append((envelope, delivery))
        handle_all = getattr(handler, "handle_all", None)
        if len(deliveries) > 1 and handle_all is not None:
            try:  # the fast path: every delivery of the job in one transaction
                await handle_all([delivery for _, delivery in deliveries])
                deliveries = []
            except Exception:  # noqa: BLE001 - one by one below, to isolate the failure
                log.info("batched deliveries failed; handling them one by one")
        for envelope, delivery in deliveries:
            try:
                await handler(delivery)
            except Exception as exc:  # noqa: BLE001 - the others still run; this one is retried
                failed.append((envelope, exc))
        if not failed:
            return {"handled": len(envelopes) - parked, "parked": parked}
        if ctx.attempt >= ctx.max_attempts:
            for envelope, error in failed:
                log.error(
                    "event handler failed on its last attempt; parked",
                    extra={
                        "event": envelope["name"],
                        "event_id": envelope["event_id"],
                        "handler": handler_name,
                    },
                )
                await self._park(ctx, handler_name, envelope, describe(error))
        raise failed[0][1]

    async def _park(
        self, ctx: JobContext, handler: str, envelope: Mapping[str, Any], error: str
    ) -> None:
        letter = DeadLetter(
            id=new_id(),
            event_id=UUID(str(envelope["event_id"])),
            name=str(envelope["name"]),
            handler=handler,
            occurred_at=datetime.fromisoformat(str(envelope["occurred_at"])),
            payload=envelope["payload"],
            error=error,
            attempts=ctx.attempt,
            failed_at=self._clock.now(),
        )
        try:
            await self._dead_letters.add(letter)
        except Exception:  # the database is down too: try the delivery again later
            log.exception("could not park an event; delivering it again later")
            await self._queue.enqueue(
                DELIVER_JOB,
                {"handler": handler, "events": [dict(envelope)]},
                key=f"{letter.event_id}:{handler}:{letter.id}",
                delay_seconds=REQUEUE_DELAY_SECONDS,
            )


class ReplayDeadLetter:
    """``atelier events replay ID``: run a parked delivery again, now, in this process.

    A letter parked by a handler runs that handler (its inbox still protects against a second
    effect); one parked by the relay (an unknown name) runs every current subscriber of the
    name, which works once a module that knows it is installed. Success removes the letter;
    failure keeps it with the new error and one more attempt, and re-raises.
    """

    def __init__(
        self,
        codec: EventCodec,
        subscriptions: SubscriptionIndex,
        handlers: HandlerFactory,
        dead_letters: DeadLetters,
        clock: Clock,
    ) -> None:
        self._codec = codec
        self._subscriptions = subscriptions
        self._handlers = handlers
        self._dead_letters = dead_letters
        self._clock = clock

    async def __call__(self, letter_id: UUID) -> DeadLetter:
        letter = await self._dead_letters.get(letter_id)
        if letter is None:
            raise NotFound(f"No parked event has the id {letter_id}.", code="dead_letter_not_found")
        try:
            event = self._codec.decode(letter.name, letter.payload)
            if letter.handler:
                targets = [self._subscriptions.by_handler(letter.handler)]
            else:
                targets = list(self._subscriptions.for_event(letter.name))
            for subscription in targets:
                await self._handlers(subscription)(
                    Delivery(
                        event_id=letter.event_id,
                        handler=subscription.handler,
                        occurred_at=letter.occurred_at,
                        event=event,
                    )
                )
        except Exception as exc:
            await self._dead_letters.record_failure(letter.id, describe(exc), self._clock.now())
            raise
        await self._dead_letters.remove(letter.id)
        return letter
