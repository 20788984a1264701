"""Automation tables: playbooks and custom variable types.

A playbook's ``content`` is plain JSON (``json`` on PostgreSQL, not ``jsonb``): the builder's
key order is kept, which an exported playbook shows. ``variable_types.name`` carries the
unique constraint behind 409 ``variable_type_taken``.
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

playbooks = sa.Table(
    "playbooks",
    metadata,
    uuid_pk(),
    uuid_column("owner_id"),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("content", sa.JSON(), nullable=False),
    utc_timestamp("created_at"),
    utc_timestamp("updated_at"),
    version_column(),
    sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
    sa.Index(None, "owner_id", "updated_at"),
)

variable_types = sa.Table(
    "variable_types",
    metadata,
    uuid_pk(),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("label", sa.String(100), nullable=False),
    sa.Column("description", sa.String(1000), nullable=False, server_default=""),
    sa.Column("pattern", sa.String(500), nullable=False),
    sa.Column("is_active", sa.Boolean(), nullable=False),
    uuid_column("created_by", nullable=True),
    utc_timestamp("created_at"),
    utc_timestamp("updated_at"),
    version_column(),
    sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
    sa.UniqueConstraint("name"),
)
