"""session revocations: the durable record of revoked access tokens and sessions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_revocations",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_session_revocations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("kind", "value", name=op.f("pk_session_revocations")),
    )
    op.create_index(
        op.f("ix_session_revocations_expires_at"),
        "session_revocations",
        ["expires_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_session_revocations_user_id"), "session_revocations", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_session_revocations_user_id"), table_name="session_revocations")
    op.drop_index(op.f("ix_session_revocations_expires_at"), table_name="session_revocations")
    op.drop_table("session_revocations")
