"""The media library's limits (from its settings section)."""

from __future__ import annotations

from dataclasses import dataclass

THUMBNAIL_JOB = "media.make_thumbnail"
DELETE_BLOB_JOB = "media.delete_blob"


@dataclass(frozen=True, slots=True)
class MediaPolicy:
    max_bytes: int = 20 * 1024 * 1024
    """Largest accepted image file (413 beyond)."""
    max_pixels: int = 40_000_000
    """Largest accepted canvas, width x height x frames (422 ``image_too_large`` beyond)."""
    url_ttl_seconds: int = 900
    """Life of the links ``GET /images/{id}/url`` hands out."""


def image_key(image_id: object) -> str:
    return f"media/images/{image_id}"


def thumbnail_key(image_id: object) -> str:
    return f"media/thumbnails/{image_id}.webp"
