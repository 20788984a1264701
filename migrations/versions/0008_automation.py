"""automation: playbooks and custom variable types (with the installed examples)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The examples as they were when this revision was written (domain.automation.variable_types
# .EXAMPLES); a migration never imports the code it may outlive.
_EXAMPLES = [
    (
        "01900000-0000-7000-8000-00000000a001",
        "mail",
        "E-mail address",
        "An e-mail address such as ops@example.com.",
        r"[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+",
    ),
    (
        "01900000-0000-7000-8000-00000000a002",
        "ip",
        "IPv4 address",
        "A dotted-quad IPv4 address such as 192.0.2.10.",
        r"((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
        r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])",
    ),
    (
        "01900000-0000-7000-8000-00000000a003",
        "url",
        "URL",
        "An http or https URL.",
        r"https?://[^\s/?#]+[^\s]*",
    ),
    (
        "01900000-0000-7000-8000-00000000a004",
        "json",
        "JSON",
        "A JSON document; the parsed value is returned.",
        "| from_json",
    ),
    (
        "01900000-0000-7000-8000-00000000a005",
        "yaml",
        "YAML",
        "A YAML document (safe subset, bounded); the parsed value is returned.",
        "| from_yaml",
    ),
]


def upgrade() -> None:
    op.create_table(
        "playbooks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_playbooks_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playbooks")),
    )
    op.create_index(
        op.f("ix_playbooks_owner_id_updated_at"), "playbooks", ["owner_id", "updated_at"]
    )
    variable_types = op.create_table(
        "variable_types",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("pattern", sa.String(length=500), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_variable_types_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_variable_types")),
        sa.UniqueConstraint("name", name=op.f("uq_variable_types_name")),
    )
    assert variable_types is not None
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # UtcDateTime keeps UTC wall time on SQLite
    op.bulk_insert(
        variable_types,
        [
            {
                "id": UUID(id_),
                "name": name,
                "label": label,
                "description": description,
                "pattern": pattern,
                "is_active": True,
                "created_by": None,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for id_, name, label, description, pattern in _EXAMPLES
        ],
    )


def downgrade() -> None:
    op.drop_table("variable_types")
    op.drop_index(op.f("ix_playbooks_owner_id_updated_at"), table_name="playbooks")
    op.drop_table("playbooks")
