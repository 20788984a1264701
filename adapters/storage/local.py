"""BlobStorage in a local folder (the embedded profile).

Keys map to files under ``root``; every path is resolved (following symlinks) and must stay
inside the resolved root. Writes go to a temporary file in the target folder, are fsynced,
then ``os.replace``d over the target, so readers never see a partial object and a failed
stream leaves nothing behind. Blocking file I/O runs in worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import BinaryIO

from adapters.filesystem import ensure_private_dir
from adapters.storage.keys import StreamDigest, validate_key
from application.shared.storage import BlobStorage, StoredBlob
from domain.shared.errors import DependencyUnavailable, NotFound

_WRITE_BUFFER = 1024 * 1024


class LocalBlobStorage(BlobStorage):
    def __init__(self, root: Path) -> None:
        self._root = Path(root).resolve()

    @property
    def root(self) -> Path:
        return self._root

    def _path(self, key: str) -> Path:
        validate_key(key)
        path = (self._root / key).resolve()
        if path == self._root or not path.is_relative_to(self._root):
            raise ValueError("storage key resolves outside the storage root")
        return path

    async def put(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        content_type: str = "application/octet-stream",
    ) -> StoredBlob:
        path = self._path(key)
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        self._path(key)  # re-check: the folders now exist, symlinks among them are resolved
        fd, tmp_name = await asyncio.to_thread(
            tempfile.mkstemp, dir=path.parent, prefix=".upload-", suffix=".part"
        )
        digest = StreamDigest()
        try:
            with os.fdopen(fd, "wb") as handle:
                pending = bytearray()
                async for chunk in chunks:
                    digest.update(chunk)
                    pending += chunk
                    if len(pending) >= _WRITE_BUFFER:
                        await asyncio.to_thread(handle.write, bytes(pending))
                        pending.clear()
                await asyncio.to_thread(_finish, handle, bytes(pending))
            await asyncio.to_thread(os.replace, tmp_name, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise
        return digest.blob(key, content_type)

    def get(self, key: str, *, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        return self._stream(self._path(key), chunk_size)

    async def _stream(self, path: Path, chunk_size: int) -> AsyncIterator[bytes]:
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound("No such object.", code="object_not_found") from None
        try:
            while chunk := await asyncio.to_thread(handle.read, chunk_size):
                yield chunk
        finally:
            handle.close()

    async def delete(self, key: str) -> None:
        path = self._path(key)
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            await asyncio.to_thread(path.unlink)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def presigned_url(self, key: str, *, expires_in: int) -> str | None:
        self._path(key)
        return None

    async def ping(self) -> None:
        try:
            ok = await asyncio.to_thread(_writable_dir, self._root)
        except OSError as exc:
            raise DependencyUnavailable(
                "Blob storage folder is not usable.", code="storage_unavailable"
            ) from exc
        if not ok:
            raise DependencyUnavailable(
                "Blob storage folder is not writable.", code="storage_unavailable"
            )

    async def aclose(self) -> None:
        """Nothing to release."""


def _finish(handle: BinaryIO, tail: bytes) -> None:
    if tail:
        handle.write(tail)
    handle.flush()
    os.fsync(handle.fileno())


def _writable_dir(root: Path) -> bool:
    ensure_private_dir(root)
    return root.is_dir() and os.access(root, os.W_OK | os.X_OK)
