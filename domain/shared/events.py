"""Domain events: facts that happened, recorded by aggregates, dispatched after commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.shared.ids import new_id


@dataclass(frozen=True, kw_only=True, slots=True)
class DomainEvent:
    """Base of every event. ``occurred_at`` comes from the caller's clock."""

    occurred_at: datetime
    event_id: UUID = field(default_factory=new_id)

    @property
    def name(self) -> str:
        return type(self).__name__
