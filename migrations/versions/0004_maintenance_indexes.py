"""maintenance: partial covering indexes for the dashboard and assignment, schedule ends_at

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PARTIAL = (
    (
        "ix_interventions_active",
        ["status", "priority", "due_at", "technician_id"],
        "status NOT IN ('done', 'cancelled')",
    ),
    (
        "ix_interventions_done",
        ["completed_at", "created_at", "started_at", "due_at", "type"],
        "status = 'done'",
    ),
    (
        "ix_interventions_booked",
        ["technician_id", "estimated_minutes"],
        "status IN ('planned', 'in_progress')",
    ),
    ("ix_interventions_corrective_created_at", ["created_at"], "type = 'corrective'"),
)


def upgrade() -> None:
    for name, columns, where in _PARTIAL:
        op.create_index(
            name,
            "interventions",
            columns,
            unique=False,
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )
    op.create_index(
        op.f("ix_schedule_entries_ends_at"), "schedule_entries", ["ends_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_schedule_entries_ends_at"), table_name="schedule_entries")
    for name, _columns, _where in reversed(_PARTIAL):
        op.drop_index(name, table_name="interventions")
