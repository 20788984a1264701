"""AI jobs tables: ``transcriptions`` and ``tryon_jobs``.

Input and result images belong to the media module: their ids are plain columns (no
foreign key across modules). ``segments`` is a JSON list (JSONB on PostgreSQL).
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

STATUS_LENGTH = 20
ERROR_LENGTH = 500

transcriptions = sa.Table(
    "transcriptions",
    metadata,
    uuid_pk(),
    uuid_column("owner_id"),
    sa.Column("source_url", sa.String(2048), nullable=False),
    sa.Column("language", sa.String(20), nullable=True),
    sa.Column("status", sa.String(STATUS_LENGTH), nullable=False),
    sa.Column("progress", sa.Integer(), nullable=False),
    sa.Column("text", sa.Text(), nullable=True),
    json_column("segments"),
    sa.Column("error", sa.String(ERROR_LENGTH), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("provider_ref", sa.String(200), nullable=True),
    utc_timestamp("created_at"),
    utc_timestamp("updated_at"),
    utc_timestamp("started_at", nullable=True),
    utc_timestamp("completed_at", nullable=True),
    sa.ForeignKeyConstraint(["owner_id"], ["users.id"]),
    sa.Index(None, "owner_id", "created_at"),
    sa.Index(None, "owner_id", "status"),
    sa.Index(None, "status", "updated_at"),
)

tryon_jobs = sa.Table(
    "tryon_jobs",
    metadata,
    uuid_pk(),
    uuid_column("owner_id"),
    sa.Column("owner_role", sa.String(STATUS_LENGTH), nullable=False),
    uuid_column("person_image_id"),
    uuid_column("garment_image_id"),
    sa.Column("status", sa.String(STATUS_LENGTH), nullable=False),
    sa.Column("progress", sa.Integer(), nullable=False),
    sa.Column("stage", sa.String(40), nullable=True),
    uuid_column("result_image_id", nullable=True),
    sa.Column("error", sa.String(ERROR_LENGTH), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False),
    utc_timestamp("created_at"),
    utc_timestamp("updated_at"),
    utc_timestamp("started_at", nullable=True),
    utc_timestamp("completed_at", nullable=True),
    sa.ForeignKeyConstraint(["owner_id"], ["users.id"]),
    sa.Index(None, "owner_id", "status"),
    sa.Index(None, "status", "updated_at"),
)
