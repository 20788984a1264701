"""documents: their records, and the stored objects that may lack one (pending objects)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=True),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("intervention_id", sa.Uuid(), nullable=True),
        sa.Column("equipment_id", sa.Uuid(), nullable=True),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_documents_storage_key")),
    )
    op.create_index(op.f("ix_documents_created_at"), "documents", ["created_at"])
    op.create_index(
        op.f("ix_documents_intervention_id_created_at"),
        "documents",
        ["intervention_id", "created_at"],
    )
    op.create_index(
        op.f("ix_documents_equipment_id_created_at"), "documents", ["equipment_id", "created_at"]
    )
    op.create_table(
        "document_pending_objects",
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("sweep_after", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("storage_key", name=op.f("pk_document_pending_objects")),
    )
    op.create_index(
        op.f("ix_document_pending_objects_sweep_after"),
        "document_pending_objects",
        ["sweep_after"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_document_pending_objects_sweep_after"), table_name="document_pending_objects"
    )
    op.drop_table("document_pending_objects")
    op.drop_index(op.f("ix_documents_equipment_id_created_at"), table_name="documents")
    op.drop_index(op.f("ix_documents_intervention_id_created_at"), table_name="documents")
    op.drop_index(op.f("ix_documents_created_at"), table_name="documents")
    op.drop_table("documents")
