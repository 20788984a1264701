"""The ``notifications`` table.

``(user_id, id)`` serves the lists (ids are UUIDv7: creation order) and ``after=``;
``(user_id, read_at)`` the unread count and filter; ``(user_id, source_event_id)`` is unique:
one event never gives a user two notifications, whatever happens to the inbox.
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.metadata import (
    json_column,
    metadata,
    utc_timestamp,
    uuid_column,
    uuid_pk,
)

TITLE_LENGTH = 200
LEVEL_LENGTH = 20

notifications = sa.Table(
    "notifications",
    metadata,
    uuid_pk(),
    uuid_column("user_id"),
    sa.Column("title", sa.String(TITLE_LENGTH), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("level", sa.String(LEVEL_LENGTH), nullable=False),
    json_column("data"),
    utc_timestamp("created_at"),
    utc_timestamp("read_at", nullable=True),
    uuid_column("source_event_id", nullable=True),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
    sa.UniqueConstraint("user_id", "source_event_id"),
    sa.Index(None, "user_id", "id"),
    sa.Index(None, "user_id", "read_at"),
)
