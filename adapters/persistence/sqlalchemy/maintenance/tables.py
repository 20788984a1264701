"""Maintenance tables: technicians, equipment, interventions, schedule entries, calendar
feeds.

Derived and normalised values are stored next to what they derive from, written on every
save, so that filters and the dashboard use plain indexes:

* ``equipment.serial_key`` (``serial_number_key``) carries the unique constraint behind
  409 ``serial_taken``; ``type_key`` / ``location_key`` / ``technicians.specialty_key`` are
  the casefolded values the case-insensitive exact-match filters compare;
* ``equipment.next_maintenance_at`` is ``Equipment.next_maintenance_at`` (maintenance_due);
* ``interventions.priority_rank`` (low 0 .. critical 3) sorts priorities by severity;
* ``technician_loads.minutes`` is the sum of ``estimated_minutes`` of a technician's planned
  and in-progress interventions (the assignment ranking's "load"), kept by triggers on
  ``interventions`` in the writing transaction itself (migration 0014).

Skills and working hours are JSON lists (JSONB on PostgreSQL).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ExcludeConstraint

from adapters.persistence.sqlalchemy.metadata import (
    json_column,
    metadata,
    utc_timestamp,
    uuid_column,
    uuid_pk,
    version_column,
)

NAME_LENGTH = 200
SHORT_LENGTH = 100
ENUM_LENGTH = 20
PHONE_LENGTH = 32
KEY_LENGTH = 200
#: statuses NOT in the ``ix_interventions_active`` partial index (done and cancelled)
ACTIVE_WHERE = "('done', 'cancelled')"

technicians = sa.Table(
    "technicians",
    metadata,
    uuid_pk(),
    uuid_column("user_id"),
    sa.Column("specialty", sa.String(SHORT_LENGTH), nullable=True),
    sa.Column("specialty_key", sa.String(SHORT_LENGTH), nullable=True),
    json_column("skills"),
    sa.Column("experience_level", sa.String(ENUM_LENGTH), nullable=False),
    sa.Column("available", sa.Boolean(), nullable=False),
    sa.Column("phone", sa.String(PHONE_LENGTH), nullable=True),
    sa.Column("base_location", sa.String(NAME_LENGTH), nullable=True),
    json_column("working_hours"),
    utc_timestamp("created_at"),
    utc_timestamp("updated_at"),
    version_column(),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
    sa.UniqueConstraint("user_id"),
    sa.Index(None, "available"),
)

equipment = sa.Table(
    "equipment",
    metadata,
    uuid_pk(),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("type", sa.String(SHORT_LENGTH), nullable=False),
    sa.Column("type_key", sa.String(SHORT_LENGTH), nullable=False),
    sa.Column("model", sa.String(SHORT_LENGTH), nullable=True),
    sa.Column("serial_number", sa.String(SHORT_LENGTH), nullable=False),
    sa.Column("serial_key", sa.String(SHORT_LENGTH), nullable=False),
    sa.Column("location", sa.String(NAME_LENGTH), nullable=True),
    sa.Column("location_key", sa.String(NAME_LENGTH), nullable=True),
    uuid_column("owner_id", nullable=True),
    sa.Column("installed_on", sa.Date(), nullable=True),
    sa.Column("maintenance_interval_days", sa.Integer(), nullable=True),
    sa.Column("status", sa.String(ENUM_LENGTH), nullable=False),
    utc_timestamp("last_maintenance_at", nullable=True),
    utc_timestamp("next_maintenance_at", nullable=True),
    utc_timestamp("created_at"),
    utc_timestamp("updated_at"),
    version_column(),
    sa.ForeignKeyConstraint(["owner_id"], ["users.id"]),
    sa.UniqueConstraint("serial_key"),
    sa.Index(None, "status"),
    sa.Index(None, "type_key"),
    sa.Index(None, "location_key"),
    sa.Index(None, "owner_id"),
    sa.Index(None, "next_maintenance_at"),
    sa.Index(None, "created_at"),
)

interventions = sa.Table(
    "interventions",
    metadata,
    uuid_pk(),
    sa.Column("title", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("type", sa.String(ENUM_LENGTH), nullable=False),
    sa.Column("status", sa.String(ENUM_LENGTH), nullable=False),
    sa.Column("priority", sa.String(ENUM_LENGTH), nullable=False),
    sa.Column("priority_rank", sa.SmallInteger(), nullable=False),
    sa.Column("urgent", sa.Boolean(), nullable=False),
    utc_timestamp("due_at", nullable=True),
    json_column("required_skills"),
    utc_timestamp("scheduled_at", nullable=True),
    sa.Column("estimated_minutes", sa.Integer(), nullable=True),
    utc_timestamp("started_at", nullable=True),
    utc_timestamp("completed_at", nullable=True),
    uuid_column("equipment_id"),
    uuid_column("technician_id", nullable=True),
    uuid_column("created_by"),
    sa.Column("report", sa.Text(), nullable=True),
    sa.Column("cancel_reason", sa.Text(), nullable=True),
    sa.Column("preventive_key", sa.String(KEY_LENGTH), nullable=True),
    utc_timestamp("escalated_at", nullable=True),
    utc_timestamp("created_at"),
    utc_timestamp("updated_at"),
    version_column(),
    sa.ForeignKeyConstraint(["equipment_id"], ["equipment.id"]),
    sa.ForeignKeyConstraint(["technician_id"], ["technicians.id"]),
    sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
    sa.UniqueConstraint("preventive_key"),
    # status=open&priority=critical ordered by created_at: one index range, no sort
    sa.Index(None, "status", "priority", "created_at"),
    sa.Index(None, "equipment_id", "created_at"),
    sa.Index(None, "technician_id", "status"),
    sa.Index(None, "due_at"),
    sa.Index(None, "created_at"),
    # partial, covering indexes (migration 0004): index-only reads for the dashboard; queries
    # repeat these predicates with literal constants (the booked-minutes one went with 0014)
    sa.Index(
        "ix_interventions_active",
        "status", "priority", "due_at", "technician_id",
        postgresql_where=sa.text(f"status NOT IN {ACTIVE_WHERE}"),
        sqlite_where=sa.text(f"status NOT IN {ACTIVE_WHERE}"),
    ),
    sa.Index(
        "ix_interventions_done",
        "completed_at", "created_at", "started_at", "due_at", "type",
        postgresql_where=sa.text("status = 'done'"),
        sqlite_where=sa.text("status = 'done'"),
    ),
    sa.Index(
        "ix_interventions_corrective_created_at",
        "created_at",
        postgresql_where=sa.text("type = 'corrective'"),
        sqlite_where=sa.text("type = 'corrective'"),
    ),
)  # fmt: skip

# Every documented filter and sort of GET /interventions reads an index (PostgreSQL; the
# embedded SQLite database stays small): a page is one index range read in order, stopped
# after LIMIT rows. Sorts tie by id ascending and put NULLs last in both directions, so a
# descending sort on a low-cardinality or nullable column needs its own index; the others
# are read backwards (rare ties sorted incrementally). ``q`` (ILIKE on title/description)
# uses trigram indexes (pg_trgm). Migration 0013.
_I = interventions.c
INTERVENTION_LIST_INDEXES = (
    # filters, in the default order (newest first)
    sa.Index("ix_interventions_status_created_at", _I.status, _I.created_at),
    sa.Index("ix_interventions_priority_created_at", _I.priority, _I.created_at),
    sa.Index("ix_interventions_type_created_at", _I.type, _I.created_at),
    sa.Index("ix_interventions_technician_id_created_at", _I.technician_id, _I.created_at),
    sa.Index(
        "ix_interventions_title_trgm",
        _I.title,
        postgresql_using="gin",
        postgresql_ops={"title": "gin_trgm_ops"},
    ),
    sa.Index(
        "ix_interventions_description_trgm",
        _I.description,
        postgresql_using="gin",
        postgresql_ops={"description": "gin_trgm_ops"},
    ),
    # sorts
    sa.Index("ix_interventions_updated_at", _I.updated_at),
    sa.Index("ix_interventions_status_id", _I.status, _I.id),
    sa.Index("ix_interventions_status_desc_id", _I.status.desc(), _I.id),
    sa.Index("ix_interventions_priority_rank_id", _I.priority_rank, _I.id),
    sa.Index("ix_interventions_priority_rank_desc_id", _I.priority_rank.desc(), _I.id),
    sa.Index("ix_interventions_title_key", sa.func.lower(_I.title).collate("C")),
    # an expression key is sorted NULLS LAST both ways (queries.ordered)
    sa.Index(
        "ix_interventions_title_key_desc", sa.func.lower(_I.title).collate("C").desc().nulls_last()
    ),
    sa.Index("ix_interventions_due_at_desc", _I.due_at.desc().nulls_last()),
    sa.Index("ix_interventions_scheduled_at", _I.scheduled_at),
    sa.Index("ix_interventions_scheduled_at_desc", _I.scheduled_at.desc().nulls_last()),
    sa.Index("ix_interventions_completed_at", _I.completed_at),
    sa.Index("ix_interventions_completed_at_desc", _I.completed_at.desc().nulls_last()),
)
for _index in INTERVENTION_LIST_INDEXES:
    _index.ddl_if(dialect="postgresql")
sa.event.listen(
    interventions,
    "before_create",
    sa.DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(  # type: ignore[no-untyped-call]
        dialect="postgresql"
    ),
)

#: Written only by the triggers of migration 0014 (every insert, delete, and change of
#: status, technician or estimated minutes of an intervention); a ranking reads one row per
#: technician instead of summing their booked interventions (25,000 rows at 1M).
technician_loads = sa.Table(
    "technician_loads",
    metadata,
    sa.Column("technician_id", sa.Uuid(), primary_key=True),
    sa.Column("minutes", sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(["technician_id"], ["technicians.id"], ondelete="CASCADE"),
)

schedule_entries = sa.Table(
    "schedule_entries",
    metadata,
    uuid_pk(),
    uuid_column("intervention_id"),
    uuid_column("technician_id"),
    utc_timestamp("starts_at"),
    utc_timestamp("ends_at"),
    version_column(),
    sa.ForeignKeyConstraint(["intervention_id"], ["interventions.id"]),
    sa.ForeignKeyConstraint(["technician_id"], ["technicians.id"]),
    sa.UniqueConstraint("intervention_id"),
    sa.Index(None, "technician_id", "starts_at"),
    sa.Index(None, "technician_id", "ends_at"),
    sa.Index(None, "starts_at"),
    sa.Index(None, "ends_at"),  # slot overlaps: entries ending after the slot starts
)

#: PostgreSQL refuses two overlapping entries of one technician (SQLSTATE 23P01), atomically
#: and across instances: no lock-then-check when booking. Ranges are half-open ``[start,
#: end)`` like ``ScheduleEntry.overlaps`` (back-to-back slots do not clash). SQLite has no
#: such constraint: its transactions are serialised (``BEGIN IMMEDIATE``), so the check made
#: inside the booking transaction holds.
SCHEDULE_NO_OVERLAP = "ex_schedule_entries_technician_slot"
schedule_entries.append_constraint(
    ExcludeConstraint(
        (schedule_entries.c.technician_id, "="),
        (sa.func.tstzrange(schedule_entries.c.starts_at, schedule_entries.c.ends_at), "&&"),
        name=SCHEDULE_NO_OVERLAP,
        using="gist",
    ).ddl_if(dialect="postgresql")
)
#: An entry lasts (``estimated_minutes`` >= 1): an empty range overlaps nothing, so the
#: exclusion constraint would let one sit inside another entry, and the ranking's clash
#: lookup (``technicians._build_pool_statement``) relies on one technician's entries being
#: ordered alike by start and by end. PostgreSQL (migration 0015), where that lookup runs.
SCHEDULE_ENDS_AFTER_START = "ends_after_start"
schedule_entries.append_constraint(
    sa.CheckConstraint(
        schedule_entries.c.ends_at > schedule_entries.c.starts_at, name=SCHEDULE_ENDS_AFTER_START
    ).ddl_if(dialect="postgresql")
)
sa.event.listen(
    schedule_entries,
    "before_create",
    sa.DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(  # type: ignore[no-untyped-call]
        dialect="postgresql"
    ),
)

calendar_feeds = sa.Table(
    "calendar_feeds",
    metadata,
    uuid_pk(),  # the public selector of the feed URL
    uuid_column("technician_id"),
    sa.Column("secret_hash", sa.String(64), nullable=False),  # SHA-256 hex of the secret
    utc_timestamp("created_at"),
    uuid_column("created_by", nullable=True),
    sa.ForeignKeyConstraint(["technician_id"], ["technicians.id"]),
    sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
    sa.UniqueConstraint("technician_id"),  # one feed per technician (rotating replaces it)
)
