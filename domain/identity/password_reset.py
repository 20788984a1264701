"""One-time password-reset tokens: only the SHA-256 of the token is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID


@dataclass(slots=True, kw_only=True)
class PasswordResetToken:
    token_hash: str
    user_id: UUID
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    @classmethod
    def issue(
        cls, user_id: UUID, token_hash: str, now: datetime, ttl_seconds: int
    ) -> PasswordResetToken:
        return cls(
            token_hash=token_hash,
            user_id=user_id,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_seconds),
        )

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at
