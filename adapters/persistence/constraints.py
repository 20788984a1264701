"""What a violated constraint means to a client: the API field it names and the error.

One table for both persistence families, so that they answer alike: the SQL adapters read
the violated constraint from the driver's error (``sqlalchemy/errors.py``) and the memory
twins check the same rules themselves; both build their errors here.

* a foreign key that points nowhere -> 422 ``unknown_reference`` naming the field
  (``owner_id``: "no user has this id");
* a unique constraint -> 409 with the constraint's own code when it has one
  (``serial_taken``, ``email_taken``...), else ``duplicate_value``, naming the field(s);
* a check or NOT NULL constraint -> 422 ``invalid_value`` naming the field(s);
* a row still referred to by others -> 409 ``still_referenced``;
* an exclusion constraint (PostgreSQL) -> 409 with its rule's code, naming its fields
  (``schedule_conflict``, ``scheduled_at``).

Tables and columns are the SQL names (the memory twins use the same logical names). A
column is its API field unless :data:`FIELDS` says otherwise (derived, normalised columns
carry the field they derive from).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.shared.errors import (
    Conflict,
    DuplicateValue,
    FieldError,
    StillReferenced,
    UnknownReference,
    ValidationFailed,
)

#: ``table.column`` -> the API field it stands for, where the names differ.
FIELDS: dict[str, str] = {
    "users.email_normalized": "email",
    "equipment.serial_key": "serial_number",
    "equipment.type_key": "type",
    "equipment.location_key": "location",
    "technicians.specialty_key": "specialty",
    "categories.name_key": "name",
    "colors.name_key": "name",
    "themes.name_key": "name",
    "theme_colors.color_id": "color_ids",
}

#: referred table -> the noun of "no <noun> has this id".
TARGETS: dict[str, str] = {
    "users": "user",
    "equipment": "equipment",
    "technicians": "technician profile",
    "interventions": "intervention",
    "refresh_families": "session",
    "schedule_entries": "planning entry",
    "categories": "category",
    "colors": "colour",
    "images": "image",
    "themes": "theme",
}


@dataclass(frozen=True, slots=True)
class UniqueRule:
    code: str
    detail: str


#: Unique constraints (by their conventional name) with a code and message of their own.
UNIQUE_RULES: dict[str, UniqueRule] = {
    "uq_users_email_normalized": UniqueRule(
        "email_taken", "This e-mail address is already registered."
    ),
    "uq_equipment_serial_key": UniqueRule(
        "serial_taken", "This serial number is already registered."
    ),
    "uq_technicians_user_id": UniqueRule(
        "technician_exists", "This user already has a technician profile."
    ),
    "uq_interventions_preventive_key": UniqueRule(
        "preventive_exists", "This preventive maintenance is already planned."
    ),
    "uq_schedule_entries_intervention_id": UniqueRule(
        "planning_entry_exists", "The intervention already has a planning entry."
    ),
    "uq_calendar_feeds_technician_id": UniqueRule(
        "calendar_feed_exists", "This technician already has a calendar feed."
    ),
    "uq_variable_types_name": UniqueRule(
        "variable_type_taken", "This variable type name is already taken."
    ),
    "uq_categories_name_key": UniqueRule("name_taken", "A category with this name exists."),
    "uq_colors_name_key": UniqueRule("name_taken", "A colour with this name exists."),
    "uq_themes_name_key": UniqueRule("name_taken", "A theme with this name exists."),
}


@dataclass(frozen=True, slots=True)
class ExclusionRule:
    code: str
    fields: tuple[str, ...]
    detail: str


#: Exclusion constraints (PostgreSQL) by name: the 409 they mean and the fields they name.
EXCLUSION_RULES: dict[str, ExclusionRule] = {
    "ex_schedule_entries_technician_slot": ExclusionRule(
        "schedule_conflict",
        ("scheduled_at",),
        "The slot clashes with another planning entry of this technician.",
    ),
}


def field_of(table: str, column: str) -> str:
    """The API field a column stands for."""
    return FIELDS.get(f"{table}.{column}", column)


def target_of(table: str) -> str:
    return TARGETS.get(table, table.rstrip("s").replace("_", " "))


def unknown_reference(table: str, column: str, referred_table: str) -> UnknownReference:
    """``table.column`` holds an id that ``referred_table`` does not have."""
    return UnknownReference(field_of(table, column), target_of(referred_table))


def duplicate(table: str, columns: Sequence[str], constraint: str | None) -> DuplicateValue:
    """A unique constraint of ``table`` over ``columns`` (named ``constraint``) refused a row."""
    fields = list(dict.fromkeys(field_of(table, c) for c in columns)) or ["id"]
    rule = UNIQUE_RULES.get(constraint or "")
    if rule is not None:
        return DuplicateValue(fields, rule.detail, code=rule.code)
    return DuplicateValue(fields)


def excluded(table: str, constraint: str) -> Conflict:
    """An exclusion constraint of ``table`` (named ``constraint``) refused a row."""
    rule = EXCLUSION_RULES.get(constraint)
    if rule is None:
        return Conflict(
            f"This {target_of(table)} conflicts with another one ({constraint}).",
            errors=[FieldError("id", f"conflicts with another row ({constraint})")],
        )
    return Conflict(
        rule.detail,
        code=rule.code,
        errors=[FieldError(name, "clashes with another entry") for name in rule.fields],
    )


def invalid_value(table: str, columns: Sequence[str], what: str) -> ValidationFailed:
    """A check (``what``: its name) or NOT NULL constraint refused the value of ``columns``."""
    fields = list(dict.fromkeys(field_of(table, c) for c in columns)) or [what]
    return ValidationFailed(
        f"The value of {', '.join(fields)} is not allowed ({what}).",
        code="invalid_value",
        errors=[FieldError(name, f"not allowed ({what})") for name in fields],
    )


def still_referenced(referred_table: str, table: str | None = None) -> StillReferenced:
    """A row of ``referred_table`` is still referred to (by rows of ``table``, if known)."""
    by = f" by {table.replace('_', ' ')}" if table else ""
    return StillReferenced(f"This {target_of(referred_table)} is still referred to{by}.")
