"""The event backbone's tables: the outbox, the inbox and the dead letters.

* ``outbox_events``: every integration event, written in the transaction that produced it
  (``uow.emit``); ``event_type`` holds its name (``maintenance.intervention_assigned.v1``),
  ``payload`` its fields as JSON. Ids are UUIDv7, so ``ORDER BY id`` is the order in which
  events were made; the partial index ``ix_outbox_events_pending`` keeps the relay's scan of
  unpublished rows small however many published rows wait for their purge. On PostgreSQL an
  insert trigger sends ``NOTIFY atelier_outbox`` (migration 0007), so relays wake at commit.
* ``event_inbox``: (event, handler) pairs whose effect happened, written in the handler's own
  transaction: a redelivered event finds its row and has no second effect.
* ``event_dead_letters``: deliveries that kept failing (or events nobody knows), for
  ``atelier events failed`` / ``replay``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.metadata import (
    json_column,
    metadata,
    utc_timestamp,
    uuid_column,
    uuid_pk,
)

EVENT_NAME_LENGTH = 200
HANDLER_LENGTH = 100
NOTIFY_CHANNEL = "atelier_outbox"


def _now() -> datetime:
    return datetime.now(UTC)


outbox_events = sa.Table(
    "outbox_events",
    metadata,
    uuid_pk(),  # the event's own id (UUIDv7: time-ordered)
    sa.Column("event_type", sa.String(EVENT_NAME_LENGTH), nullable=False),
    json_column("payload"),
    utc_timestamp("occurred_at"),
    utc_timestamp("recorded_at", default=_now),
    utc_timestamp("published_at", nullable=True),
    sa.Index(None, "published_at", "recorded_at"),
    sa.Index(
        "ix_outbox_events_pending",
        "id",
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    ),
)

event_inbox = sa.Table(
    "event_inbox",
    metadata,
    uuid_column("event_id", primary_key=True),
    sa.Column("handler", sa.String(HANDLER_LENGTH), primary_key=True),
    utc_timestamp("handled_at"),
    sa.Index(None, "handled_at"),
)

event_dead_letters = sa.Table(
    "event_dead_letters",
    metadata,
    uuid_pk(),
    uuid_column("event_id"),
    sa.Column("event_type", sa.String(EVENT_NAME_LENGTH), nullable=False),
    sa.Column("handler", sa.String(HANDLER_LENGTH), nullable=False),
    utc_timestamp("occurred_at"),
    json_column("payload"),
    sa.Column("error", sa.Text(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    utc_timestamp("failed_at"),
    sa.Index(None, "failed_at"),
)
