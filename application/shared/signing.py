"""The UrlSigner port: links to the app itself that work without a bearer token, for a while.

Local storage has no presigned URLs; ``GET /documents/{id}/url`` and ``GET /images/{id}/url``
then answer a link to the app's own content route, signed for that path until ``expires_at``.
The content route accepts the link without a token when ``verify`` says it is genuine and
unexpired; a tampered or expired link is refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class UrlSigner(Protocol):
    def sign(self, path: str, expires_at: datetime) -> str:
        """The query string (``expires=...&signature=...``) that makes ``path`` readable
        until ``expires_at``."""
        ...

    def verify(self, path: str, expires: str | None, signature: str | None, now: datetime) -> bool:
        """True for a genuine signature of ``path`` that has not expired at ``now``."""
        ...
