"""maintenance: technicians' booked minutes kept by triggers in the writing transaction

``technician_loads(technician_id, minutes)``: the sum of ``estimated_minutes`` of each
technician's planned and in-progress interventions, which the assignment ranking reads for
every technician on every assignment. Summing the booked interventions each time cost about
5 ms of PostgreSQL time per assignment at 1M interventions (25,000 booked rows); the row
per technician costs the same at any size.

Triggers on ``interventions`` keep it, on both dialects, in the transaction that changes an
intervention (insert, delete, or a change of status, technician or estimated minutes), so
no code path can forget it and no reader sees it out of step. On PostgreSQL a move between
two technicians updates their rows in id order, so two crossing moves never deadlock.
Existing bookings are summed once here; ``ix_interventions_booked`` (migration 0004), which
only served that sum, is then dropped: one index less to write on every intervention change.

SQLite: a later migration that rebuilds ``interventions`` in batch mode (copy and rename)
drops its triggers and must create them again.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BOOKED = "('planned', 'in_progress')"
BOOKED_INDEX = "ix_interventions_booked"

_PG_FUNCTION = f"""
CREATE FUNCTION atelier_technician_load() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_id uuid;
    old_minutes bigint := 0;
    new_id uuid;
    new_minutes bigint := 0;
    first_id uuid;
    second_id uuid;
    each_id uuid;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.technician_id IS NOT NULL AND OLD.status IN {BOOKED} THEN
        old_id := OLD.technician_id;
        old_minutes := coalesce(OLD.estimated_minutes, 0);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.technician_id IS NOT NULL AND NEW.status IN {BOOKED} THEN
        new_id := NEW.technician_id;
        new_minutes := coalesce(NEW.estimated_minutes, 0);
    END IF;
    IF old_id IS NOT DISTINCT FROM new_id THEN
        IF old_id IS NOT NULL AND old_minutes <> new_minutes THEN
            INSERT INTO technician_loads AS l (technician_id, minutes)
            VALUES (old_id, new_minutes - old_minutes)
            ON CONFLICT (technician_id) DO UPDATE SET minutes = l.minutes + excluded.minutes;
        END IF;
        RETURN NULL;
    END IF;
    -- two technicians (or one and none): rows locked in id order
    first_id := least(old_id, new_id);
    second_id := CASE WHEN first_id = old_id THEN new_id ELSE old_id END;
    FOREACH each_id IN ARRAY ARRAY[first_id, second_id] LOOP
        CONTINUE WHEN each_id IS NULL;
        INSERT INTO technician_loads AS l (technician_id, minutes)
        VALUES (
            each_id,
            CASE WHEN each_id = new_id THEN new_minutes ELSE 0 END
            - CASE WHEN each_id = old_id THEN old_minutes ELSE 0 END
        )
        ON CONFLICT (technician_id) DO UPDATE SET minutes = l.minutes + excluded.minutes;
    END LOOP;
    RETURN NULL;
END
$$
"""

_PG_TRIGGERS = (
    "CREATE TRIGGER tr_interventions_load_insert AFTER INSERT ON interventions "
    "FOR EACH ROW EXECUTE FUNCTION atelier_technician_load()",
    "CREATE TRIGGER tr_interventions_load_delete AFTER DELETE ON interventions "
    "FOR EACH ROW EXECUTE FUNCTION atelier_technician_load()",
    "CREATE TRIGGER tr_interventions_load_update "
    "AFTER UPDATE OF status, technician_id, estimated_minutes ON interventions FOR EACH ROW "
    "WHEN (OLD.status IS DISTINCT FROM NEW.status "
    "OR OLD.technician_id IS DISTINCT FROM NEW.technician_id "
    "OR OLD.estimated_minutes IS DISTINCT FROM NEW.estimated_minutes) "
    "EXECUTE FUNCTION atelier_technician_load()",
)

_SQLITE_ADD = f"""
    INSERT INTO technician_loads (technician_id, minutes)
    SELECT NEW.technician_id, coalesce(NEW.estimated_minutes, 0)
    WHERE NEW.technician_id IS NOT NULL AND NEW.status IN {BOOKED}
    ON CONFLICT (technician_id) DO UPDATE SET minutes = minutes + excluded.minutes;
"""
_SQLITE_REMOVE = f"""
    UPDATE technician_loads SET minutes = minutes - coalesce(OLD.estimated_minutes, 0)
    WHERE technician_id = OLD.technician_id AND OLD.status IN {BOOKED};
"""
_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER tr_interventions_load_insert AFTER INSERT ON interventions "
    f"BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER tr_interventions_load_delete AFTER DELETE ON interventions "
    f"BEGIN {_SQLITE_REMOVE} END",
    "CREATE TRIGGER tr_interventions_load_update "
    "AFTER UPDATE OF status, technician_id, estimated_minutes ON interventions "
    f"BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END",
)

_BACKFILL = f"""
INSERT INTO technician_loads (technician_id, minutes)
SELECT technician_id, sum(coalesce(estimated_minutes, 0)) FROM interventions
WHERE technician_id IS NOT NULL AND status IN {BOOKED}
GROUP BY technician_id
"""


def upgrade() -> None:
    op.create_table(
        "technician_loads",
        sa.Column("technician_id", sa.Uuid(), nullable=False),
        sa.Column("minutes", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technicians.id"],
            name=op.f("fk_technician_loads_technician_id_technicians"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("technician_id", name=op.f("pk_technician_loads")),
    )
    op.execute(_BACKFILL)
    op.drop_index(BOOKED_INDEX, table_name="interventions")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for statement in _PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    for name in ("insert", "delete", "update"):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER tr_interventions_load_{name} ON interventions")
        else:
            op.execute(f"DROP TRIGGER tr_interventions_load_{name}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION atelier_technician_load()")
    op.drop_table("technician_loads")
    op.create_index(
        BOOKED_INDEX,
        "interventions",
        ["technician_id", "estimated_minutes"],
        unique=False,
        postgresql_where=sa.text(f"status IN {BOOKED}"),
        sqlite_where=sa.text(f"status IN {BOOKED}"),
    )
