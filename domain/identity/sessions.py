"""Refresh-token families: a login starts a family; each refresh rotates its token.

A refresh token is opaque; only its SHA-256 is stored. Presenting a token that was already
used means it leaked (or was replayed): the whole family is revoked. A family never lives past
``absolute_expires_at`` (its first token's creation plus the refresh TTL), however often it
rotates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.shared.ids import new_id


@dataclass(slots=True, kw_only=True)
class RefreshFamily:
    id: UUID
    user_id: UUID
    created_at: datetime
    absolute_expires_at: datetime
    revoked_at: datetime | None = None

    @classmethod
    def start(cls, user_id: UUID, now: datetime, ttl_seconds: int) -> RefreshFamily:
        return cls(
            id=new_id(),
            user_id=user_id,
            created_at=now,
            absolute_expires_at=now + timedelta(seconds=ttl_seconds),
        )

    def is_alive(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.absolute_expires_at

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = now


@dataclass(slots=True, kw_only=True)
class RefreshToken:
    token_hash: str
    family_id: UUID
    user_id: UUID
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    @classmethod
    def issue(
        cls, family: RefreshFamily, token_hash: str, now: datetime, ttl_seconds: int
    ) -> RefreshToken:
        """A token of ``family``; it never outlives the family's absolute life."""
        expires = min(now + timedelta(seconds=ttl_seconds), family.absolute_expires_at)
        return cls(
            token_hash=token_hash,
            family_id=family.id,
            user_id=family.user_id,
            issued_at=now,
            expires_at=expires,
        )

    @property
    def is_used(self) -> bool:
        return self.used_at is not None

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at
