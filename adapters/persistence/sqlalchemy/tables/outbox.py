"""``outbox_events``: every domain event, written in the transaction that produced it."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.metadata import (
    json_column,
    metadata,
    utc_timestamp,
    uuid_pk,
)


def _now() -> datetime:
    return datetime.now(UTC)


outbox_events = sa.Table(
    "outbox_events",
    metadata,
    uuid_pk(),  # the event's own ``event_id``
    sa.Column("event_type", sa.String(200), nullable=False),
    json_column("payload"),
    utc_timestamp("occurred_at"),
    utc_timestamp("recorded_at", default=_now),
    utc_timestamp("published_at", nullable=True),
    sa.Index(None, "published_at", "recorded_at"),
)
