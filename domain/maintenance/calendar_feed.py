"""A technician's secret calendar feed: the iCalendar URL a calendar app subscribes to.

Calendar apps cannot send a bearer token, so the URL itself carries the credential:
``<feed id, 32 hex digits><secret>``. The id selects the feed; the secret (256 random bits,
URL-safe base64) is shown once, when the feed is issued or rotated, and only its SHA-256 is
kept (a random secret of that size needs no slow hash: there is nothing to guess). A
presented secret is compared with the stored hash in constant time. Rotating issues a new
id and secret (the old URL stops working); revoking deletes the feed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.shared.ids import new_id

SECRET_BYTES = 32
_ID_HEX = 32
_TOKEN = re.compile(r"^(?P<id>[0-9a-f]{32})(?P<secret>[A-Za-z0-9_-]{43})$")
TOKEN_LENGTH = _ID_HEX + 43


def hash_secret(secret: str) -> str:
    """The stored form of a secret (SHA-256, hex)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_token(token: str) -> tuple[UUID, str] | None:
    """``(feed id, secret)`` of a well-formed token, else None."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    return UUID(hex=match.group("id")), match.group("secret")


@dataclass(slots=True, kw_only=True)
class CalendarFeed:
    id: UUID
    technician_id: UUID
    secret_hash: str
    created_at: datetime
    created_by: UUID | None
    """Who issued it (the technician, a manager or an admin)."""

    @classmethod
    def issue(
        cls, *, technician_id: UUID, created_by: UUID | None, now: datetime
    ) -> tuple[CalendarFeed, str]:
        """A new feed and its token (``<id hex><secret>``), which is never stored."""
        secret = secrets.token_urlsafe(SECRET_BYTES)
        feed = cls(
            id=new_id(),
            technician_id=technician_id,
            secret_hash=hash_secret(secret),
            created_at=now,
            created_by=created_by,
        )
        return feed, f"{feed.id.hex}{secret}"

    def accepts(self, secret: str) -> bool:
        """Whether ``secret`` is this feed's (constant-time comparison of the hashes)."""
        return hmac.compare_digest(self.secret_hash, hash_secret(secret))
