"""Integration events: the facts one module publishes for the others, delivered reliably.

The flow, for every module:

1. A use case that changes something other modules care about calls
   ``uow.emit(SomethingHappened(...))`` with an *integration* event (a class of the published
   language, below). On commit the unit of work writes it to the outbox **in the same
   transaction** as the change; a rolled-back change emits nothing. (Aggregates' *domain*
   events stay inside their module: in-process reactions such as cache invalidation.)
3. The outbox relay reads committed events in order, hands each one to every subscriber as a
   job on the ``JobQueue`` (job ``events.deliver``, key ``<event id>:<handler>``) and marks it
   published in the same transaction. An event whose name nobody knows is parked, loudly.
4. The delivery job decodes the payload into its class and calls the subscriber's handler.
   Handlers claim ``(event id, handler)`` in the inbox inside their own transaction, so a
   redelivered event has no second effect. A handler that keeps failing is retried with
   backoff, then parked in the dead-letter table (``atelier events failed`` / ``replay``).

Integration event classes are the *published language*: frozen dataclasses in
``application/contracts/<publisher>.py`` with a stable ``NAME`` ``<module>.<event>.v<N>``.
Publisher and subscribers may both import them; modules never import each other's domain or
application code. A payload change that is not backward compatible is a new class with
``v<N+1>``; both are published until every subscriber has moved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Generic, Protocol, TypeVar
from uuid import UUID

EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.v[1-9][0-9]*$")
HANDLER_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
DELIVER_JOB = "events.deliver"
"""The job that runs one handler for one event (payload: the envelope and the handler)."""


class IntegrationEvent:
    """Base of every integration event (subclasses are frozen, kw-only dataclasses of plain
    values: str, int, float, bool, UUID, datetime, enums' values, lists and tuples of them)."""

    NAME: ClassVar[str] = ""


E = TypeVar("E", bound=IntegrationEvent)


@dataclass(frozen=True, slots=True)
class Envelope:
    """An integration event as the outbox keeps it and the relay hands it on."""

    event_id: UUID
    name: str
    occurred_at: datetime
    event: IntegrationEvent


@dataclass(frozen=True, slots=True)
class Delivery(Generic[E]):
    """One event for one handler: what a handler use case receives."""

    event_id: UUID
    handler: str
    occurred_at: datetime
    event: E


@dataclass(frozen=True, slots=True)
class Subscription:
    """ "On ``event`` do ``use_case``": a module's declaration, in its application layer.

    ``handler`` is the stable name of the reaction (``<module>.<reaction>``): the inbox key
    and the dead-letter label; renaming it re-delivers nothing but loses the inbox history.
    ``use_case`` names the provider on the module's container that builds the handler (a use
    case whose ``__call__`` takes a :class:`Delivery`).
    """

    event: type[IntegrationEvent]
    handler: str
    use_case: str

    def __post_init__(self) -> None:
        if not HANDLER_NAME.fullmatch(self.handler):
            raise ValueError(f"handler name {self.handler!r} must look like module.reaction")


class UnknownEvent(LookupError):
    """An event name (or version) no installed module publishes."""


class EventCatalogue:
    """Every integration event class by name; built from the modules' declarations."""

    def __init__(self, classes: Iterable[type[IntegrationEvent]] = ()) -> None:
        self._by_name: dict[str, type[IntegrationEvent]] = {}
        for cls in classes:
            self.add(cls)

    def add(self, cls: type[IntegrationEvent]) -> None:
        name = cls.NAME
        if not EVENT_NAME.fullmatch(name):
            raise ValueError(f"{cls.__name__}.NAME {name!r} must look like module.event.v1")
        known = self._by_name.get(name)
        if known is not None and known is not cls:
            raise ValueError(f"two classes claim the event name {name!r}")
        self._by_name[name] = cls

    def resolve(self, name: str) -> type[IntegrationEvent]:
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownEvent(name) from None

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[type[IntegrationEvent]]:
        return iter(self._by_name.values())


class SubscriptionIndex:
    """Subscriptions by event name and by handler name (both unique per handler)."""

    def __init__(self, subscriptions: Iterable[Subscription] = ()) -> None:
        self._by_event: dict[str, list[Subscription]] = {}
        self._by_handler: dict[str, Subscription] = {}
        for subscription in subscriptions:
            if subscription.handler in self._by_handler:
                raise ValueError(f"two subscriptions use the handler name {subscription.handler!r}")
            self._by_handler[subscription.handler] = subscription
            self._by_event.setdefault(subscription.event.NAME, []).append(subscription)

    def for_event(self, name: str) -> Sequence[Subscription]:
        return self._by_event.get(name, ())

    def by_handler(self, handler: str) -> Subscription:
        try:
            return self._by_handler[handler]
        except KeyError:
            raise LookupError(f"no subscription has the handler name {handler!r}") from None

    def __iter__(self) -> Iterator[Subscription]:
        return iter(self._by_handler.values())


class Inbox(Protocol):
    """Which (event, handler) pairs have had their effect; part of a module's unit of work."""

    async def claim(self, event_id: UUID, handler: str) -> bool:
        """Record that ``handler`` handles ``event_id`` in this transaction; False when it was
        already recorded (the effect happened: do nothing). Concurrent claims of one pair
        wait for each other; exactly one commits."""
        ...

    async def claim_many(self, event_ids: Sequence[UUID], handler: str) -> set[UUID]:
        """``claim`` for several events in one statement: the ids claimed now."""
        ...
