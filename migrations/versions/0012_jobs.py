"""AI jobs: transcriptions and try-on jobs

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "transcriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("source_url", sa.String(length=2048), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column(
            "segments", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("provider_ref", sa.String(length=200), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_transcriptions_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcriptions")),
    )
    op.create_index(
        op.f("ix_transcriptions_owner_id_created_at"),
        "transcriptions",
        ["owner_id", "created_at"],
    )
    op.create_index(
        op.f("ix_transcriptions_owner_id_status"), "transcriptions", ["owner_id", "status"]
    )
    op.create_index(
        op.f("ix_transcriptions_status_updated_at"), "transcriptions", ["status", "updated_at"]
    )
    op.create_table(
        "tryon_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("owner_role", sa.String(length=20), nullable=False),
        sa.Column("person_image_id", sa.Uuid(), nullable=False),
        sa.Column("garment_image_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=True),
        sa.Column("result_image_id", sa.Uuid(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_tryon_jobs_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tryon_jobs")),
    )
    op.create_index(op.f("ix_tryon_jobs_owner_id_status"), "tryon_jobs", ["owner_id", "status"])
    op.create_index(
        op.f("ix_tryon_jobs_status_updated_at"), "tryon_jobs", ["status", "updated_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_tryon_jobs_status_updated_at"), table_name="tryon_jobs")
    op.drop_index(op.f("ix_tryon_jobs_owner_id_status"), table_name="tryon_jobs")
    op.drop_table("tryon_jobs")
    op.drop_index(op.f("ix_transcriptions_status_updated_at"), table_name="transcriptions")
    op.drop_index(op.f("ix_transcriptions_owner_id_status"), table_name="transcriptions")
    op.drop_index(op.f("ix_transcriptions_owner_id_created_at"), table_name="transcriptions")
    op.drop_table("transcriptions")
