"""In-process BlobStorage (tests and the throwaway ``memory`` profile)."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

from adapters.storage.keys import StreamDigest, validate_key
from application.shared.storage import BlobStorage, StoredBlob
from domain.shared.errors import NotFound


class MemoryBlobStorage(BlobStorage):
    def __init__(self) -> None:
        self._objects: dict[str, tuple[bytes, StoredBlob]] = {}

    async def put(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        content_type: str = "application/octet-stream",
    ) -> StoredBlob:
        validate_key(key)
        digest = StreamDigest()
        buffer = bytearray()
        async for chunk in chunks:
            digest.update(chunk)
            buffer += chunk
        blob = digest.blob(key, content_type)
        self._objects[key] = (bytes(buffer), blob)  # only a complete stream replaces the object
        return blob

    def get(self, key: str, *, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        validate_key(key)
        return self._stream(key, chunk_size)

    async def _stream(self, key: str, chunk_size: int) -> AsyncIterator[bytes]:
        entry = self._objects.get(key)
        if entry is None:
            raise NotFound("No such object.", code="object_not_found")
        data = entry[0]
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]

    async def delete(self, key: str) -> None:
        validate_key(key)
        self._objects.pop(key, None)

    async def exists(self, key: str) -> bool:
        validate_key(key)
        return key in self._objects

    async def presigned_url(self, key: str, *, expires_in: int) -> str | None:
        validate_key(key)
        return None

    async def ping(self) -> None:
        """Memory always answers."""

    async def aclose(self) -> None:
        """Nothing to release."""
