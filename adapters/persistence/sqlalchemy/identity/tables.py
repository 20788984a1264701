"""Identity tables: users, refresh-token families and tokens, password resets, preferences,
session revocations (the durable record the cache's denylists copy).

``users.email_normalized`` (the casefolded address) carries the unique constraint that turns
two concurrent registrations of one address into exactly one success. Tokens are stored as
their SHA-256 only (``token_hash``, the primary key).
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.metadata import (
    json_column,
    metadata,
    utc_timestamp,
    uuid_column,
    uuid_pk,
    version_column,
)

EMAIL_LENGTH = 254
NAME_LENGTH = 100
TOKEN_HASH_LENGTH = 128

users = sa.Table(
    "users",
    metadata,
    uuid_pk(),
    sa.Column("email", sa.String(EMAIL_LENGTH), nullable=False),
    sa.Column("email_normalized", sa.String(EMAIL_LENGTH), nullable=False),
    sa.Column("first_name", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("last_name", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("is_active", sa.Boolean(), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    utc_timestamp("tokens_valid_after", nullable=True),
    uuid_column("kept_session_id", nullable=True),
    utc_timestamp("last_login_at", nullable=True),
    utc_timestamp("created_at"),
    utc_timestamp("updated_at"),
    version_column(),
    sa.UniqueConstraint("email_normalized"),
    sa.Index(None, "role"),
    sa.Index(None, "is_active"),
    sa.Index(None, "created_at"),
)

refresh_families = sa.Table(
    "refresh_families",
    metadata,
    uuid_pk(),
    uuid_column("user_id"),
    utc_timestamp("created_at"),
    utc_timestamp("absolute_expires_at"),
    utc_timestamp("revoked_at", nullable=True),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
    sa.Index(None, "user_id"),
)

refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    sa.Column("token_hash", sa.String(TOKEN_HASH_LENGTH), primary_key=True),
    uuid_column("family_id"),
    uuid_column("user_id"),
    utc_timestamp("issued_at"),
    utc_timestamp("expires_at"),
    utc_timestamp("used_at", nullable=True),
    sa.ForeignKeyConstraint(["family_id"], ["refresh_families.id"], ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
    sa.Index(None, "family_id"),
    sa.Index(None, "user_id"),
)

password_reset_tokens = sa.Table(
    "password_reset_tokens",
    metadata,
    sa.Column("token_hash", sa.String(TOKEN_HASH_LENGTH), primary_key=True),
    uuid_column("user_id"),
    utc_timestamp("created_at"),
    utc_timestamp("expires_at"),
    utc_timestamp("used_at", nullable=True),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
    sa.Index(None, "user_id"),
)

user_preferences = sa.Table(
    "user_preferences",
    metadata,
    uuid_column("user_id", primary_key=True),
    json_column("favorite_namespaces"),
    json_column("favorite_collections"),
    json_column("favorite_modules"),
    json_column("settings"),
    utc_timestamp("updated_at", nullable=True),
    version_column(),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
)

REVOCATION_VALUE_LENGTH = 128

session_revocations = sa.Table(
    "session_revocations",
    metadata,
    sa.Column("kind", sa.String(8), primary_key=True),
    sa.Column("value", sa.String(REVOCATION_VALUE_LENGTH), primary_key=True),
    uuid_column("user_id"),
    utc_timestamp("revoked_at"),
    utc_timestamp("expires_at"),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
    sa.Index(None, "expires_at"),
    sa.Index(None, "user_id"),
)
