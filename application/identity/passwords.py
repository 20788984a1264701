"""Password helpers: the configured policy, and a dummy hash for constant-effort logins."""

from __future__ import annotations

import asyncio
import secrets

from application.identity.common_passwords import load_common_passwords
from application.identity.policy import IdentityPolicy
from application.shared.security import PasswordHasher
from domain.identity.password_policy import PasswordPolicy


def build_password_policy(policy: IdentityPolicy) -> PasswordPolicy:
    return PasswordPolicy(
        min_length=policy.password_min_length,
        max_length=policy.password_max_length,
        require_composition=policy.password_require_composition,
        common_passwords=load_common_passwords(),
    )


class DummyHash:
    """A hash of a random secret, made once: verifying against it when an e-mail is unknown
    costs the same as a real check, so timing does not tell which accounts exist.
    Share one instance (a singleton in the container)."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self._hasher = hasher
        self._hash: str | None = None
        self._lock = asyncio.Lock()

    async def verify(self, password: str) -> bool:
        if self._hash is None:
            async with self._lock:
                if self._hash is None:
                    self._hash = await self._hasher.hash(secrets.token_urlsafe(24))
        await self._hasher.verify(password, self._hash)
        return False
