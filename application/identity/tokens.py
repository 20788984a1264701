"""Opaque secrets (refresh and reset tokens): random values, stored only as SHA-256."""

from __future__ import annotations

import hashlib
import secrets


def new_opaque_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(value: str) -> str:
    """The stored form of an opaque token (hex SHA-256)."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def hash_identifier(value: str) -> str:
    """A short digest for cache keys, so no e-mail address sits in the cache."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
