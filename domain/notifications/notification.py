"""A notification: one message for one user, read or not.

Ids are UUIDv7 (time-ordered), so "every notification after this one" (a client catching up
after a reconnection) is an id comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain.shared.ids import new_id

TITLE_MAX = 200
MESSAGE_MAX = 2000


class Level(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    SUCCESS = "success"

    @property
    def mailed(self) -> bool:
        """Warnings and errors also go out by e-mail (unless the user turned it off)."""
        return self in (Level.WARNING, Level.ERROR)


@dataclass(frozen=True, slots=True, kw_only=True)
class Draft:
    """What a rule decides to tell one user."""

    user_id: UUID
    title: str
    message: str
    level: Level
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class Notification:
    id: UUID
    user_id: UUID
    title: str
    message: str
    level: Level
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None = None
    source_event_id: UUID | None = None
    """The integration event (or daily check) it came from: one per user and source."""

    @classmethod
    def from_draft(
        cls, draft: Draft, *, now: datetime, source_event_id: UUID | None = None
    ) -> Notification:
        return cls(
            id=new_id(),
            user_id=draft.user_id,
            title=_cut(draft.title, TITLE_MAX),
            message=_cut(draft.message, MESSAGE_MAX),
            level=draft.level,
            data=dict(draft.data),
            created_at=now,
            source_event_id=source_event_id,
        )

    @property
    def read(self) -> bool:
        return self.read_at is not None

    def mark_read(self, now: datetime) -> bool:
        """True when it was unread (reading twice changes nothing)."""
        if self.read_at is not None:
            return False
        self.read_at = now
        return True


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
