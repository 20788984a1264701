"""A real BlobStorage wrapper that fails on purpose (no mocks): ``put`` can store the
bytes it received and then fail after ``fail_put_after`` bytes (a storage that breaks in
the middle of an upload), ``delete`` can fail while ``fail_deletes`` is set."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

from application.shared.storage import BlobStorage, StoredBlob
from domain.shared.errors import DependencyUnavailable


class FlakyStorage(BlobStorage):
    def __init__(self, inner: BlobStorage) -> None:
        self.inner = inner
        self.fail_put_after: int | None = None
        self.fail_deletes = False
        self.writes: list[str] = []

    async def put(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        content_type: str = "application/octet-stream",
    ) -> StoredBlob:
        self.writes.append(key)
        limit = self.fail_put_after
        if limit is None:
            return await self.inner.put(key, chunks, content_type=content_type)
        received = bytearray()
        async for chunk in chunks:
            received += chunk
            if len(received) >= limit:
                break

        async def partial() -> AsyncIterator[bytes]:
            yield bytes(received[:limit])

        # what an S3 multipart upload or a file system leaves when the link breaks half-way
        await self.inner.put(key, partial(), content_type=content_type)
        raise DependencyUnavailable("Storage broke mid-upload.", code="storage_unavailable")

    def get(self, key: str, *, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        return self.inner.get(key, chunk_size=chunk_size)

    async def delete(self, key: str) -> None:
        if self.fail_deletes:
            raise DependencyUnavailable("Storage refuses deletes.", code="storage_unavailable")
        await self.inner.delete(key)

    async def exists(self, key: str) -> bool:
        return await self.inner.exists(key)

    async def presigned_url(self, key: str, *, expires_in: int) -> str | None:
        return await self.inner.presigned_url(key, expires_in=expires_in)

    async def ping(self) -> None:
        await self.inner.ping()
