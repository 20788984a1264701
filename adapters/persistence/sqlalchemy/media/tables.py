"""Media library tables: categories, colours, themes (with their colours), images.

Names are unique per kind through ``name_key`` (blanks collapsed, casefolded): 409
``name_taken``. A theme's colours are rows of ``theme_colors`` (in the order given), so
``color_id`` filters use an index; its category and cover image are foreign keys (RESTRICT:
the use cases answer 409 ``category_in_use`` / ``image_in_use`` first).
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.metadata import (
    metadata,
    utc_timestamp,
    uuid_column,
    uuid_pk,
    version_column,
)

NAME_LENGTH = 100
DESCRIPTION_LENGTH = 2_000
TITLE_LENGTH = 200
KEY_LENGTH = 300

categories = sa.Table(
    "categories",
    metadata,
    uuid_pk(),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("name_key", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("description", sa.String(DESCRIPTION_LENGTH), nullable=True),
    utc_timestamp("created_at"),
    utc_timestamp("updated_at"),
    version_column(),
    sa.UniqueConstraint("name_key"),
)

colors = sa.Table(
    "colors",
    metadata,
    uuid_pk(),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("name_key", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("hex", sa.String(7), nullable=False),
    utc_timestamp("created_at"),
    utc_timestamp("updated_at"),
    version_column(),
    sa.UniqueConstraint("name_key"),
)

images = sa.Table(
    "images",
    metadata,
    uuid_pk(),
    sa.Column("title", sa.String(TITLE_LENGTH), nullable=True),
    sa.Column("format", sa.String(10), nullable=False),
    sa.Column("width", sa.Integer(), nullable=False),
    sa.Column("height", sa.Integer(), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("visibility", sa.String(10), nullable=False),
    uuid_column("owner_id"),
    sa.Column("storage_key", sa.String(KEY_LENGTH), nullable=False),
    sa.Column("thumbnail_key", sa.String(KEY_LENGTH), nullable=True),
    sa.Column("thumbnail_failed", sa.Boolean(), nullable=False, server_default=sa.false()),
    utc_timestamp("created_at"),
    utc_timestamp("updated_at"),
    version_column(),
    sa.ForeignKeyConstraint(["owner_id"], ["users.id"]),
    sa.Index(None, "owner_id"),
    sa.Index(None, "visibility"),
    sa.Index(None, "created_at"),
)

themes = sa.Table(
    "themes",
    metadata,
    uuid_pk(),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("name_key", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("description", sa.String(DESCRIPTION_LENGTH), nullable=True),
    uuid_column("category_id", nullable=True),
    uuid_column("cover_image_id", nullable=True),
    utc_timestamp("created_at"),
    utc_timestamp("updated_at"),
    version_column(),
    sa.ForeignKeyConstraint(["category_id"], ["categories.id"]),
    sa.ForeignKeyConstraint(["cover_image_id"], ["images.id"]),
    sa.UniqueConstraint("name_key"),
    sa.Index(None, "category_id"),
    sa.Index(None, "cover_image_id"),
)

theme_colors = sa.Table(
    "theme_colors",
    metadata,
    uuid_column("theme_id", primary_key=True),
    uuid_column("color_id", primary_key=True),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["theme_id"], ["themes.id"], ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["color_id"], ["colors.id"]),
    sa.Index(None, "color_id"),
)
