"""maintenance: PostgreSQL refuses overlapping planning entries of one technician

An exclusion constraint (btree_gist: ``technician_id WITH =``, ``tstzrange(starts_at,
ends_at) WITH &&``) replaces the lock-then-check of bookings on PostgreSQL. Existing
overlapping entries (``GET /planning/conflicts`` lists them) must be resolved before
upgrading: the constraint cannot be added over them. SQLite: nothing to do (its booking
transactions are serialised).

Revision ID: 0013
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ex_schedule_entries_technician_slot"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(
        f"ALTER TABLE schedule_entries ADD CONSTRAINT {NAME} EXCLUDE USING gist "
        "(technician_id WITH =, tstzrange(starts_at, ends_at) WITH &&)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE schedule_entries DROP CONSTRAINT {NAME}")
    # btree_gist stays: other objects may use it, and it costs nothing

