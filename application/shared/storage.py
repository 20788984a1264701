"""The BlobStorage port: streamed bytes under keys (S3, a local folder, memory)."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class StoredBlob:
    key: str
    size: int
    sha256: str
    content_type: str


class BlobStorage(Protocol):
    async def put(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        content_type: str = "application/octet-stream",
    ) -> StoredBlob:
        """Store the streamed bytes under ``key`` (replacing any), hashing them on the way."""
        ...

    def get(self, key: str, *, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        """Stream the bytes; raises ``domain.shared.errors.NotFound`` for an unknown key."""
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key``; deleting a missing key is not an error."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def presigned_url(self, key: str, *, expires_in: int) -> str | None:
        """A URL that reads the object without credentials, or None where unsupported."""
        ...

    async def ping(self) -> None: ...
