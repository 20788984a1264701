"""The one place that decides which object keys every BlobStorage adapter accepts."""

from __future__ import annotations

import hashlib

from application.shared.storage import StoredBlob

MAX_KEY_LENGTH = 512


def validate_key(key: str) -> str:
    """Return ``key`` unchanged when it is a safe relative path; raise ValueError otherwise.

    Refused: empty, longer than 512 characters, NUL or backslash, a leading ``/``, an empty
    segment (``a//b``, trailing ``/``) and ``.``/``..`` segments.
    """
    if not isinstance(key, str) or not key:
        raise ValueError("storage key must be a non-empty string")
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"storage key longer than {MAX_KEY_LENGTH} characters")
    if "\x00" in key or "\\" in key:
        raise ValueError("storage key contains a NUL or a backslash")
    if key.startswith("/"):
        raise ValueError("storage key must be relative")
    for segment in key.split("/"):
        if segment == "":
            raise ValueError("storage key has an empty segment")
        if segment in {".", ".."}:
            raise ValueError("storage key has a '.' or '..' segment")
    return key


class StreamDigest:
    """Size and SHA-256 of a stream, fed chunk by chunk."""

    def __init__(self) -> None:
        self.size = 0
        self._digest = hashlib.sha256()

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self._digest.update(chunk)

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def blob(self, key: str, content_type: str) -> StoredBlob:
        return StoredBlob(key=key, size=self.size, sha256=self.sha256, content_type=content_type)
