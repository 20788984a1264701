"""``audit_log``: the platform's audit trail, written by every module in its own transaction."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.metadata import (
    json_column,
    metadata,
    utc_timestamp,
    uuid_column,
    uuid_pk,
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    uuid_pk(),
    utc_timestamp("at"),
    uuid_column("actor_id", nullable=True),
    sa.Column("entity_type", sa.String(40), nullable=False),
    uuid_column("entity_id"),
    sa.Column("action", sa.String(40), nullable=False),
    json_column("changes"),
    sa.Index(None, "entity_type", "entity_id", "at"),
    sa.Index(None, "actor_id", "at"),
    sa.Index(None, "at"),
)
