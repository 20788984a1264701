"""Revocations: access tokens that must be refused before they expire.

An access token is a signed JWT that stays valid until its ``exp``; revoking one before then
needs a record that every instance checks. Two kinds:

* ``token``: one access token, by its ``jti`` (logout);
* ``session``: every access token of a refresh family (logout, a replayed refresh token).

A revocation is kept until no token it covers can still be valid (``expires_at``), then it
can be purged. The per-user cut-off (password change, role change, deactivation) is not a
revocation: it lives on the user (``tokens_valid_after``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

VERIFY_LEEWAY_SECONDS = 60
"""Kept a little past a token's expiry: verification accepts a small clock skew."""


class RevocationKind(StrEnum):
    TOKEN = "jti"  # noqa: S105 - a kind, not a secret
    SESSION = "sid"


@dataclass(frozen=True, slots=True, kw_only=True)
class Revocation:
    kind: RevocationKind
    value: str
    """The token's ``jti``, or the session (refresh family) id."""
    user_id: UUID
    revoked_at: datetime
    expires_at: datetime
    """After this instant no token it covers can be valid: the record may be purged."""

    @classmethod
    def of_token(
        cls, jti: str, user_id: UUID, now: datetime, *, token_expires_at: datetime
    ) -> Revocation:
        return cls(
            kind=RevocationKind.TOKEN,
            value=jti,
            user_id=user_id,
            revoked_at=now,
            expires_at=token_expires_at + timedelta(seconds=VERIFY_LEEWAY_SECONDS),
        )

    @classmethod
    def of_session(
        cls, session_id: UUID, user_id: UUID, now: datetime, *, access_ttl_seconds: int
    ) -> Revocation:
        """No access token of the session is issued after its family is revoked, so none
        outlives ``now`` plus an access token's life."""
        return cls(
            kind=RevocationKind.SESSION,
            value=str(session_id),
            user_id=user_id,
            revoked_at=now,
            expires_at=now + timedelta(seconds=access_ttl_seconds + VERIFY_LEEWAY_SECONDS),
        )

    def is_live(self, now: datetime) -> bool:
        return now < self.expires_at

    def remaining_seconds(self, now: datetime) -> float:
        return (self.expires_at - now).total_seconds()
