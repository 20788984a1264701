"""Ports for credentials: password hashing and signed tokens."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str:
        """Hash ``password`` (never truncated, any length); runs off the event loop."""
        ...

    async def verify(self, password: str, hashed: str) -> bool:
        """True when ``password`` matches; False (never an exception) for a malformed hash."""
        ...

    def needs_rehash(self, hashed: str) -> bool:
        """True when ``hashed`` was made with weaker settings than the current ones."""
        ...


@dataclass(frozen=True, slots=True)
class TokenClaims:
    subject: str
    token_type: str
    jti: str
    issued_at: datetime
    expires_at: datetime
    extra: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    claims: TokenClaims


class TokenService(Protocol):
    def issue(
        self,
        subject: str,
        *,
        token_type: str,
        ttl_seconds: int,
        extra: Mapping[str, object] | None = None,
    ) -> IssuedToken:
        """Sign a token with sub, typ, jti, iat, nbf, exp, aud and iss claims."""
        ...

    def verify(self, token: str, *, token_type: str) -> TokenClaims:
        """Check signature, algorithm, claims and type; raise ``Unauthenticated`` on any fault."""
        ...
