"""maintenance: a planning entry ends after it starts (PostgreSQL)

``CHECK (ends_at > starts_at)`` on ``schedule_entries``. An empty range overlaps nothing, so
the exclusion constraint of migration 0013 would let an empty entry sit inside another one;
with every entry non-empty, one technician's entries are ordered alike by start and by end,
which the assignment ranking's clash lookup relies on (one step down the ``(technician_id,
ends_at)`` index per technician instead of reading every later entry). The application
never writes an empty entry (``estimated_minutes`` >= 1); existing rows are checked when the
constraint is added. SQLite, whose ranking reads the overlapping entries plainly, is left
as it is.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ck_schedule_entries_ends_after_start"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE schedule_entries ADD CONSTRAINT {NAME} CHECK (ends_at > starts_at)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE schedule_entries DROP CONSTRAINT {NAME}")
