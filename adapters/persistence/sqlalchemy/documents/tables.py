"""Documents tables: the documents' records and the objects that may lack one.

``intervention_id`` and ``equipment_id`` are the maintenance module's ids, kept without a
foreign key (modules share no tables); ``uploaded_by`` is an identity user id, likewise.
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.metadata import (
    metadata,
    utc_timestamp,
    uuid_column,
    uuid_pk,
    version_column,
)

STORAGE_KEY_LENGTH = 200

documents = sa.Table(
    "documents",
    metadata,
    uuid_pk(),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("mime_type", sa.String(100), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("encrypted", sa.Boolean(), nullable=False),
    sa.Column("key_id", sa.String(32), nullable=True),
    sa.Column("storage_key", sa.String(STORAGE_KEY_LENGTH), nullable=False),
    uuid_column("intervention_id", nullable=True),
    uuid_column("equipment_id", nullable=True),
    uuid_column("uploaded_by"),
    utc_timestamp("created_at"),
    version_column(),
    sa.UniqueConstraint("storage_key"),
    sa.Index(None, "intervention_id", "created_at"),
    sa.Index(None, "equipment_id", "created_at"),
    sa.Index(None, "created_at"),
)

document_pending_objects = sa.Table(
    "document_pending_objects",
    metadata,
    sa.Column("storage_key", sa.String(STORAGE_KEY_LENGTH), primary_key=True),
    sa.Column("reason", sa.String(20), nullable=False),
    utc_timestamp("sweep_after"),
    sa.Index(None, "sweep_after"),
)
