"""maintenance: technicians, equipment, interventions, schedule entries, audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("changes", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_actor_id_at"), "audit_log", ["actor_id", "at"], unique=False)
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(
        op.f("ix_audit_log_entity_type_entity_id_at"),
        "audit_log",
        ["entity_type", "entity_id", "at"],
        unique=False,
    )

    op.create_table(
        "equipment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("type_key", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.Column("serial_number", sa.String(length=100), nullable=False),
        sa.Column("serial_key", sa.String(length=100), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("location_key", sa.String(length=200), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.Column("maintenance_interval_days", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("last_maintenance_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_maintenance_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_equipment_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment")),
        sa.UniqueConstraint("serial_key", name=op.f("uq_equipment_serial_key")),
    )
    op.create_index(op.f("ix_equipment_created_at"), "equipment", ["created_at"], unique=False)
    op.create_index(op.f("ix_equipment_location_key"), "equipment", ["location_key"], unique=False)
    op.create_index(
        op.f("ix_equipment_next_maintenance_at"), "equipment", ["next_maintenance_at"], unique=False
    )
    op.create_index(op.f("ix_equipment_owner_id"), "equipment", ["owner_id"], unique=False)
    op.create_index(op.f("ix_equipment_status"), "equipment", ["status"], unique=False)
    op.create_index(op.f("ix_equipment_type_key"), "equipment", ["type_key"], unique=False)

    op.create_table(
        "technicians",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("specialty", sa.String(length=100), nullable=True),
        sa.Column("specialty_key", sa.String(length=100), nullable=True),
        sa.Column("skills", _json(), nullable=False),
        sa.Column("experience_level", sa.String(length=20), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("base_location", sa.String(length=200), nullable=True),
        sa.Column("working_hours", _json(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_technicians_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technicians")),
        sa.UniqueConstraint("user_id", name=op.f("uq_technicians_user_id")),
    )
    op.create_index(op.f("ix_technicians_available"), "technicians", ["available"], unique=False)

    op.create_table(
        "interventions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("priority_rank", sa.SmallInteger(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("required_skills", _json(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("estimated_minutes", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("equipment_id", sa.Uuid(), nullable=False),
        sa.Column("technician_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("preventive_key", sa.String(length=200), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_interventions_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["equipment_id"], ["equipment.id"], name=op.f("fk_interventions_equipment_id_equipment")
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technicians.id"],
            name=op.f("fk_interventions_technician_id_technicians"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interventions")),
        sa.UniqueConstraint("preventive_key", name=op.f("uq_interventions_preventive_key")),
    )
    op.create_index(
        op.f("ix_interventions_created_at"), "interventions", ["created_at"], unique=False
    )
    op.create_index(op.f("ix_interventions_due_at"), "interventions", ["due_at"], unique=False)
    op.create_index(
        op.f("ix_interventions_equipment_id_created_at"),
        "interventions",
        ["equipment_id", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_interventions_status_priority_created_at"),
        "interventions",
        ["status", "priority", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_interventions_technician_id_status"),
        "interventions",
        ["technician_id", "status"],
        unique=False,
    )

    op.create_table(
        "schedule_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("intervention_id", sa.Uuid(), nullable=False),
        sa.Column("technician_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["interventions.id"],
            name=op.f("fk_schedule_entries_intervention_id_interventions"),
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technicians.id"],
            name=op.f("fk_schedule_entries_technician_id_technicians"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_entries")),
        sa.UniqueConstraint("intervention_id", name=op.f("uq_schedule_entries_intervention_id")),
    )
    op.create_index(
        op.f("ix_schedule_entries_starts_at"), "schedule_entries", ["starts_at"], unique=False
    )
    op.create_index(
        op.f("ix_schedule_entries_technician_id_ends_at"),
        "schedule_entries",
        ["technician_id", "ends_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_schedule_entries_technician_id_starts_at"),
        "schedule_entries",
        ["technician_id", "starts_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_schedule_entries_technician_id_starts_at"), table_name="schedule_entries"
    )
    op.drop_index(op.f("ix_schedule_entries_technician_id_ends_at"), table_name="schedule_entries")
    op.drop_index(op.f("ix_schedule_entries_starts_at"), table_name="schedule_entries")

    op.drop_table("schedule_entries")
    op.drop_index(op.f("ix_interventions_technician_id_status"), table_name="interventions")
    op.drop_index(op.f("ix_interventions_status_priority_created_at"), table_name="interventions")
    op.drop_index(op.f("ix_interventions_equipment_id_created_at"), table_name="interventions")
    op.drop_index(op.f("ix_interventions_due_at"), table_name="interventions")
    op.drop_index(op.f("ix_interventions_created_at"), table_name="interventions")

    op.drop_table("interventions")
    op.drop_index(op.f("ix_technicians_available"), table_name="technicians")

    op.drop_table("technicians")
    op.drop_index(op.f("ix_equipment_type_key"), table_name="equipment")
    op.drop_index(op.f("ix_equipment_status"), table_name="equipment")
    op.drop_index(op.f("ix_equipment_owner_id"), table_name="equipment")
    op.drop_index(op.f("ix_equipment_next_maintenance_at"), table_name="equipment")
    op.drop_index(op.f("ix_equipment_location_key"), table_name="equipment")
    op.drop_index(op.f("ix_equipment_created_at"), table_name="equipment")

    op.drop_table("equipment")
    op.drop_index(op.f("ix_audit_log_entity_type_entity_id_at"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_actor_id_at"), table_name="audit_log")

    op.drop_table("audit_log")
