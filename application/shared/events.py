"""In-process event publishing: handlers subscribed by event type, run after commit."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from domain.shared.events import DomainEvent

EventHandler = Callable[[DomainEvent], Awaitable[None]]

log = logging.getLogger("atelier.events")


class EventPublisher(Protocol):
    async def publish(self, events: Sequence[DomainEvent]) -> None: ...


class EventBus:
    """Dispatches each event to the handlers subscribed to its class (or a base class).

    A failing handler is logged and does not stop the others: the transaction that
    produced the event has already committed.
    """

    def __init__(self) -> None:
        self._handlers: defaultdict[type[DomainEvent], list[EventHandler]] = defaultdict(list)

    def subscribe(self, event_type: type[DomainEvent], handler: EventHandler) -> None:
        self._handlers[event_type].append(handler)

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            for event_type in type(event).__mro__:
                for handler in self._handlers.get(event_type, ()):
                    try:
                        await handler(event)
                    except Exception:  # a handler must not undo a commit
                        log.exception("event handler failed", extra={"event": event.name})
