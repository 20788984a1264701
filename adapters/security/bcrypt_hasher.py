"""bcrypt password hashing with an HMAC-SHA256 pepper pre-hash.

The password is first reduced to ``base64(HMAC-SHA256(pepper, password))`` (44 ASCII bytes):
bcrypt never sees more than 72 bytes (so nothing is ever truncated), never sees a NUL byte,
and a stolen database is useless without the pepper, which lives outside the database.
The slow bcrypt work runs in a worker thread so the event loop keeps serving requests.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re

import bcrypt

from application.shared.security import PasswordHasher

MIN_ROUNDS = 4
MAX_ROUNDS = 31
_BCRYPT_RE = re.compile(r"^\$2[abxy]?\$(?P<cost>\d{2})\$[./A-Za-z0-9]{53}$")


class BcryptPasswordHasher(PasswordHasher):
    def __init__(self, pepper: bytes, rounds: int = 12) -> None:
        if not isinstance(pepper, bytes | bytearray) or not pepper:
            raise ValueError("the password pepper must be non-empty bytes")
        if isinstance(rounds, bool) or not isinstance(rounds, int):
            raise ValueError("bcrypt rounds must be an integer")
        if not MIN_ROUNDS <= rounds <= MAX_ROUNDS:
            raise ValueError(f"bcrypt rounds must be between {MIN_ROUNDS} and {MAX_ROUNDS}")
        self._pepper = bytes(pepper)
        self._rounds = rounds

    @property
    def rounds(self) -> int:
        return self._rounds

    def _prehash(self, password: str) -> bytes:
        # surrogatepass: any Python str is accepted and maps to one byte string, deterministically.
        raw = password.encode("utf-8", "surrogatepass")
        digest = hmac.new(self._pepper, raw, hashlib.sha256).digest()
        return base64.b64encode(digest)  # 44 bytes, no NUL

    def _hash_sync(self, password: str) -> str:
        salt = bcrypt.gensalt(rounds=self._rounds)
        return bcrypt.hashpw(self._prehash(password), salt).decode("ascii")

    def _verify_sync(self, password: str, hashed: str) -> bool:
        if not isinstance(hashed, str) or _BCRYPT_RE.match(hashed) is None:
            return False
        try:
            return bcrypt.checkpw(self._prehash(password), hashed.encode("ascii"))
        except (ValueError, TypeError):
            return False

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hash_sync, password)

    async def verify(self, password: str, hashed: str) -> bool:
        return await asyncio.to_thread(self._verify_sync, password, hashed)

    def needs_rehash(self, hashed: str) -> bool:
        match = _BCRYPT_RE.match(hashed) if isinstance(hashed, str) else None
        if match is None:
            return True
        return int(match.group("cost")) < self._rounds
