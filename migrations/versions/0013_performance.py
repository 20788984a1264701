"""maintenance performance: overlapping bookings refused by PostgreSQL, list indexes

1. An exclusion constraint (btree_gist: ``technician_id WITH =``, ``tstzrange(starts_at,
ends_at) WITH &&``) replaces the lock-then-check of bookings on PostgreSQL. Existing
overlapping entries (``GET /planning/conflicts`` lists them) must be resolved before
upgrading: the constraint cannot be added over them.
2. An index for every documented filter and sort of ``GET /interventions`` (pg_trgm
   trigram indexes for ``q``): see ``maintenance/tables.py``.

SQLite: nothing to do (its booking transactions are serialised; the embedded database stays
small).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ex_schedule_entries_technician_slot"
INDEXES = (
    ("ix_interventions_status_created_at", "(status, created_at)"),
    ("ix_interventions_priority_created_at", "(priority, created_at)"),
    ("ix_interventions_type_created_at", "(type, created_at)"),
    ("ix_interventions_technician_id_created_at", "(technician_id, created_at)"),
    ("ix_interventions_title_trgm", "USING gin (title gin_trgm_ops)"),
    ("ix_interventions_description_trgm", "USING gin (description gin_trgm_ops)"),
    ("ix_interventions_updated_at", "(updated_at)"),
    ("ix_interventions_status_id", "(status, id)"),
    ("ix_interventions_status_desc_id", "(status DESC, id)"),
    ("ix_interventions_priority_rank_id", "(priority_rank, id)"),
    ("ix_interventions_priority_rank_desc_id", "(priority_rank DESC, id)"),
    ("ix_interventions_title_key", '((lower(title) COLLATE "C"))'),
    ("ix_interventions_title_key_desc", '((lower(title) COLLATE "C") DESC NULLS LAST)'),
    ("ix_interventions_due_at_desc", "(due_at DESC NULLS LAST)"),
    ("ix_interventions_scheduled_at", "(scheduled_at)"),
    ("ix_interventions_scheduled_at_desc", "(scheduled_at DESC NULLS LAST)"),
    ("ix_interventions_completed_at", "(completed_at)"),
    ("ix_interventions_completed_at_desc", "(completed_at DESC NULLS LAST)"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(
        f"ALTER TABLE schedule_entries ADD CONSTRAINT {NAME} EXCLUDE USING gist "
        "(technician_id WITH =, tstzrange(starts_at, ends_at) WITH &&)"
    )
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES:
        op.execute(f"CREATE INDEX {name} ON interventions {definition}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _definition in reversed(INDEXES):
        op.execute(f"DROP INDEX {name}")
    op.execute(f"ALTER TABLE schedule_entries DROP CONSTRAINT {NAME}")
    # btree_gist and pg_trgm stay: other objects may use it, and it costs nothing

