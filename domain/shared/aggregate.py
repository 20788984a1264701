"""Aggregate root base: identity, optimistic-concurrency ``version``, pending events."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from domain.shared.errors import PreconditionFailed
from domain.shared.events import DomainEvent


@dataclass(kw_only=True, eq=False, slots=True)
class Aggregate:
    id: UUID
    version: int = 1
    _events: list[DomainEvent] = field(default_factory=list, init=False, repr=False)

    def record(self, event: DomainEvent) -> None:
        self._events.append(event)

    def pull_events(self) -> list[DomainEvent]:
        """Return and forget the events recorded since the last pull."""
        events, self._events = self._events, []
        return events

    @property
    def pending_events(self) -> tuple[DomainEvent, ...]:
        return tuple(self._events)

    def check_version(self, expected: int | None) -> None:
        """Raise ``PreconditionFailed`` when a caller's ``If-Match`` is stale."""
        if expected is not None and expected != self.version:
            raise PreconditionFailed(
                f"The resource is at version {self.version}, not {expected}.",
                extra={"current_version": self.version},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and other.id == self.id

    def __hash__(self) -> int:
        return hash((type(self), self.id))
