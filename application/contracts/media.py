"""What the media module publishes: a port other modules use to read and store images.

* ``ImageLibrary`` (``media.image_library``): the AI jobs module reads a caller's input images
  and stores a try-on result as a new private image of that caller, without importing media.

Visibility is decided by the media module (the role table of API.md): ``read_for`` answers
None for an image that does not exist *or* that the actor may not read, so a caller can never
tell the two apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from domain.shared.access import Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class LibraryImage:
    """An image and its bytes, as another module sees it."""

    id: UUID
    owner_id: UUID
    mime_type: str
    width: int
    height: int
    content: bytes


class ImageLibrary(Protocol):
    async def read_for(self, actor: Actor, image_id: UUID) -> LibraryImage | None:
        """The image with its bytes when ``actor`` may read it; None when missing or hidden."""
        ...

    async def store_private(
        self, owner_id: UUID, content: bytes, *, title: str | None = None
    ) -> UUID:
        """Store ``content`` (an image the media rules accept) as a private image of
        ``owner_id``; the new image's id. Raises the domain's validation error when the bytes
        are not an accepted image."""
        ...
