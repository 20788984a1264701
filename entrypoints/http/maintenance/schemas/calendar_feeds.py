"""msgspec answers of the calendar-feed routes (a technician's secret iCalendar URL)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from application.maintenance.views import CalendarFeedView, IssuedCalendarFeed


class CalendarFeedRead(msgspec.Struct, kw_only=True):
    """A technician's feed, without its secret (it is not kept)."""

    technician_id: UUID
    created_at: datetime
    created_by: UUID | None

    @classmethod
    def of(cls, v: CalendarFeedView) -> CalendarFeedRead:
        return cls(technician_id=v.technician_id, created_at=v.created_at, created_by=v.created_by)


class IssuedCalendarFeedRead(msgspec.Struct, kw_only=True):
    """A feed just issued or rotated. ``token`` and ``url`` are shown this once."""

    technician_id: UUID
    token: Annotated[
        str,
        msgspec.Meta(description="The secret of the feed URL; only its hash is kept."),
    ]
    url: Annotated[
        str,
        msgspec.Meta(
            description="The URL to subscribe to (no bearer token): "
            "``<base>/api/v1/planning/feeds/<token>.ics``; ``from``/``to`` are optional."
        ),
    ]
    created_at: datetime
    created_by: UUID | None

    @classmethod
    def of(cls, v: IssuedCalendarFeed, url: str) -> IssuedCalendarFeedRead:
        return cls(
            technician_id=v.technician_id,
            token=v.token,
            url=url,
            created_at=v.created_at,
            created_by=v.created_by,
        )
